"""Print a scenario's static benchmarks: Nash and joint-profit (monopoly) prices and profits per tick, for the
demand sellers face under the platform's display rule (``--no-display``: the stage game without it)."""

from experiments import jsonout

NAME = "benchmarks"
HELP = "static Nash and monopoly prices and profits of a scenario"
_NASH = {"pure": "an equilibrium in pure prices",
         "cycle": "no equilibrium in pure prices: best responses cycle (Edgeworth); Nash = their mean, with the "
                  "cycle's bounds",
         "step": "no equilibrium in continuous prices: best responses settle one undercut step from the limit "
                 "(Bertrand)"}


def add_arguments(parser) -> None:
    parser.add_argument("config", nargs="?", default="amazon_10min", help="scenario TOML file or shipped name")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-display", action="store_true",
                        help="the stage game without the platform's display: every listed offer with full attention "
                             "(the references of 'nash' and 'monopoly' in strategy parameters)")


def main(args) -> int:
    from market import catalog

    scenario = catalog.load(args.config)
    b = scenario.plain_benchmarks if args.no_display else scenario.benchmarks
    data = {"scenario": scenario.name, "sellers": [s.name for s in scenario.sellers],
            "owners": [s.firm for s in scenario.sellers], **b.as_dict()}
    if args.json:
        print(jsonout.dumps(data))
        return 0
    names = data["sellers"]
    shown = "without the display" if args.no_display else "under the platform's display rule" if b.display else ""
    print(f"{scenario.name}: static benchmarks per tick {shown}".rstrip())
    print(f"{'seller':<16}{'owner':<12}{'Nash p':>10}{'Nash pi':>10}{'monop. p':>10}{'monop. pi':>10}"
          + (f"{'Nash p low':>12}{'Nash p high':>12}" if not b.pure else ""))
    for i, name in enumerate(names):
        print(f"{name:<16}{data['owners'][i]:<12}{b.nash_price[i]:>10.5f}{b.nash_profit[i]:>10.5f}"
              f"{b.monopoly_price[i]:>10.5f}{b.monopoly_profit[i]:>10.5f}"
              + (f"{b.nash_price_low[i]:>12.5f}{b.nash_price_high[i]:>12.5f}" if not b.pure else ""))
    print(f"industry profit: Nash {b.nash_industry_profit:.5f}, monopoly {b.monopoly_industry_profit:.5f}")
    if b.display:
        print(f"Nash: {_NASH[b.nash]}"
              + (f"; industry profit on the cycle {b.nash_industry_profit_low:.5f} to "
                 f"{b.nash_industry_profit_high:.5f}" if b.nash == "cycle" else ""))
        print("featured offer: at Nash " + (names[b.featured_nash] if b.featured_nash >= 0 else "changes hands")
              + ", at the joint optimum " + (names[b.featured_monopoly] if b.featured_monopoly >= 0 else "none"))
    return 0

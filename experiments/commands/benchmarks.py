"""Print a scenario's static benchmarks: Nash and joint-profit (monopoly) prices and profits per tick."""

from experiments import jsonout

NAME = "benchmarks"
HELP = "static Nash and monopoly prices and profits of a scenario"


def add_arguments(parser) -> None:
    parser.add_argument("config", nargs="?", default="amazon_10min", help="scenario TOML file or shipped name")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def main(args) -> int:
    from market import catalog

    scenario = catalog.load(args.config)
    b = scenario.benchmarks
    data = {"scenario": scenario.name, "sellers": [s.name for s in scenario.sellers], **b.as_dict()}
    if args.json:
        print(jsonout.dumps(data))
        return 0
    print(f"{scenario.name}: static benchmarks per tick")
    print(f"{'seller':<16}{'Nash p':>10}{'Nash pi':>10}{'monop. p':>10}{'monop. pi':>10}")
    for i, name in enumerate(data["sellers"]):
        print(f"{name:<16}{b.nash_price[i]:>10.5f}{b.nash_profit[i]:>10.5f}"
              f"{b.monopoly_price[i]:>10.5f}{b.monopoly_profit[i]:>10.5f}")
    print(f"industry profit: Nash {b.nash_industry_profit:.5f}, monopoly {b.monopoly_industry_profit:.5f}")
    return 0

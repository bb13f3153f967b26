"""Run a market under several arms on the same seeds and report each arm's paired differences from the first.

``--arms FILE`` gives the arms (``experiments.arms``: ``[[arms]]`` with a ``name``, ``set`` and
``interventions``; a shipped name such as ``assad2024`` reads ``experiments/configs/arms/``). The
shorthand ``--intervention`` (a name from ``market.interventions.CATALOG``, several names separated by
commas, or a TOML file of ``[[interventions]]``) and/or ``--set PATH=VALUE`` (values are TOML, ``none``
unsets an optional field) compares two arms: ``without`` and ``with`` the change. Learners are trained
first where the scenario has a ``[training]`` table, and the settled market is measured where it has a
``[measure]`` table (``market.settling``). ``--workers N`` runs the runs in N spawned processes, with the
same numbers. ``--respond SELLER[,SELLER]`` (or a ``[respond]`` table) also measures every arm after those
sellers re-tune their repricers (the search's simulations on the same ``--workers``), and reports both effects
side by side (``experiments.respond``).
"""

from pathlib import Path

from experiments import flags, jsonout
from experiments.errors import UsageError

NAME = "compare"
HELP = "paired comparison of arms (with and without an intervention, or an arms file) on the same seeds"


def add_arguments(parser) -> None:
    parser.add_argument("config", help="scenario TOML file or shipped name")
    parser.add_argument("--arms", default=None, metavar="ARMS.toml", help="arms file or shipped name: [[arms]] "
                        "tables with name, set = { PATH = VALUE } and interventions = [...]; the first is the baseline")
    parser.add_argument("--intervention", default=None, help="catalog name(s), comma-separated, or a TOML file")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="treated arm: set a scenario field (TOML value; 'none' unsets); repeatable")
    parser.add_argument("--vary", action="append", default=[], metavar="PATH=LOW:HIGH",
                        help="draw a scenario field uniformly on [LOW, HIGH] per seed, the same draw in every arm "
                             "(integers if both ends are); repeatable")
    parser.add_argument("--seeds", type=flags.count, default=20, help="number of paired seeds (default 20)")
    parser.add_argument("--horizon", type=flags.count, default=None, help="override the horizon, in ticks")
    parser.add_argument("--workers", type=flags.count, default=1,
                        help="run the seeds' runs in this many spawned processes (default 1); the numbers are the "
                             "same for any number")
    parser.add_argument("--out", default=None, help="report folder (default results/compare_<scenario>_<arms>)")
    parser.add_argument("--json", action="store_true", help="print the arms and differences as one JSON object")
    parser.add_argument("--respond", default=None, metavar="SELLER[,SELLER]|FILE.toml",
                        help="before each arm is measured, these sellers re-tune their repricers (iterated best "
                             "response: the equilibrium in delegated strategies); the report gives the effect with "
                             "settings fixed and with firms responding, side by side. A TOML file's [respond] table "
                             "sets ranges, menus and tolerances (experiments.respond.plan)")


def main(args) -> int:
    from experiments import arms as armsfile
    from experiments import compare_report, uncertainty
    from experiments.atomic import safe_name, staged_folder
    from experiments.compare import decomposition, differences, run_arms, seeds, series
    from experiments.respond import command as respond
    from market import budget, catalog, interventions

    base = catalog.load(args.config)
    if args.horizon is not None:
        base = base.with_values({"horizon": args.horizon})
    if args.arms is not None and (args.intervention is not None or args.set):
        raise UsageError("compare: give --arms, or --intervention/--set (the two-arm shorthand), not both")
    varies = [uncertainty.parse(text) for text in args.vary]
    plan = respond.plan(args.respond, args.arms)
    if args.arms is not None:
        description, arms, drawn = armsfile.load(args.arms, base)
        varies = drawn + varies
        label = armsfile.resolve(args.arms).stem
        question = description or f"what do {', '.join(a.name for a in arms[1:])} change in {base.name}"
    elif args.intervention is None and not args.set:
        raise UsageError("compare: give --arms FILE, --intervention, --set PATH=VALUE, or both of the last two")
    else:
        rules = interventions.load(args.intervention) if args.intervention else []
        label = "+".join([r.name or r.kind for r in rules] + [text.split("=", 1)[0] for text in args.set])
        arms = armsfile.shorthand(base, rules, dict(armsfile.parse_assignment(text) for text in args.set), label)
        question = f"what does {label} change in {base.name}"
    arms = armsfile.decompose(arms, base)
    outcomes = 40 + 8 * base.n_sellers  # rows per seed and arm in the long table, each about a kilobyte
    budget.count(args.seeds, 1024 * outcomes * len(arms), "the seeds' results", "--seeds")
    varies = uncertainty.check(varies, [arm.scenario for arm in arms])
    if plan is not None:
        respond.check(plan, arms, varies)
    out = Path(args.out or f"results/compare_{base.name}_{safe_name(label)}")
    from experiments.sweep.progress import progress_display

    progress = progress_display(f"{base.name}: {args.seeds:,} seeds x {len(arms)} arms", args.seeds, unit="seeds")
    with staged_folder(out) as folder, progress:
        runs = run_arms(arms, args.seeds, varies, progress=progress.advance, workers=args.workers)
        table = differences(runs, arms[0].name)
        parts = decomposition(runs, arms[0].name, arms)
        timeseries = series([a for a in arms if not a.part_of], seeds(arms, 1)[0], varies)
        responding = None if plan is None else respond.run(
            folder, base, arms, question, plan, args.seeds, runs, table, args.workers,
            progress=progress.describe)
        report = out / compare_report.write(folder, base, arms, question, runs, table, parts, timeseries, varies,
                                            extra=responding.section if responding else ()).name
    result = compare_report.as_json(base, arms, question, runs, table, varies)
    if responding:
        result["respond"] = responding.json
    if args.json:
        if args.arms is None:
            result["intervention"] = label
            result["outcomes"] = _two_arm_outcomes(result["arms"]["with"]["vs_baseline"])
        print(jsonout.dumps(result))
        return 0
    _print(result, report)
    if responding:
        print("\n".join(responding.lines))
    return 0


def _two_arm_outcomes(stats: dict) -> dict:
    """The shorthand's market outcomes and role profits as ``{outcome: {without, with, difference, ci...}}``."""
    outcomes = {name: _renamed(v) for name, v in stats["market"].items()}
    outcomes.update({f"profit_{role}": _renamed(v["profit"]) for role, v in stats["roles"].items()})
    return outcomes


def _renamed(v: dict) -> dict:
    rest = {k: x for k, x in v.items() if k not in ("baseline", "mean")}
    return {"without": v["baseline"], "with": v["mean"], **rest}


def _print(result: dict, report) -> None:
    baseline = result["baseline"]
    print(f"{result['scenario']}: {result['seeds']} seeds, each arm minus {baseline} (95% CI)")
    for name, arm in result["arms"].items():
        warm_up = arm["warm_up"]
        if warm_up["warmed_runs"]:
            print(f"{name}: measured after a warm-up of {warm_up['warm_up_ticks_mean']:,.0f} ticks on average; prices "
                  f"had settled in {warm_up['settled_share']:.0%} of runs")
    for name, arm in result["arms"].items():
        if name == baseline:
            continue
        training = arm["training"]
        trained = "" if not training["trained_runs"] else f"  (converged {training['converged_share']:.0%})"
        print(f"{name}{trained}")
        for metric, v in arm["vs_baseline"]["market"].items():
            if v["baseline"] or v["mean"]:
                print(f"  {metric:<24}{v['baseline']:>12.4f}{v['mean']:>12.4f}{v['difference']:>+12.4f}"
                      f"  [{v['ci_low']:+.4f}, {v['ci_high']:+.4f}]")
    print(f"report: {report}")

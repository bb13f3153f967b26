"""Run a market with and without a change on the same seeds and report the differences.

The change is an intervention (``--intervention``: a name from ``market.interventions.CATALOG``,
several names separated by commas, or a TOML file of ``[[interventions]]``) and/or scenario
fields set by dotted path (``--set sellers.b.strategy='"best_response"'``; values are TOML,
``none`` unsets an optional field).
"""

import json
import tomllib

from experiments.errors import UsageError

NAME = "compare"
HELP = "paired comparison with and without an intervention"


def add_arguments(parser) -> None:
    parser.add_argument("config", help="scenario TOML file or shipped name")
    parser.add_argument("--intervention", default=None, help="catalog name(s), comma-separated, or a TOML file")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="treated arm: set a scenario field (TOML value; 'none' unsets); repeatable")
    parser.add_argument("--seeds", type=int, default=20, help="number of paired seeds (default 20)")
    parser.add_argument("--horizon", type=int, default=None, help="override the horizon, in ticks")
    parser.add_argument("--out", default=None, help="report folder (default results/compare_<scenario>_<rule>)")
    parser.add_argument("--json", action="store_true", help="print the differences as one JSON object")


def main(args) -> int:
    from rich.progress import Progress

    from experiments.atomic import prepare_output_dir
    from experiments.compare import paired_differences, run_pairs, write_report
    from market import catalog, interventions

    if args.seeds < 1:
        raise UsageError(f"--seeds {args.seeds}: must be >= 1")
    base = catalog.load(args.config)
    if args.horizon is not None:
        base = base.with_values({"horizon": args.horizon})
    if args.intervention is None and not args.set:
        raise UsageError("compare: give --intervention, --set PATH=VALUE, or both")
    rules = interventions.load(args.intervention) if args.intervention else []
    treated = base.with_values(dict(parse_assignment(text) for text in args.set)).with_interventions(rules)
    label = "+".join([r.name or r.kind for r in rules] + [text.split("=", 1)[0] for text in args.set])
    out = prepare_output_dir(args.out or f"results/compare_{base.name}_{label}")
    with Progress(transient=True, disable=args.json) as bar:
        task = bar.add_task(f"{base.name}: {args.seeds} seeds x 2 arms", total=args.seeds)
        runs = run_pairs(base, treated, args.seeds, progress=lambda: bar.advance(task))
    table = paired_differences(runs)
    report = write_report(out, base, label, runs, table)
    if args.json:
        print(json.dumps({"scenario": base.name, "intervention": label, "seeds": args.seeds,
                          "outcomes": {r.pop("outcome"): r for r in table.iter_rows(named=True)}}))
        return 0
    print(f"{base.name}: with {label} minus without, {args.seeds} seeds (95% CI)")
    for r in table.iter_rows(named=True):
        print(f"  {r['outcome']:<24}{r['without']:>12.4f}{r['with']:>12.4f}{r['difference']:>+12.4f}"
              f"  [{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]")
    print(f"report: {report}")
    return 0


def parse_assignment(text: str) -> tuple[str, object]:
    """``PATH=VALUE`` with VALUE read as TOML (bare words as strings; ``none`` as None)."""
    path, sep, value = text.partition("=")
    if not sep or not path:
        raise UsageError(f"--set {text!r}: expected PATH=VALUE, e.g. sellers.b.period=6")
    if value.strip().lower() == "none":
        return path, None
    try:
        return path, tomllib.loads(f"value = {value}")["value"]
    except tomllib.TOMLDecodeError:
        return path, value

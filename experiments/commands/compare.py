"""Run a market with and without an intervention on the same seeds and report the differences.

The intervention is a name from the catalog (``market.interventions.CATALOG``), several names
separated by commas, or a TOML file of ``[[interventions]]``.
"""

import json

from rich.progress import Progress

from experiments import configs
from experiments.atomic import prepare_output_dir
from experiments.compare import paired_differences, run_pairs, write_report
from experiments.errors import UsageError
from market import interventions

NAME = "compare"
HELP = "paired comparison with and without an intervention"


def add_arguments(parser) -> None:
    parser.add_argument("config", help="scenario TOML file or shipped name")
    parser.add_argument("--intervention", required=True, help="catalog name(s), comma-separated, or a TOML file")
    parser.add_argument("--seeds", type=int, default=20, help="number of paired seeds (default 20)")
    parser.add_argument("--horizon", type=int, default=None, help="override the horizon, in ticks")
    parser.add_argument("--out", default=None, help="report folder (default results/compare_<scenario>_<rule>)")
    parser.add_argument("--json", action="store_true", help="print the differences as one JSON object")


def main(args) -> int:
    if args.seeds < 1:
        raise UsageError(f"--seeds {args.seeds}: must be >= 1")
    base = configs.load(args.config)
    if args.horizon is not None:
        base = base.with_values({"horizon": args.horizon})
    rules = interventions.load(args.intervention)
    treated = base.with_interventions(rules)
    label = "+".join(r.name or r.kind for r in rules)
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

"""Which repricer each seller of an observed price panel runs: rule, cadence, lag; and how well that is measured.

    pricelab infer PANEL.csv|PANEL.parquet [--json] [--out DIR] [--tick MINUTES] [--duplicates last|mean]
                   [--tolerance T] [--resamples N] [--demand SCENARIO]
    pricelab infer --calibrate [--panels N] [--seed S] [--workers W] [--out DIR] [--json]

A panel has columns time, seller, price and optionally cost, quantity, buy_box, channel, role, owner
(market.observed.read); rows in any order. For each seller the registered rules (fixed, cost_plus where
costs are known, match_lowest, match_platform, undercut, edgeworth, resetting where it rises at one time of
day, price_leadership, and best_response where --demand names a scenario whose sellers are the panel's,
within the seller's active hours where it keeps to some) are replayed one step ahead on
the observed rivals' prices at every candidate period, phase and lag; the simplest rule that predicts
when its price moves and when it stands best is reported with its fitted parameters, or "none fits".
--out DIR writes infer.json, fits.parquet, follows.parquet and fragment.toml (the [[sellers]] tables
that a calibration merges by name). --calibrate measures the accuracy on held-out panels from the
engine with known rules, observed as a scraper sees them, and writes report.md, accuracy.json,
sellers.parquet. Bad input is one line (exit status 2) before anything is written.
"""

import json
import math
import time
from pathlib import Path

from experiments import flags
from experiments.errors import UsageError

NAME = "infer"
HELP = "infer each seller's repricer (rule, cadence, lag) from an observed price panel; --calibrate measures accuracy"
PANEL_ONLY = ("tick", "duplicates", "tolerance", "resamples", "demand")
CALIBRATE_ONLY = ("panels", "seed", "workers")
DEFAULTS = {"panels": 400, "seed": 2024, "workers": None, "out": "results/infer"}
MAX_ROWS = 2_000_000


def add_arguments(parser) -> None:
    parser.add_argument("panel", nargs="?", default=None, help="a CSV or Parquet price panel")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--out", default=None, help="write the result's files to this folder")
    parser.add_argument("--tick", type=flags.finite, default=None,
                        help="minutes per tick for date-times (default 10); for numeric times, time units per tick "
                             "(default 1)")
    parser.add_argument("--duplicates", choices=("last", "mean"), default=None,
                        help="two rows for one (time, seller): keep the last, or average them (default: refuse)")
    parser.add_argument("--tolerance", type=flags.finite, default=None,
                        help="a prediction hits within this share of the price (default 0.0005)")
    parser.add_argument("--resamples", type=int, default=None, help="day-resamples for the support (default 200)")
    parser.add_argument("--demand", default=None, metavar="SCENARIO",
                        help="a scenario (file or shipped name) whose sellers are the panel's: best responses to its "
                             "demand become candidates")
    parser.add_argument("--calibrate", action="store_true", help="measure accuracy on held-out engine panels")
    parser.add_argument("--panels", type=flags.count, default=None, help="held-out panels (default 400)")
    parser.add_argument("--seed", type=flags.seed, default=None, help="master seed of the panels (default 2024)")
    parser.add_argument("--workers", type=flags.count, default=None, help="worker processes (default: the CPU count)")


def _check_mode(args) -> None:
    if args.calibrate == (args.panel is not None):
        raise UsageError("infer: give a PANEL file, or --calibrate (not both)")
    mode, others = ("--calibrate", PANEL_ONLY) if args.calibrate else ("PANEL", CALIBRATE_ONLY)
    for name in others:
        if getattr(args, name) is not None:
            raise UsageError(f"--{name}: not with {mode}")


def main(args) -> int:
    _check_mode(args)
    return calibrate(args) if args.calibrate else infer_panel(args)


def _check_panel_flags(args) -> None:
    if args.tick is not None and not (math.isfinite(args.tick) and args.tick > 0):
        raise UsageError(f"--tick {args.tick:g}: must be a number > 0")
    if args.tolerance is not None and not 0 < args.tolerance < 1:
        raise UsageError(f"--tolerance {args.tolerance:g}: must be in (0, 1)")
    if args.resamples is not None and not 0 <= args.resamples <= 10_000:
        raise UsageError(f"--resamples {args.resamples}: must be in [0, 10000]")


def infer_panel(args) -> int:
    _check_panel_flags(args)
    from experiments.atomic import staged_folder, write_parquet, write_text
    from experiments.infer import output
    from market import catalog
    from market.observed import fragment, grid, infer, read, tracking

    demand = catalog.load(args.demand) if args.demand else None
    rows = read.count_rows(args.panel)
    if rows > MAX_ROWS:
        raise UsageError(f"panel {args.panel!r}: {rows:,} rows; pricelab infer reads at most {MAX_ROWS:,} (two weeks "
                         f"of 10-minute prices for about 1,000 sellers): split the panel by time or by product")
    obs = read.read(args.panel, duplicates=args.duplicates)
    cells = grid.cells(obs, args.tick)
    options = {k: getattr(args, k) for k in ("tolerance", "resamples") if getattr(args, k) is not None}
    fits = infer.infer(cells, demand=demand, **options)
    tracked = tracking.tracking(cells)
    result = output.as_json(args.panel, cells, fits, tracked, obs.notes, infer.not_tried(demand))
    if args.out:
        command = f"pricelab infer {args.panel} --out {args.out}"
        with staged_folder(Path(args.out)) as folder:
            write_text(json.dumps(result, indent=1) + "\n", folder / "infer.json")
            write_parquet(output.fits_frame(args.panel, fits, tracked), folder / "fits.parquet")
            write_parquet(output.follows_frame(args.panel, fits), folder / "follows.parquet")
            write_text(fragment.fragment(fits, cells, command), folder / "fragment.toml")
    if args.json:
        print(json.dumps(result))
    else:
        output.print_report(args.panel, cells, fits, tracked, obs.notes)
        if args.out:
            print(f"  files in {args.out}/ (fragment.toml: the [[sellers]] tables to merge into a scenario)")
    return 0


def calibrate(args) -> int:
    values = {name: DEFAULTS[name] if getattr(args, name) is None else getattr(args, name) for name in DEFAULTS}
    from experiments.infer.study import MIN_PANELS

    if values["panels"] < MIN_PANELS:
        raise UsageError(f"--panels {values['panels']}: must be >= {MIN_PANELS}")
    from rich.progress import Progress

    from experiments.atomic import staged_folder
    from experiments.infer import report, study
    from experiments.sweep import executors

    executor = executors.make("processes", values["workers"], None)
    out = Path(values["out"])
    started = time.perf_counter()
    items = study.specs(values["panels"], values["seed"])
    with staged_folder(out) as folder, executor, Progress(transient=True, disable=args.json) as bar:
        task = bar.add_task(f"{len(items)} panels", total=len(items))
        frame = study.run(items, executor, progress=lambda: bar.advance(task))
        elapsed = time.perf_counter() - started
        result = study.evaluate(frame, values["seed"], elapsed)
        command = f"pricelab infer --calibrate --panels {values['panels']} --seed {values['seed']} --out {out}"
        path = out / report.write(folder, frame, result, command).name
    if args.json:
        print(json.dumps({**result, "out": str(out)}))
        return 0
    report.print_summary(result)
    print(f"{len(items)} panels in {elapsed:.0f} s; report: {path}")
    return 0

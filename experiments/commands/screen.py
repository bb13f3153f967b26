"""Collusion screens on a price panel, and their calibration on simulated markets.

    pricelab screen PANEL.csv|PANEL.parquet [--calibration DIR|none] [--step STEP] [--duplicates last|mean] [--json]
    pricelab screen --calibrate [--markets N] [--seed S] [--workers W] [--out DIR] [--json]

A panel has columns time (or a run's tick), seller, price, and optionally cost, nash_price and owner
(market.observed.read: rows in any order, one per (time, seller) unless --duplicates). Prices are
put on a regular grid (last observation carried forward; step: --step, in minutes for date-times,
else in the time column's unit; by default the median gap between observation times). Each screen
says whether it flags the panel at the false-positive threshold of the shipped calibration
(experiments/reports/screens), or of --calibration DIR; "inert" where that threshold leaves nothing to
flag; warnings where the panel lies outside what the calibration's markets covered. --calibration
none gives the scores only. --calibrate simulates
competitive and collusive markets, sets the thresholds and writes calibration.json, report.md,
roc.png and scores.parquet to --out. Bad input is reported in one line (exit status 2) before
anything is written.
"""

import math
import os
import time
from pathlib import Path

from experiments import flags, jsonout
from experiments.errors import UsageError

NAME = "screen"
HELP = "collusion screens on a price panel; --calibrate measures their error rates on simulated markets"
APPLY_ONLY = ("calibration", "step", "duplicates")
CALIBRATE_ONLY = ("markets", "seed", "workers", "out")
DEFAULTS = {"markets": 600, "seed": 2026, "workers": None, "out": "results/screens"}


def add_arguments(parser) -> None:
    parser.add_argument("panel", nargs="?", default=None, help="a CSV or Parquet price panel (or a run's "
                                                                "timeseries.parquet)")
    parser.add_argument("--calibration", default=None, metavar="DIR|none",
                        help="a folder made by --calibrate (default: the shipped calibration); none: scores only")
    parser.add_argument("--duplicates", choices=("last", "mean"), default=None,
                        help="two rows for one (time, seller): keep the last, or average them (default: refuse)")
    parser.add_argument("--step", type=flags.finite, default=None, help="grid step (minutes for date-times, else the "
                                                                 "time column's unit; default: median gap)")
    parser.add_argument("--calibrate", action="store_true", help="simulate markets and calibrate the screens")
    parser.add_argument("--markets", type=flags.count, default=None, help="simulated markets (default 600)")
    parser.add_argument("--seed", type=flags.seed, default=None, help="master seed of the markets (default 2026)")
    parser.add_argument("--workers", type=flags.count, default=None, help="worker processes (default: the CPU count)")
    parser.add_argument("--out", default=None, help="calibration folder (default results/screens)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")


def _check_mode(args) -> None:
    if args.calibrate == (args.panel is not None):
        raise UsageError("screen: give a PANEL file, or --calibrate (not both)")
    mode, others = ("--calibrate", APPLY_ONLY) if args.calibrate else ("PANEL", CALIBRATE_ONLY)
    for name in others:
        if getattr(args, name) is not None:
            raise UsageError(f"--{name}: not with {mode}")


def main(args) -> int:
    _check_mode(args)
    return calibrate(args) if args.calibrate else apply(args)


def apply(args) -> int:
    from market.observed import grid, read
    from market.screens import apply as screening

    if args.step is not None and not (math.isfinite(args.step) and args.step > 0):
        raise UsageError(f"--step {args.step:g}: must be a number > 0")
    calibration = args.calibration or screening.SHIPPED_CALIBRATION
    result = None if args.calibration == "none" else screening.load_calibration(calibration)
    obs = read.read(args.panel, duplicates=args.duplicates)
    panel = grid.panel(obs, step=args.step)
    report = {**screening.screen(panel, result), "notes": list(obs.notes)}
    if args.json:
        print(jsonout.dumps({"panel": args.panel, **report}))
        return 0
    _print_report(args.panel, report)
    return 0


def _print_report(path: str, report: dict) -> None:
    grid = report["grid"]
    print(f"{path}: {len(report['sellers'])} sellers ({', '.join(report['sellers'])}); grid: {grid['points']:,} "
          f"points every {grid['step']:g} {grid['unit']} from {grid['start']} (last observation carried forward)")
    for note in report["notes"]:
        print(f"  note: {note}")
    flags = report.get("calibration", {}).get("flags", {})
    print(f"  {'screen':<22}{'score':>12}  {'flag':<6}{'threshold':>14}{'held-out FPR':>14}{'AUC':>7}")
    for name in [*report["scores"], *(n for n in flags if n not in report["scores"])]:
        entry = flags.get(name, {})
        score = entry.get("score", report["scores"].get(name))
        flag = entry["status"] if flags else "-"
        threshold = "" if not flags else "never" if entry["threshold"] is None else \
            f"{'>' if entry['suspicious'] == 'high' else '<'} {entry['threshold']:.4g}"
        rates = f"{entry['false_positive_rate']:>14.2f}{entry['auc']:>7.2f}" if flags else ""
        print(f"  {name:<22}{score:>12.4g}  {flag:<6}{threshold:>14}{rates}")
    lead, cut = report["details"]["lead_follow"], report["details"]["structural_break"]
    if lead is not None:
        steps = f"{lead['lag_steps']} step{'s' if lead['lag_steps'] > 1 else ''}"
        print(f"  lead-follow: {lead['follower']} follows {lead['leader']} after {steps} "
              f"(correlation {lead['correlation']:.2f})")
    if cut["first_time_after"] is not None:
        print(f"  structural break: the level's mean shifts at {cut['first_time_after']} (share {cut['score']:.2f})")
    if "calibration" in report:
        calibration = report["calibration"]
        print(f"  calibration: {calibration['markets']} simulated markets; {calibration['grid_note']}")
        for warning in calibration["outside_coverage"]:
            print(f"  warning: outside the calibration: {warning}")
        print("  inert: the screen's threshold leaves no score that could be flagged at its false-positive rate")
        print(f"  {calibration['caveat']}")


def calibrate(args) -> int:
    values = {name: DEFAULTS[name] if getattr(args, name) is None else getattr(args, name) for name in DEFAULTS}
    from experiments.screens.study import MIN_MARKETS

    if values["markets"] < MIN_MARKETS:
        raise UsageError(f"--markets {values['markets']}: must be >= {MIN_MARKETS} (four per family, so that "
                         f"every family has calibration and held-out markets)")
    if values["seed"] < 0:
        raise UsageError(f"--seed {values['seed']}: must be >= 0")
    from rich.progress import Progress

    from experiments.atomic import staged_folder
    from experiments.screens import report, study
    from experiments.sweep import executors

    executor = executors.make("processes", values["workers"], None)
    out = Path(values["out"])
    started = time.perf_counter()
    items = study.specs(values["markets"], values["seed"])
    with staged_folder(out) as folder, executor, Progress(transient=True, disable=args.json) as bar:
        task = bar.add_task(f"{len(items)} markets", total=len(items))
        frame = study.simulate(items, executor, progress=lambda: bar.advance(task))
        result = study.evaluate(frame, values["seed"])
        command = f"pricelab screen --calibrate --markets {values['markets']} --seed {values['seed']} --out {out}"
        path = out / report.write(folder, frame, result, command).name
    elapsed = time.perf_counter() - started
    if args.json:
        print(jsonout.dumps({**result, "out": str(out), "elapsed_s": round(elapsed, 1), "cpus": os.cpu_count()}))
        return 0
    _print_calibration(result)
    print(f"{len(items)} markets in {elapsed:.0f} s; report: {path}")
    return 0


def _print_calibration(result: dict) -> None:
    types = [name for name in next(iter(result["screens"].values()))["detection"]]
    print("held-out false-positive rate (FPR) and detection rate per collusion type at each screen's threshold")
    print(f"  {'screen':<22}{'FPR':>6}" + "".join(f"{t[:12]:>13}" for t in types))
    for name, entry in {**result["screens"], **result["combined"]}.items():
        print(f"  {name:<22}{entry['false_positive']['rate']:>6.2f}"
              + "".join(f"{entry['detection'][t]['rate']:>13.2f}" for t in types))

"""Run every run of an experiment spec and store one Parquet file per run in DIR.

The spec, the output folder and the executor are checked before any run starts. A rerun of
the same spec into the same folder resumes: finished runs are skipped and failed runs are
tried again. Exit status 1 if some runs failed (``pricelab status DIR`` lists them).
"""

import sys
import time
from pathlib import Path

from experiments.sweep import executors

NAME = "sweep"
HELP = "run an experiment spec (grid x seeds) and store one Parquet file per run"


def add_arguments(parser) -> None:
    parser.add_argument("spec", help="experiment spec TOML file, or the name of a shipped spec")
    parser.add_argument("--out", required=True, help="results folder (new, or made by this spec to resume)")
    parser.add_argument("--executor", default="serial", help=f"one of {', '.join(executors.EXECUTORS)}")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (tcp://HOST:PORT)")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")


def main(args) -> int:
    from experiments.sweep import spec
    from experiments.sweep.driver import pending, run_all
    from experiments.sweep.runs import expand
    from experiments.sweep.store import check_folder

    experiment = spec.load(args.spec)
    runs = expand(experiment)
    out = Path(args.out)
    check_folder(out, experiment)
    executor = executors.make(args.executor, args.workers, args.scheduler)
    todo = pending(runs, out)
    if not todo:
        print(f"{experiment.name}: all {len(runs)} runs already finished in {out}/")
        return 0
    started = time.perf_counter()
    with executor, _progress() as progress:
        bar = progress.add_task(experiment.name, total=len(todo))
        done, failed = run_all(experiment, runs, todo, out, executor, lambda _: progress.advance(bar))
    print(f"{experiment.name}: {done} runs done, {failed} failed, {len(runs) - len(todo)} skipped "
          f"(already finished) in {time.perf_counter() - started:.1f} s; results in {out}/")
    if failed:
        print(f"pricelab: {failed} runs failed; see `pricelab status {out}`", file=sys.stderr)
    return 1 if failed else 0


def _progress():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), "ETA", TimeRemainingColumn(), console=console,
                    disable=not console.is_terminal)

"""Run every run of an experiment spec and store one Parquet file per run in DIR.

The spec, the output folder and the executor are checked before any run starts. A rerun of
the same spec into the same folder resumes: finished runs are skipped and failed runs are
tried again. Exit status 1 if some runs failed (``pricelab status DIR`` lists them), 3 if the
sweep stopped because no Dask worker was left (rerun the same command to resume).

With ``--executor slurm`` (or ``pbs``, ``sge``) this process runs the Dask scheduler and keeps
``--jobs`` batch jobs of workers running until the sweep ends (``experiments.sweep.batch``).
"""

import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from experiments.sweep import batch, executors, spec
from experiments.sweep.driver import pending, run_all
from experiments.sweep.runs import expand
from experiments.sweep.store import check_folder

NAME = "sweep"
HELP = "run an experiment spec (grid x seeds) and store one Parquet file per run"
PROGRESS_S = 5.0
NO_WORKERS_EXIT = 3


def add_arguments(parser) -> None:
    parser.add_argument("spec", help="experiment spec TOML file, or the name of a shipped spec")
    parser.add_argument("--out", required=True, help="results folder (new, or made by this spec to resume)")
    parser.add_argument("--executor", default="serial",
                        help=f"one of {', '.join((*executors.EXECUTORS, *batch.SYSTEMS))}")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (tcp://HOST:PORT)")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    parser.add_argument("--worker-timeout", type=float, default=None,
                        help=f"Dask: stop (resumable, exit {NO_WORKERS_EXIT}) after this many seconds without any "
                             f"worker (default {executors.WORKER_TIMEOUT_S:g})")
    parser.add_argument("--worker-deaths", type=int, default=None,
                        help=f"Dask: record a run as failed once it has ended this many workers "
                             f"(default {executors.WORKER_DEATHS})")
    batch.add_arguments(parser)


def main(args) -> int:
    experiment = spec.load(args.spec)
    runs = expand(experiment)
    out = Path(args.out)
    check_folder(out, experiment)
    executor = executors.make(args.executor, args.workers, args.scheduler, args.worker_timeout, args.worker_deaths,
                              batch.options(args, out))
    todo = pending(runs, out)
    if not todo:
        print(f"{experiment.name}: all {len(runs)} runs already finished in {out}/")
        return 0
    progress = progress_display(experiment.name, len(todo))  # times from here: executor start included
    with executor, progress:
        try:
            done, failed = run_all(experiment, runs, todo, out, executor, progress.advance)
        except executors.NoWorkers as err:
            print(f"pricelab: {err}; stopped with {len(todo) - progress.count} runs left; rerun the same command "
                  f"to resume", file=sys.stderr)
            return NO_WORKERS_EXIT
    print(f"{experiment.name}: {done} runs done, {failed} failed, {len(runs) - len(todo)} skipped "
          f"(already finished) in {progress.elapsed():.1f} s (first result after {progress.first_s:.1f} s); "
          f"results in {out}/")
    if failed:
        print(f"pricelab: {failed} runs failed; see `pricelab status {out}`", file=sys.stderr)
    return 1 if failed else 0


class Progress:
    """Counts the outcomes of a sweep and when the first arrived; shown by ``Bar`` or ``Lines``."""

    def __init__(self, name: str, total: int):
        self.name, self.total = name, total
        self.count = 0
        self.first_s: float | None = None
        self._started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def advance(self, _outcome=None) -> None:
        self.count += 1
        if self.first_s is None:
            self.first_s = self.elapsed()


class Bar(Progress):
    """A progress bar on a terminal (rich)."""

    def __init__(self, name: str, total: int, console: Console):
        super().__init__(name, total)
        self._bar = RichProgress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), "ETA", TimeRemainingColumn(), console=console)
        self._task = self._bar.add_task(name, total=total)

    def __enter__(self) -> "Bar":
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def advance(self, _outcome=None) -> None:
        super().advance()
        self._bar.advance(self._task)


class Lines(Progress):
    """Progress for logs and batch jobs (stderr is not a terminal): a line on stderr every ``every_s`` seconds."""

    def __init__(self, name: str, total: int, every_s: float = PROGRESS_S):
        super().__init__(name, total)
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._report, name="progress", daemon=True)

    def __enter__(self) -> "Lines":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _report(self) -> None:
        while not self._stop.wait(self.every_s):
            print(f"pricelab: {self.name}: {self.count}/{self.total} runs in {self.elapsed():.0f} s",
                  file=sys.stderr, flush=True)


def progress_display(name: str, total: int) -> Progress:
    """A bar where stderr is a terminal, else a line every few seconds."""
    console = Console(stderr=True)
    return Bar(name, total, console) if console.is_terminal else Lines(name, total)

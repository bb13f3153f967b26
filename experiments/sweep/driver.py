"""Run the unfinished runs of a sweep on an executor and store each outcome as it arrives."""

import functools
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl

from experiments.errors import UsageError
from experiments.sweep.executors import Lost, NoWorkers
from experiments.sweep.runs import Outcome, Run, simulate
from experiments.sweep.spec import Spec
from experiments.sweep.store import RUNS, TIMESERIES, Store, finished
from market import engine
from market.scenario import Scenario


def pending(runs: list[Run], out: Path) -> list[Run]:
    """The runs without a finished file in ``out`` (all of them in a new folder). A run file that cannot be read
    (damaged on disk, or truncated by a copy) is deleted, with its time series, and the run done again."""
    done = finished(out)
    for run_id in sorted(done):
        path = Path(out) / RUNS / f"{run_id}.parquet"
        try:
            pl.read_parquet_schema(path)
        except Exception as err:  # noqa: BLE001 - whatever the damage, the run is done again
            print(f"pricelab: {path}: damaged ({type(err).__name__}); deleted, its run is done again",
                  file=sys.stderr)
            path.unlink(missing_ok=True)
            (Path(out) / TIMESERIES / f"{run_id}.parquet").unlink(missing_ok=True)
            done.discard(run_id)
    return [run for run in runs if run.run_id not in done]


def run_all(experiment: Spec, runs: list[Run], todo: list[Run], out: Path, executor,
            on_outcome: Callable[[Outcome], None] | None = None) -> tuple[int, int]:
    """Run ``todo`` (a subset of ``runs``) on a started ``executor``, storing each outcome; return (done, failed).

    The engine is compiled here first, once per kind of market in ``todo``, so that workers sharing this
    machine's (or a shared) numba cache load it instead of each compiling it. A run that ended its
    workers (``Lost``) is stored as a failure. If the sweep stops (no worker left, a worker that fails
    the pre-flight, Ctrl-C), the session is closed with the reason and the error raised again: the
    folder stays resumable.
    """
    engine.prepare(Scenario.from_dict(run.scenario) for run in todo)
    task = functools.partial(simulate, metrics=experiment.metrics, timeseries_stride=experiment.timeseries_stride,
                             respond=experiment.respond)
    store = Store(out, experiment, runs)
    store.open(executor.name, getattr(executor, "workers", None))
    done = failed = 0
    try:
        for result in executor.imap(task, todo):
            outcome = Outcome(result.item.run_id, error=result.reason) if isinstance(result, Lost) else result
            store.save(outcome)
            failed += outcome.error is not None
            done += outcome.error is None
            if on_outcome is not None:
                on_outcome(outcome)
    except (NoWorkers, UsageError, KeyboardInterrupt) as err:
        store.close(done, failed, status=f"stopped: {str(err) or 'interrupted'}")
        raise
    store.close(done, failed)
    return done, failed

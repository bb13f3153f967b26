"""Run the unfinished runs of a sweep on an executor and store each outcome as it arrives."""

import functools
from collections.abc import Callable
from pathlib import Path

from experiments.sweep.runs import Outcome, Run, simulate
from experiments.sweep.spec import Spec
from experiments.sweep.store import Store, finished
from market import engine
from market.scenario import Scenario


def pending(runs: list[Run], out: Path) -> list[Run]:
    """The runs without a finished file in ``out`` (all of them in a new folder)."""
    done = finished(out)
    return [run for run in runs if run.run_id not in done]


def run_all(experiment: Spec, runs: list[Run], todo: list[Run], out: Path, executor,
            on_outcome: Callable[[Outcome], None] | None = None) -> tuple[int, int]:
    """Run ``todo`` (a subset of ``runs``) on a started ``executor``, storing each outcome; return (done, failed).

    The engine is compiled here first, once per kind of market in ``todo``, so that workers sharing this
    machine's (or a shared) numba cache load it instead of each compiling it.
    """
    engine.prepare(Scenario.from_dict(run.scenario) for run in todo)
    task = functools.partial(simulate, metrics=experiment.metrics, timeseries_stride=experiment.timeseries_stride)
    store = Store(out, experiment, runs)
    store.open(executor.name, getattr(executor, "workers", None))
    failed = 0
    for outcome in executor.imap(task, todo):
        store.save(outcome)
        failed += outcome.error is not None
        if on_outcome is not None:
            on_outcome(outcome)
    store.close(done=len(todo) - failed, failed=failed)
    return len(todo) - failed, failed

"""Sweep speed: orchestration overhead per run on 1,000 short runs, and the speed-up of 2 workers.

* ``sweep.short_runs.<executor>``: 1,000 runs of 10 ticks through the whole pipeline (expansion,
  executor start-up, simulation, one atomic Parquet file per run). Overhead per run is the wall
  time per run minus the engine's own time for such a run.
* ``sweep.speedup``: 16 CPU-bound runs of 300,000 ticks on 2 local processes or 2 Dask
  workers against serial, with the workers already started (start-up is reported apart);
  the median over three rounds of the ratio of a serial pass to the parallel pass right after it.
"""

import functools
import statistics
import tempfile
import time
from pathlib import Path

from experiments.bench import best_of, measurement
from experiments.configs import resolve
from experiments.sweep import executors
from experiments.sweep.driver import run_all
from experiments.sweep.runs import expand, simulate
from experiments.sweep.spec import from_dict
from market import engine

SHORT_RUNS = 1000
CPU_RUNS = 16
ROUNDS = 3


def _spec(horizon: int, seeds: int):
    data = {"name": f"bench_{horizon}", "base": str(resolve("amazon_10min").resolve()), "seeds": seeds,
            "set": {"horizon": horizon}, "grid": {"sellers.platform.period": [1, 6]}}
    return from_dict(data, Path("."))


def sweep_short_runs():
    experiment = _spec(10, SHORT_RUNS // 2)
    runs = expand(experiment)
    scenario = experiment.base
    engine.run(scenario)  # compile / load from cache
    engine_s = best_of(lambda: engine.run(scenario), 20)
    for name in executors.EXECUTORS:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            with executors.make(name, 2, None) as executor:
                run_all(experiment, runs, runs, Path(folder), executor)
            wall = time.perf_counter() - started
        yield measurement(f"sweep.short_runs.{name}.tasks_per_second", len(runs) / wall, "runs/s")
        yield measurement(f"sweep.short_runs.{name}.overhead_per_run", (wall / len(runs) - engine_s) * 1e3, "ms")


def sweep_speedup():
    experiment = _spec(300_000, CPU_RUNS // 2)
    runs = expand(experiment)
    task = functools.partial(simulate, metrics=experiment.metrics, timeseries_stride=None)
    task(runs[0])  # compile / load from cache in this process
    serial_runs = []
    for name in ("processes", "dask"):
        started = time.perf_counter()
        with executors.make(name, 2, None) as executor:
            list(executor.imap(task, runs[:2]))  # start both workers and load the engine there
            startup = time.perf_counter() - started
            ratios = []
            for _ in range(ROUNDS):  # serial and parallel back to back: the machine's speed drifts over seconds
                serial = best_of(lambda: list(map(task, runs)), 1)
                parallel = best_of(lambda ex=executor: list(ex.imap(task, runs)), 1)
                serial_runs.append(serial)
                ratios.append(serial / parallel)
        yield measurement(f"sweep.speedup.{name}.startup_seconds", startup, "s")
        yield measurement(f"sweep.speedup.{name}.two_workers_over_serial", statistics.median(ratios), "x")
    yield measurement("sweep.speedup.serial_seconds", min(serial_runs), "s")


BENCHMARKS = [sweep_short_runs, sweep_speedup]

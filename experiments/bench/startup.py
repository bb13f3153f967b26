"""Start-up: ``pricelab --help``, and ``pricelab run amazon_10min`` to its printed summary, on numba's cache as
it is (warm) and on an empty one (cold: every kernel the scenario needs is compiled).

Each figure is the wall time of a fresh process (best of a few; one cold run), with the CPU time of the
cold run beside it: on a shared machine the CPU time says what the compile costs, the wall time what a
user waits.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from experiments.bench import measurement

ROOT = Path(__file__).resolve().parents[2]
PRICELAB = [sys.executable, "-m", "experiments.cli"]


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of ``command`` run to its end in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def command_line():
    yield measurement("startup.help_seconds", min(timed(PRICELAB + ["--help"])[0] for _ in range(5)), "s")
    with tempfile.TemporaryDirectory() as folder:
        run = PRICELAB + ["run", "amazon_10min", "--out", folder]
        timed(run)  # fills the cache if it is empty
        yield measurement("startup.run_warm_seconds", min(timed(run)[0] for _ in range(3)), "s")
        with tempfile.TemporaryDirectory() as cache:
            wall, cpu = timed(run, {**os.environ, "NUMBA_CACHE_DIR": cache})
    yield measurement("startup.run_cold_seconds", wall, "s")
    yield measurement("startup.run_cold_cpu_seconds", cpu, "s")


BENCHMARKS = [command_line]

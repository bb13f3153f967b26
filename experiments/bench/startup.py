"""Start-up: ``pricelab --help``, and ``pricelab run amazon_10min`` to its printed summary, on numba's cache as
it is (warm) and on an empty one (cold: every kernel the scenario needs is compiled).

Each figure is the wall time of a fresh process (best of a few; one cold run), with the CPU time of the
cold run beside it: on a shared machine the CPU time says what the compile costs, the wall time what a
user waits.

Two ratios say how much start-up weighs on small jobs (issue 27's goals: at most 2 and 1.5):
``startup.run_warm_over_import_numba``, a warm run against ``python -c "import numba"`` measured in the same
call (wall, best of 5 each; and the same in CPU time, which a loaded machine inflates less), and
``startup.replicate_cpu_over_learning_cpu``, the CPU of ``pricelab replicate calvano2020 --sessions 20
--workers 1`` (imports, sessions, report) against the CPU of its 20 sessions' learning alone, in this process.
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


def best(command: list[str], repeats: int = 5) -> tuple[float, float]:
    """Least wall and least CPU seconds of ``repeats`` fresh runs of ``command``."""
    times = [timed(command) for _ in range(repeats)]
    return min(t[0] for t in times), min(t[1] for t in times)


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


def run_against_import_numba():
    """A warm ``pricelab run amazon_10min`` against ``python -c "import numba"`` (module docstring)."""
    with tempfile.TemporaryDirectory() as folder:
        run = PRICELAB + ["run", "amazon_10min", "--out", folder]
        timed(run)  # fills the cache if it is empty
        numba_wall, numba_cpu = best([sys.executable, "-c", "import numba"])
        run_wall, run_cpu = best(run)
    yield measurement("startup.import_numba_seconds", numba_wall, "s")
    yield measurement("startup.run_warm_over_import_numba", run_wall / numba_wall, "ratio (goal <= 2)")
    yield measurement("startup.run_warm_over_import_numba_cpu", run_cpu / numba_cpu, "ratio of CPU times")


def replicate_against_its_learning():
    """``replicate calvano2020 --sessions 20 --workers 1`` in CPU time against its sessions' learning alone."""
    from market.learning.qlearning import QLearningSetup
    from market.learning.sessions import session_seeds
    from market.learning.summary import calvano_summary

    setup = QLearningSetup.calvano()
    calvano_summary(setup, 0)  # compile or load from cache
    started = time.process_time()
    for seed in session_seeds(2020, 20):
        calvano_summary(setup, seed)
    learning = time.process_time() - started
    with tempfile.TemporaryDirectory() as folder:
        command = PRICELAB + ["replicate", "calvano2020", "--sessions", "20", "--workers", "1", "--out", folder]
        timed(command)  # the report's kernels and fonts cached
        total = min(timed(command)[1] for _ in range(2))
    yield measurement("startup.replicate_learning_cpu_seconds", learning, "s")
    yield measurement("startup.replicate_cpu_seconds", total, "s")
    yield measurement("startup.replicate_cpu_over_learning_cpu", total / learning, "ratio (goal <= 1.5)")


BENCHMARKS = [command_line, run_against_import_numba, replicate_against_its_learning]

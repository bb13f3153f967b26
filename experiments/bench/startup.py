"""Start-up: ``pricelab --help``, and ``pricelab run amazon_10min`` to its printed summary, on numba's cache as
it is (warm) and on an empty one (cold: every kernel the scenario needs is compiled).

Each figure is the wall time of a fresh process (best of a few; one cold run), with the CPU time of the
cold run beside it: on a shared machine the CPU time says what the compile costs, the wall time what a
user waits.

Two ratios say how much start-up weighs on small jobs (issue 27's goals: at most 2 and 1.5):
``startup.run_warm_over_import_numba``, a warm run against ``python -c "import numba"`` measured in the same
call (wall, best of 5 each, the two commands taking turns so that a machine's load falls on both alike; and the
same in CPU time, which a loaded machine inflates less), and ``startup.replicate_cpu_over_learning_cpu``, the CPU
of ``pricelab replicate calvano2020 --sessions 20 --workers 1`` (imports, sessions, report) against the CPU of
its 20 sessions' learning alone, in this process.

Beside them, ``startup.first_kernel_over_import_numba`` is the floor of any program that runs a numba kernel:
``import numba`` and one call of a trivial kernel loaded from numba's cache, against ``import numba``. The first
kernel a process loads initialises numba's compiler target, which imports most of numba and, where scipy is
installed, ``scipy.linalg`` (numba checks for BLAS): about as much CPU again as ``import numba`` itself.
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


def best_in_turn(commands: list[list[str]], repeats: int = 5) -> list[tuple[float, float]]:
    """Least wall and least CPU seconds of ``repeats`` fresh runs of each of ``commands``, run in turn (the first,
    the second, ..., then again), so that a change in the machine's load falls on each alike."""
    times = [[] for _ in commands]
    for _ in range(repeats):
        for command, seen in zip(commands, times, strict=True):
            seen.append(timed(command))
    return [(min(t[0] for t in seen), min(t[1] for t in seen)) for seen in times]


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


KERNEL = "from numba import njit\n\n\n@njit(cache=True)\ndef one():\n    return 1\n"


def run_against_import_numba():
    """A warm ``pricelab run amazon_10min``, and a trivial cached kernel's first call, against
    ``python -c "import numba"`` (module docstring)."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as kernel:
        (Path(kernel) / "kernel.py").write_text(KERNEL)
        first_kernel = [sys.executable, "-c",
                        f"import sys; sys.path.insert(0, {kernel!r}); import kernel; kernel.one()"]
        run = PRICELAB + ["run", "amazon_10min", "--out", folder]
        timed(run)  # fills the caches if they are empty
        timed(first_kernel)
        (numba_wall, numba_cpu), (kernel_wall, kernel_cpu), (run_wall, run_cpu) = best_in_turn(
            [[sys.executable, "-c", "import numba"], first_kernel, run])
    yield measurement("startup.import_numba_seconds", numba_wall, "s")
    yield measurement("startup.import_numba_cpu_seconds", numba_cpu, "s")
    yield measurement("startup.first_kernel_over_import_numba", kernel_wall / numba_wall, "ratio (numba's own floor)")
    yield measurement("startup.first_kernel_over_import_numba_cpu", kernel_cpu / numba_cpu, "ratio of CPU times")
    yield measurement("startup.run_warm_seconds_in_turn", run_wall, "s")
    yield measurement("startup.run_warm_cpu_seconds", run_cpu, "s")
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

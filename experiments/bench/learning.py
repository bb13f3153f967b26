"""Learning speed: Q-learning periods per second on one core (Calvano's baseline: 2 sellers, 15 prices),
against the hand-tuned loop of ``../shared/yardstick/`` measured in the same run, and baseline sessions
per second with every core.

The one-core figure divides periods by the process's CPU time (mean of two rounds), so other
programs sharing the machine slow it less than they slow the wall-clock figure (best of the
same two rounds), which is printed too.
"""

import importlib.util
import os
import sys
import time
from pathlib import Path

from experiments.bench import best_of, measurement
from market.learning.qlearning import QLearningSetup, run_session
from market.learning.sessions import run_sessions, session_seeds
from market.learning.summary import calvano_summary

_SEEDS = range(1, 6)
YARDSTICK = Path(__file__).resolve().parents[3] / "shared" / "yardstick" / "kernel.py"
YARDSTICK_PERIODS = 3_000_000


def qlearning_periods_per_second():
    setup = QLearningSetup.calvano()
    run_session(setup, 0)  # compile or load from cache
    periods = sum(run_session(setup, seed).periods for seed in _SEEDS)
    started = time.process_time()
    wall = best_of(lambda: [run_session(setup, seed) for seed in _SEEDS], 2)
    cpu = (time.process_time() - started) / 2
    yield measurement("learning.qlearning_periods_per_second.one_core", periods / cpu, "periods/cpu-s")
    yield measurement("learning.qlearning_periods_per_second.one_core_wall", periods / wall, "periods/s")


def qlearning_sessions_per_second():
    workers = os.cpu_count() or 1
    sessions = 40 * workers
    setup = QLearningSetup.calvano()
    seconds = best_of(lambda: run_sessions(calvano_summary, setup, session_seeds(1, sessions), workers, False), 1)
    yield measurement(f"learning.qlearning_sessions_per_second.workers{workers}", sessions / seconds, "sessions/s")


def replication_over_yardstick():
    """Periods per CPU-second of the replication kernel and of the yardstick's loop (v2), each the best of three
    fixed-length sessions (no convergence stop), interleaved; and their ratio. Nothing when there is no yardstick."""
    if not YARDSTICK.is_file():
        return
    spec = importlib.util.spec_from_file_location("kernel", YARDSTICK)  # its own name: numba's cache records it
    yardstick = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("kernel", yardstick)
    spec.loader.exec_module(yardstick)
    _, profit, _, _ = yardstick.setup()
    setup = QLearningSetup.calvano(stable_periods=10**12, max_periods=YARDSTICK_PERIODS)
    ours, theirs = float("inf"), float("inf")
    yardstick.run_v2(profit, setup.alpha, setup.beta, setup.delta, 1_000, 10**12, 1)  # compile or load
    run_session(setup, 0)
    for seed in (7, 8, 9):
        started = time.process_time()
        yardstick.run_v2(profit, setup.alpha, setup.beta, setup.delta, YARDSTICK_PERIODS, 10**12, seed)
        theirs = min(theirs, time.process_time() - started)
        started = time.process_time()
        run_session(setup, seed)
        ours = min(ours, time.process_time() - started)
    yield measurement("learning.replication_periods_per_cpu_second", YARDSTICK_PERIODS / ours, "periods/cpu-s")
    yield measurement("learning.yardstick_periods_per_cpu_second", YARDSTICK_PERIODS / theirs, "periods/cpu-s")
    yield measurement("learning.replication_over_yardstick", theirs / ours, "x")


BENCHMARKS = [qlearning_periods_per_second, qlearning_sessions_per_second, replication_over_yardstick]

"""Learning speed: Q-learning periods per second on one core (Calvano's baseline: 2 sellers, 15 prices)
and baseline sessions per second with every core.

The one-core figure divides periods by the process's CPU time (mean of two rounds), so other
programs sharing the machine slow it less than they slow the wall-clock figure (best of the
same two rounds), which is printed too.
"""

import os
import time

from experiments.bench import best_of, measurement
from market.learning.qlearning import QLearningSetup, run_session
from market.learning.sessions import run_sessions, session_seeds
from market.learning.summary import calvano_summary

_SEEDS = range(1, 6)


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


BENCHMARKS = [qlearning_periods_per_second, qlearning_sessions_per_second]

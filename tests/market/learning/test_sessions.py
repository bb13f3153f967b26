"""Many sessions: seeds from the master seed, results independent of the worker count; the baseline's range."""

import numpy as np

from market.learning.klein import KleinSetup, klein_summary
from market.learning.qlearning import QLearningSetup
from market.learning.sessions import run_sessions, session_seeds
from market.learning.summary import calvano_summary


def test_session_seeds_are_deterministic_distinct_and_prefix_stable():
    seeds = session_seeds(2020, 50)
    assert seeds == session_seeds(2020, 50) and len(set(seeds)) == 50
    assert session_seeds(2020, 10) == seeds[:10] and seeds != session_seeds(2021, 50)
    assert all(0 <= s < 2**63 for s in seeds)


def test_same_results_with_one_or_two_workers():
    seeds = session_seeds(1, 6)
    klein = KleinSetup(periods=20_000)
    one = run_sessions(klein_summary, klein, seeds, workers=1, progress=False)
    two = run_sessions(klein_summary, klein, seeds, workers=2, progress=False)
    assert [r.seed for r in two] == seeds
    for a, b in zip(one, two, strict=True):
        assert a.profitability == b.profitability and np.array_equal(a.greedy, b.greedy)
    calvano = QLearningSetup.calvano(beta=2e-4, stable_periods=2_000)
    one = run_sessions(calvano_summary, calvano, seeds, workers=1, progress=False)
    two = run_sessions(calvano_summary, calvano, seeds, workers=2, progress=False)
    for a, b in zip(one, two, strict=True):
        assert (a.periods, a.delta) == (b.periods, b.delta) and np.array_equal(a.impulse_price, b.impulse_price)


def test_calvano_baseline_collusion_in_a_short_statistical_check():
    """30 sessions at the paper's baseline parameters (about 2M periods each): Delta well inside (0.5, 1)."""
    setup = QLearningSetup.calvano()
    results = run_sessions(calvano_summary, setup, session_seeds(7, 30), workers=2, progress=False)
    delta = np.array([r.delta for r in results])
    assert all(r.converged for r in results)
    assert 0.7 < delta.mean() < 0.95 and delta.min() > 0.3
    assert np.mean([r.deviation_gain < 0 for r in results]) > 0.8
    prices = np.array([r.price for r in results])
    assert np.all(prices > setup.benchmarks.nash_price[0])

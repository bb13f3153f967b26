"""Klein's sequential Q-learning: his market, the alternating update, and alternating limit cycles."""

import numpy as np
import pytest

from market.learning.klein import (
    KleinSetup,
    _learn_sequential,
    klein_profit,
    klein_summary,
    run_klein,
    sequential_successor,
)
from market.learning.outcomes import limit_cycle


def test_klein_market_cheaper_seller_serves_ties_split():
    profit = klein_profit(2)  # prices 0, 1/2, 1
    assert profit[1, 2] == 0.25 and profit[1, 1] == 0.125 and profit[2, 1] == 0.0 and profit[0, 1] == 0.0
    assert KleinSetup(k=6).nash_profit == pytest.approx(0.5 * (1 / 6) * (5 / 6))


def _learn(periods, alpha=1.0, delta=0.5, theta=0.0, seed=3, k=6):
    m = k + 1
    q, greedy, best = np.zeros((2, m, m)), np.zeros((2, m), dtype=np.int64), np.zeros((2, m))
    price = np.empty(2, dtype=np.int64)
    _learn_sequential(klein_profit(k), q, greedy, best, price, alpha, delta, theta, seed, periods)
    return q, price


def test_sellers_alternate_and_learn_two_periods_after_moving():
    assert not _learn(2)[0].any()  # nobody has seen the rival's answer yet
    q, price = _learn(3, seed=3)  # a seed whose first move earns something
    assert not q[1].any()  # seller 1 moved at t = 1 and learns at t = 3
    profit = klein_profit(6)
    (s, a), = np.argwhere(q[0] != 0.0)
    # alpha = 1: Q0(s, a) = pi(a, s) + delta pi(a, p1) + delta^2 * 0, p1 = seller 1's standing price
    assert q[0, s, a] == pytest.approx(profit[a, s] + 0.5 * profit[a, price[1]])
    assert np.array_equal(_learn(4, seed=3)[0][0], q[0])  # at t = 3 only seller 1 learns


def test_greedy_edgeworth_cycle_alternates_movers():
    k, m = 6, 7
    undercut = np.array([max(p - 1, 1) if p > 1 else 5 for p in range(m)])  # undercut by 1/6; at 1/6 jump to 5/6
    greedy = np.vstack([undercut, undercut])
    states = limit_cycle(sequential_successor(greedy), 1 * m * m + 5 * m + 5)
    w, p0, p1 = np.unravel_index(states, (2, m, m))
    assert np.all(w[1:] != w[:-1])  # movers alternate
    moved = (p0[1:] != p0[:-1]).astype(int) + (p1[1:] != p1[:-1]).astype(int)
    assert np.all(moved <= 1) and len(set(p0.tolist())) > 2  # one price changes at a time, prices cycle
    assert k == m - 1


def test_baseline_sessions_collude_mostly_on_a_constant_price():
    setup = KleinSetup(periods=200_000, theta=6.9e-5)  # 0.1% exploration half way, as in the paper
    results = [klein_summary(setup, seed) for seed in range(20)]
    profitability = np.mean([r.profitability for r in results])
    assert 0.6 < profitability <= 1.0
    assert np.mean([r.constant for r in results]) >= 0.5
    assert all(r.cycle_length % 2 == 0 for r in results)


def test_determinism_and_bad_parameters():
    a, b = run_klein(KleinSetup(periods=5_000), 9), run_klein(KleinSetup(periods=5_000), 9)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[3], b[3])
    for kwargs, name in (({"alpha": 0.0}, "alpha"), ({"delta": 1.0}, "delta"), ({"k": 0}, "k"),
                         ({"theta": -0.1}, "theta"), ({"periods": 1}, "periods")):
        with pytest.raises(ValueError, match=f"^{name} = "):
            KleinSetup(**kwargs)

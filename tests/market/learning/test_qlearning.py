"""The Calvano Q-learning kernel: the update rule by hand, initial Q, convergence counting, determinism, and its
agreement with the engine's Q-learners."""

import itertools

import numpy as np
import pytest

from experiments import configs
from market import engine, training
from market.benchmarks import StaticGame
from market.learning.qlearning import (
    QLearningSetup,
    _learn,
    check_parameters,
    greedy_cache,
    initial_q,
    profit_table,
    run_session,
    update,
)
from market.learning.sessions import run_sessions, session_seeds
from market.learning.summary import calvano_summary
from market.metrics import market_summary


def test_update_rule_by_hand_keeps_the_greedy_cache():
    q = np.array([[[1.0, 2.0, 0.5]]])
    greedy, best = greedy_cache(q)
    # Q(0) <- 1 + 0.5 (3 - 1) = 2: ties the greedy action 1, which stays.
    assert not update(q, greedy, best, 0, 0, 0, 3.0, 0.5)
    assert q[0, 0, 0] == 2.0 and greedy[0, 0] == 1 and best[0, 0] == 2.0
    # Q(0) <- 2 + 0.5 (4 - 2) = 3 > 2: action 0 becomes greedy.
    assert update(q, greedy, best, 0, 0, 0, 4.0, 0.5)
    assert (greedy[0, 0], best[0, 0]) == (0, 3.0)
    # the greedy action falls: Q(0) <- 3 + 0.5 (0 - 3) = 1.5 < 2, so action 1 is greedy again.
    assert update(q, greedy, best, 0, 0, 0, 0.0, 0.5)
    assert q[0, 0].tolist() == [1.5, 2.0, 0.5] and (greedy[0, 0], best[0, 0]) == (1, 2.0)
    # the greedy action rises: no change of policy.
    assert not update(q, greedy, best, 0, 0, 1, 10.0, 0.5)
    assert best[0, 0] == 6.0


def test_profit_table_is_the_stage_game_in_mixed_radix_order():
    game = StaticGame.logit([1.0, 1.1], 2.0, 0.25)
    grid = np.array([1.5, 1.7, 1.9])
    table = profit_table(game, grid)
    assert table.shape == (9, 2)
    np.testing.assert_allclose(table[2 * 3 + 1], game.profit([1.9, 1.7]))


def test_profit_table_equals_the_stage_profit_of_every_profile_exactly():
    """Five sellers: a platform, fees, a seller in both channels, two segments: the table is StaticGame.profit, bit
    for bit."""
    game = configs.load("amazon_10min").static_game()
    grid = np.array([1.4, 1.7, 2.0])
    table = profit_table(game, grid)
    n = game.n_sellers
    expected = np.array([game.profit(grid[list(p)]) for p in itertools.product(range(grid.shape[0]), repeat=n)])
    np.testing.assert_array_equal(table, expected)


def test_initial_q_is_payoff_against_uniform_rivals_discounted():
    profit = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])  # m = 2, states (a0, a1)
    q = initial_q(profit, 2, 0.5)
    assert q.shape == (2, 4, 2)
    # seller 0, own action 1: profiles (1, 0), (1, 1) -> (3 + 4) / 2 / (1 - 0.5) = 7
    np.testing.assert_allclose(q[0], [[3.0, 7.0]] * 4)
    # seller 1, own action 0: profiles (0, 0), (1, 0) -> (10 + 30) / 2 / 0.5 = 40
    np.testing.assert_allclose(q[1], [[40.0, 60.0]] * 4)


def test_one_period_updates_one_entry_per_seller_as_the_rule_says():
    setup = QLearningSetup.calvano()
    q0 = initial_q(setup.profit, setup.m, setup.delta)
    q = q0.copy()
    greedy, best = greedy_cache(q)
    _, periods, nxt = _learn(setup.profit, q, greedy, best, setup.alpha, setup.beta, setup.delta, 7, 10, 1)
    assert periods == 1
    changed = np.argwhere(q != q0)
    assert [c[0] for c in changed] == [0, 1]
    (_, s, a0), (_, _, a1) = changed
    assert nxt == a0 * setup.m + a1 and changed[1][1] == s
    for i, a in enumerate((a0, a1)):
        target = setup.profit[nxt, i] + setup.delta * q0[i, nxt].max()
        assert q[i, s, a] == pytest.approx((1 - setup.alpha) * q0[i, s, a] + setup.alpha * target, rel=1e-14)


def test_convergence_means_no_greedy_change_for_stable_periods():
    stable = 2_000
    setup = QLearningSetup.calvano(beta=2e-4, stable_periods=stable)
    done = run_session(setup, 11)
    assert done.converged and stable < done.periods < 200_000
    last_change = done.periods - stable  # the policy changed in period last_change - 1, never after
    before = run_session(QLearningSetup.calvano(beta=2e-4, stable_periods=stable, max_periods=last_change), 11)
    earlier = run_session(QLearningSetup.calvano(beta=2e-4, stable_periods=stable, max_periods=last_change - 1), 11)
    assert not before.converged and before.periods == last_change
    assert np.array_equal(before.greedy, done.greedy)
    assert not np.array_equal(earlier.greedy, done.greedy)


def test_a_session_is_a_pure_function_of_parameters_and_seed():
    setup = QLearningSetup.calvano(beta=1e-4, stable_periods=1_000)
    a, b, c = run_session(setup, 3), run_session(setup, 3), run_session(setup, 4)
    assert np.array_equal(a.q, b.q) and a.periods == b.periods and a.state == b.state
    assert not np.array_equal(a.q, c.q)


def test_three_sellers_with_unequal_costs_learn():
    setup = QLearningSetup.calvano(n_sellers=3, cost=[1.0, 1.0, 1.1], beta=1e-3, stable_periods=1_000)
    session = run_session(setup, 5)
    assert session.q.shape == (3, 15**3, 15) and session.converged


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"alpha": 0.0}, "alpha"), ({"alpha": 1.5}, "alpha"), ({"beta": -1e-6}, "beta"), ({"delta": 1.0}, "delta"),
    ({"delta": -0.1}, "delta"), ({"m": 1}, "m"), ({"n_sellers": 1}, "n_sellers"), ({"n_sellers": 7}, "n_sellers"),
])
def test_bad_parameters_are_named(kwargs, name):
    values = {"alpha": 0.15, "beta": 4e-6, "delta": 0.95, "m": 15, "n_sellers": 2, **kwargs}
    with pytest.raises(ValueError, match=f"^{name} = "):
        check_parameters(**values)


@pytest.mark.slow
def test_the_engine_and_the_replication_kernel_agree_on_delta():
    """One Q-learner, two paths: Calvano's market through the general engine (trained to convergence, then frozen
    play measured) and through the replication kernel (limit cycle of greedy play), 20 sessions each with the same
    parameters (exploration faster than the paper's, for time): mean Delta within sampling error (3 standard
    errors of the difference) and both far from competition."""
    beta, sessions = 4e-5, 20
    replication = run_sessions(calvano_summary, QLearningSetup.calvano(beta=beta), session_seeds(1, sessions), 1,
                               False)
    by_kernel = np.array([r.delta for r in replication])
    base = configs.load("calvano2020").with_values(
        {"horizon": 2_000, **{f"sellers.{s.name}.params.beta": beta for s in configs.load("calvano2020").sellers}})
    by_engine = []
    for seed in session_seeds(2, sessions):
        scenario = base.with_values({"seed": seed})
        state = engine.build_state(scenario)
        assert training.train_then_freeze(state, 20_000_000).converged
        engine.advance(state, scenario.horizon)
        by_engine.append(market_summary(state, scenario.benchmarks, scenario.ticks_per_day)["delta"])
    by_engine = np.array(by_engine)
    error = np.sqrt(by_kernel.var(ddof=1) / sessions + by_engine.var(ddof=1) / sessions)
    assert error < 0.03 and min(by_kernel.mean(), by_engine.mean()) > 0.5
    assert abs(by_engine.mean() - by_kernel.mean()) < 3 * error, (by_engine.mean(), by_kernel.mean(), error)

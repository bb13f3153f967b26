"""Learning sellers inside the general engine (the same kernel as every other strategy)."""

import numpy as np
import pytest

from market import engine
from market.model import PricingModel
from market.scenario import Scenario, ScenarioError

CALVANO = {"alpha": 0.15, "beta": 2e-4, "delta": 0.95, "m": 15, "xi": 0.1}


def learners(strategy="qlearning", params=None, n=2, horizon=2000, **seller):
    params = CALVANO if params is None else params
    sellers = [{"name": f"firm{i}", "strategy": strategy, "params": params, **seller} for i in range(n)]
    return Scenario.from_dict({"horizon": horizon, "seed": 11, "history": 8, "sellers": sellers})


def test_learners_step_equals_advance_and_repeat():
    scenario = learners(horizon=600)
    model = PricingModel(scenario)
    for _ in range(600):
        model.step()
    fast = engine.run(scenario)
    np.testing.assert_array_equal(model.state.records.price, fast.records.price)
    np.testing.assert_array_equal(model.state.learners.table_pool, fast.learners.table_pool)
    np.testing.assert_array_equal(engine.run(scenario).learners.table_pool, fast.learners.table_pool)


def test_prices_stay_on_the_grid_and_tables_start_at_calvano_q0():
    scenario = learners(horizon=300)
    state = engine.build_state(scenario)
    m = 15
    assert state.learners.table_rows[0] == m**2 and state.learners.table_cols[0] == m
    grid = state.learners.grid_pool[:m]
    b = scenario.benchmarks
    span = b.monopoly_price[0] - b.nash_price[0]
    assert grid[0] == pytest.approx(b.nash_price[0] - 0.1 * span) and grid[-1] == pytest.approx(
        b.monopoly_price[0] + 0.1 * span)
    # Q0(s, a) = mean over the rival's prices of profit(a, rival) / (1 - delta), the same for every state.
    q = state.learners.table_pool[: m**3].reshape(m**2, m)
    game = scenario.static_game()
    expected = np.array([np.mean([game.profit([a, r])[0] for r in grid]) for a in grid]) / 0.05
    np.testing.assert_allclose(q[0], expected, rtol=1e-12)
    np.testing.assert_array_equal(q[0], q[123])
    engine.advance(state, 300)
    assert np.all(np.isin(state.records.price, grid))


def test_vendor_clients_share_one_table_and_one_price():
    scenario = learners(n=3, horizon=500, vendor="hub").with_values({"sellers.firm2.vendor": None})
    state = engine.run(scenario)
    assert state.learners.table_offset[0] == state.learners.table_offset[1] != state.learners.table_offset[2]
    np.testing.assert_array_equal(state.records.price[:, 0], state.records.price[:, 1])
    assert not np.array_equal(state.records.price[:, 0], state.records.price[:, 2])


def test_vendor_clients_must_match():
    with pytest.raises(ScenarioError, match=r"sellers\[1\]\.vendor = 'hub': clients of one vendor need the same"):
        learners(vendor="hub").with_values({"sellers.firm1.period": 2})
    with pytest.raises(ScenarioError, match="only learning strategies can be delegated"):
        Scenario.from_dict({"sellers": [{"name": "a", "strategy": "fixed", "vendor": "v"}]})


def test_epsilon_greedy_learns_the_best_reply_to_a_fixed_rival():
    bandit = {"name": "bandit", "strategy": "epsilon_greedy",
              "params": {"epsilon": 0.2, "decay": 0.0, "alpha": 0.0, "m": 15, "xi": 0.1}}
    rival = {"name": "rival", "strategy": "fixed", "params": {"price": 1.6}}
    scenario = Scenario.from_dict({"horizon": 20000, "seed": 3, "sellers": [bandit, rival]})
    state = engine.run(scenario)
    grid = state.learners.grid_pool[: state.learners.grid_size[0]]
    game = scenario.static_game()
    best = grid[np.argmax([game.profit([p, 1.6])[0] for p in grid])]
    values = state.learners.table_pool[: 2 * 15].reshape(2, 15)[0]
    assert grid[np.argmax(values)] == pytest.approx(best)


def test_price_leader_keeps_rises_that_rivals_follow():
    leader = {"name": "leader", "strategy": "price_leadership",
              "params": {"step": 0.05, "window": 2, "cooldown": 2, "floor": 1.4, "ceiling": 2.0}, "initial_price": 1.5}
    follower = {"name": "follower", "strategy": "match_lowest", "params": {"floor": 1.0, "ceiling": 3.0},
                "initial_price": 1.5}
    stubborn = {"name": "follower", "strategy": "fixed", "params": {"price": 1.5}, "initial_price": 1.5}
    followed = engine.run(Scenario.from_dict({"horizon": 200, "sellers": [leader, follower]}))
    assert followed.sellers.price[0] == pytest.approx(2.0) and followed.sellers.price[1] == pytest.approx(2.0)
    ignored = engine.run(Scenario.from_dict({"horizon": 200, "sellers": [leader, stubborn]}))
    assert ignored.sellers.price[0] <= 1.5 + 1e-12 and ignored.records.price[:, 0].max() == pytest.approx(1.55)


def test_tables_too_large_are_refused_before_running():
    params = {**CALVANO, "m": 60}
    with pytest.raises(ScenarioError, match=r"learners' tables need .* entries"):
        engine.build_state(learners(params=params, n=4))


def test_q_learners_move_toward_collusion():
    """A short engine run (fast exploration decay): prices end above the static Nash grid point on average."""
    scenario = learners(horizon=60000, params={**CALVANO, "beta": 1e-4})
    state = engine.run(scenario)
    late = state.records.price[-2000:].mean()
    assert late > scenario.benchmarks.nash_price[0] + 0.1 * (scenario.benchmarks.monopoly_price[0]
                                                             - scenario.benchmarks.nash_price[0])

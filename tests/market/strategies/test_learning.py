"""Learning sellers' engine kernels, called directly: hand-computed updates, scripted rivals, table shapes."""

import numpy as np
import pytest

from market import strategies
from market.benchmarks import StaticGame, price_grid
from market.learning.qlearning import initial_q, profit_table
from market.strategies import learning, registry
from market.strategies.dispatch import learner_price
from market.strategies.learning import nearest_index, profile_index

GRID = np.array([1.0, 1.5, 2.0])
NEVER = 10**6  # a tick late enough that exp(-beta t) and (1 - theta)^t are 0: no exploration


def _row(name, **params):
    spec = strategies.get(name)
    return spec, spec.resolve(params, {"cost": 1.0, "nash": 1.47, "monopoly": 1.92})


def _call(spec, q, row, memory, state=0, reward=0.0, rival_min=np.inf, t=NEVER, grid=GRID):
    return learner_price(spec.id, q, grid, row, memory, state, reward, rival_min, 1, t, 0)


def test_specs_ids_classifiers_and_sources():
    ids = {spec.name: spec.id for family in registry.FAMILIES for spec in registry.family(family)}
    assert sorted(ids.values()) == list(range(len(ids)))  # the registry numbers every strategy once
    assert set(strategies.names()) == set(ids) - {"outside"}  # a scenario runs all but the outside one by itself
    learners = {s.name for s in strategies.select(learns=True)}
    assert learners == {"qlearning", "klein_qlearning", "epsilon_greedy", "ucb"}
    assert {s.name for s in strategies.select(stochastic=True, learns=True)} == {"qlearning", "klein_qlearning",
                                                                                 "epsilon_greedy"}
    assert all(strategies.get(n).source for n in ids)
    with pytest.raises(ValueError, match=r"params.alpha = 0: must be in"):
        strategies.get("qlearning").validate({"alpha": 0}, "params")


def test_qlearning_update_by_hand():
    spec, row = _row("qlearning", alpha=0.5, beta=1.0, delta=0.9, m=3)
    q = np.array([[1.0, 3.0, 2.0]] * 9)
    memory = np.zeros(strategies.MEMORY_SLOTS)
    assert _call(spec, q, row, memory, state=4, reward=99.0) == 1.5  # first call: no update, greedy action 1
    assert memory[:3].tolist() == [4, 1, 1] and q[4, 1] == 3.0
    q[7] = [0.0, 0.0, 10.0]
    # Q(4, 1) <- 3 + 0.5 (0.2 + 0.9 * 10 - 3) = 6.1; then greedy in state 7 is action 2
    assert _call(spec, q, row, memory, state=7, reward=0.2) == 2.0
    assert q[4, 1] == pytest.approx(6.1) and memory[:3].tolist() == [7, 2, 2]


def test_qlearning_explores_at_first():
    spec, row = _row("qlearning", m=3)
    q = np.array([[0.0, 0.0, 1.0]] * 9)
    explored = {learner_price(spec.id, q, GRID, row, np.zeros(4), 0, 0.0, np.inf, seed, 0, 0) for seed in range(40)}
    assert explored == set(GRID)  # epsilon = exp(-beta 0) = 1: a uniform price, whatever Q says


def test_klein_update_uses_two_periods_of_reward_and_delta_squared():
    spec, row = _row("klein_qlearning", alpha=1.0, theta=0.5, delta=0.5, m=3)
    q = np.zeros((3, 3))
    memory = np.zeros(4)
    _call(spec, q, row, memory, state=2)
    q[0] = [4.0, 0.0, 0.0]
    assert _call(spec, q, row, memory, state=0, reward=1.0) == 1.0
    assert q[2, 0] == pytest.approx((1 + 0.5) * 1.0 + 0.25 * 4.0)


def test_epsilon_greedy_sample_means():
    spec, row = _row("epsilon_greedy", epsilon=0.0, m=3)
    q = np.zeros((2, 3))
    memory = np.zeros(4)
    assert _call(spec, q, row, memory) == 1.0
    _call(spec, q, row, memory, reward=2.0)
    _call(spec, q, row, memory, reward=4.0)
    assert q[:, 0].tolist() == [3.0, 2.0]  # mean of 2 and 4 over two pulls


def test_ucb_tries_every_price_then_takes_the_highest_bound():
    spec, row = _row("ucb", c=0.5, m=3)
    q = np.zeros((2, 3))
    memory = np.zeros(4)
    chosen = [_call(spec, q, row, memory, reward=r) for r in (0.0, 1.0, 3.0, 2.0)]
    assert chosen[:3] == [1.0, 1.5, 2.0]
    # values (1, 3, 2), one pull each, N = 3: bounds v + 0.5 sqrt(2 ln 3): arm 1 wins
    assert chosen[3] == 1.5 and q[0].tolist() == [1.0, 3.0, 2.0]


def test_price_leadership_keeps_a_followed_rise_and_reverts_an_ignored_one():
    spec, row = _row("price_leadership", step=0.1, window=2, cooldown=1, floor=1.0, ceiling=2.0)
    memory = np.zeros(4)
    rivals = [1.5, 1.5, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6]
    got = [_call(spec, np.zeros((0, 0)), row, memory, rival_min=r) for r in rivals]
    # start at 1.5; wait a repricing; probe 1.6; followed; wait; probe 1.7; ignored twice: back to 1.6
    assert got == pytest.approx([1.5, 1.6, 1.6, 1.6, 1.7, 1.7, 1.6, 1.6])


def test_table_shapes_grids_and_initial_tables():
    game = StaticGame.logit([1.0, 1.0], 2.0, 0.25)
    nash, monopoly = np.array([1.47, 1.47]), np.array([1.92, 1.92])
    spec, row = _row("qlearning", m=5, xi=0.1, delta=0.9)
    grid = learning.seller_grid(spec, row, nash, monopoly)
    np.testing.assert_allclose(grid, price_grid(nash, monopoly, 5, 0.1))
    assert learning.table_shape(spec, row, 2) == (25, 5)
    table = learning.initial_table(spec, row, 1, game, grid)
    np.testing.assert_allclose(table, initial_q(profit_table(game, grid), 5, 0.9)[1])
    assert learning.table_shape(*_row("klein_qlearning"), 2) == (7, 7)
    assert learning.table_shape(*_row("ucb", m=4), 3) == (2, 4)
    assert learning.table_shape(*_row("price_leadership"), 2) == (0, 0)
    assert not learning.initial_table(*_row("epsilon_greedy", m=4), 0, game, grid[:4]).any()


def test_state_index_maps_prices_to_the_nearest_grid_point_in_mixed_radix():
    assert [nearest_index(GRID, p) for p in (0.0, 1.2, 1.3, 1.9, 5.0)] == [0, 0, 1, 2, 2]
    assert profile_index(np.array([2.0, 1.4]), GRID) == 2 * 3 + 1

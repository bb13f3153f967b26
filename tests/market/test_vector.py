"""Many copies of a market in one numba call (market.vector): each copy is MarketEnv's market on its seed, step
for step; Gymnasium's vector conventions (spaces, next-step autoreset); bad actions."""

import numpy as np
import pytest

from market import catalog
from market.budget import BudgetError
from market.env import MarketEnv
from market.errors import OutsideError
from market.state import State
from market.vector import VectorMarketEnv
from tests.market import every_group

AGENTS = ["firm1", "firm2"]


def test_every_copy_plays_the_market_of_its_seed():
    vector = VectorMarketEnv("calvano2020", AGENTS, num_envs=5, n_ticks=30)
    observations, _ = vector.reset(seed=40)
    singles = [MarketEnv("calvano2020", AGENTS, n_ticks=30) for _ in range(5)]
    starts = [env.reset(seed=40 + b)[0] for b, env in enumerate(singles)]
    for b, start in enumerate(starts):
        np.testing.assert_array_equal(observations[b], np.stack([start[a] for a in AGENTS]))
    vector.action_space.seed(1)
    for step in range(30):
        actions = vector.action_space.sample()
        observations, rewards, terminations, truncations, _ = vector.step(actions)
        for b, env in enumerate(singles):
            single, reward, _, truncation, _ = env.step({a: int(actions[b, j]) for j, a in enumerate(AGENTS)})
            np.testing.assert_array_equal(observations[b], np.stack([single[a] for a in AGENTS]))
            np.testing.assert_array_equal(rewards[b], [reward[a] for a in AGENTS])
            assert truncations[b] == truncation["firm1"] == (step == 29) and not terminations[b]
    assert observations in vector.observation_space


def test_one_agent_with_prices_as_actions_matches_market_env_with_poisson_arrivals():
    scenario = catalog.load("amazon_10min")
    vector = VectorMarketEnv(scenario, ["shop_hourly"], num_envs=3, actions="box", n_ticks=200)
    observations, _ = vector.reset(seed=9)
    env = MarketEnv(scenario, ["shop_hourly"], actions="box", n_ticks=200)
    single, _ = env.reset(seed=11)
    np.testing.assert_array_equal(observations[2], single["shop_hourly"])
    assert vector.single_action_space.shape == (1,) and observations.shape == (3, 5)
    vector.action_space.seed(3)
    while env.agents:
        actions = vector.action_space.sample()
        observations, rewards, _, truncations, _ = vector.step(actions)
        single, reward, _, truncation, _ = env.step({"shop_hourly": actions[2]})
        np.testing.assert_array_equal(observations[2], single["shop_hourly"])
        assert rewards.shape == (3,) and rewards[2] == reward["shop_hourly"]
    assert truncations.all() and vector.state.clock[2, 0] == env.state.t == 200


def test_autoreset_at_the_next_step_starts_the_next_seeds():
    vector = VectorMarketEnv("calvano2020", AGENTS, num_envs=2, n_ticks=3)
    first, _ = vector.reset(seed=5)
    for _ in range(3):
        _, _, _, truncations, _ = vector.step(np.zeros((2, 2), dtype=np.int64))
    assert truncations.all()
    restart, rewards, terminations, truncations, _ = vector.step(np.full((2, 2), 99))  # ignored: a new episode
    assert not truncations.any() and not terminations.any() and not rewards.any()
    np.testing.assert_array_equal(restart, first)  # every episode starts from the scenario's initial prices
    assert (vector.state.clock[:, 0] == 0).all() and vector.state.market.seed[1] == vector.state.market.seed[0] + 1
    assert vector.state.market.seed[0] not in (5, 6)
    again = VectorMarketEnv("calvano2020", AGENTS, num_envs=2, n_ticks=3)
    again.reset(seed=5)
    for _ in range(4):
        again.step(np.zeros((2, 2), dtype=np.int64))
    np.testing.assert_array_equal(again.state.market.seed, vector.state.market.seed)


def _with_a_brand():
    return catalog.load("amazon_10min").with_values({
        "sellers.brand.wholesale": {"price": 0.9, "step": 0.05, "period": 12, "map_price": 1.0},
        "sellers.shop_hourly.supplier": "brand", "sellers.shop_6h.supplier": "brand"})


@pytest.mark.parametrize("scenario, agents, groups", [
    (lambda: catalog.load("calvano2020"), ["firm1"], ["learners"]),       # the other firm learns as it plays
    (lambda: catalog.load("brown_mackay2023"), ["hourly"], ["responses"]),
    (lambda: catalog.load("unsold_goods"), ["domestic", "platform"], ["inventory"]),
    (_with_a_brand, ["shop_6h"], ["brands"]),
    (every_group.scenario, [every_group.OUTSIDE], list(State._fields)),  # brands that delist, an audit too
])
def test_copies_with_every_optional_group_play_market_env(scenario, agents, groups):
    """Copies in a record array play MarketEnv's market bit for bit whatever groups the market has."""
    scenario = scenario()
    vector = VectorMarketEnv(scenario, agents, num_envs=3, actions="box", n_ticks=120)
    assert all(getattr(vector.state, group) is not None for group in groups)
    observations, _ = vector.reset(seed=21)
    singles = [MarketEnv(scenario, agents, actions="box", n_ticks=120) for _ in range(3)]
    for b, env in enumerate(singles):
        start, _ = env.reset(seed=21 + b)
        np.testing.assert_array_equal(observations[b], np.stack([start[a] for a in agents]).squeeze())
    vector.action_space.seed(8)
    while singles[0].agents:
        actions = vector.action_space.sample()
        observations, rewards, _, _, _ = vector.step(actions)
        for b, env in enumerate(singles):
            given = actions[b].reshape(len(agents), 1)
            single, reward, _, _, _ = env.step({a: given[j] for j, a in enumerate(agents)})
            np.testing.assert_array_equal(observations[b], np.stack([single[a] for a in agents]).squeeze())
            np.testing.assert_array_equal(rewards[b], np.array([reward[a] for a in agents]).squeeze())
    np.testing.assert_array_equal(vector.state.totals.profit[1], singles[1].state.totals.profit)


@pytest.mark.parametrize("actions, given, message", [
    ("discrete", np.full((4, 2), 15), r"^actions\[0, 0\] \(firm1\) = 15: must be an integer in 0\.\.14"),
    ("discrete", np.full((4, 2), 1.0), r"^actions\[0, 0\] \(firm1\) = 1\.0: must be an integer"),
    ("discrete", np.zeros((4, 3), dtype=int), r"^actions: an array of shape \(4, 2\) of grid indices"),
    ("discrete", np.zeros((2, 4), dtype=int), r"^actions: an array of shape \(4, 2\) of grid indices \(got int64 "
                                              r"\(2, 4\)\)"),  # the right size, transposed
    ("box", np.full((4, 2), np.nan), r"^actions\[0, 0\] \(firm1\) = nan: must be a price in"),
    ("box", np.array(["a"] * 8).reshape(4, 2), r"^actions: an array of shape \(4, 2\) of prices"),
])
def test_an_action_outside_the_space_is_one_line_and_runs_nothing(actions, given, message):
    vector = VectorMarketEnv("calvano2020", AGENTS, num_envs=4, actions=actions, n_ticks=10)
    vector.reset(seed=1)
    with pytest.raises(OutsideError, match=message):
        vector.step(given)
    assert (vector.state.clock == 0).all()


def test_copies_beyond_the_memory_budget_are_refused_before_allocating(monkeypatch):
    monkeypatch.setenv("PRICELAB_MAX_MEMORY", "64MiB")
    with pytest.raises(BudgetError, match=r"^num_envs = 1,000,000: copies of the market \([0-9,]+ bytes each\) need "
                                          r"[0-9.]+ GiB, over the budget; at most [0-9,]+ fit"):
        VectorMarketEnv("calvano2020", AGENTS, num_envs=1_000_000)


def test_a_step_before_reset_is_one_line():
    with pytest.raises(OutsideError, match=r"^step\(\): the copies have not started; call reset\(\) first"):
        VectorMarketEnv("calvano2020", AGENTS, num_envs=2, n_ticks=3).step(np.zeros((2, 2), dtype=int))


def test_bad_construction_is_one_line():
    with pytest.raises(OutsideError, match=r"^num_envs = 0: must be an integer >= 1"):
        VectorMarketEnv("calvano2020", AGENTS, num_envs=0)
    with pytest.raises(OutsideError, match=r"^agents: 'firm3' is not a seller"):
        VectorMarketEnv("calvano2020", ["firm3"])

"""The market as PettingZoo and Gymnasium environments (market.env): the APIs' own checks, the engine's numbers
through the environment, one seed one episode for every shipped scenario, and bad actions."""

import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import parallel_api_test

from experiments.examples.pricers import MatchLowest, Undercut
from market import catalog, engine
from market.env import MarketEnv, SellerEnv
from market.errors import OutsideError

AMAZON = catalog.load("amazon_10min")


def test_the_engines_numbers_through_the_environment():
    """The agents price as the engine's undercut and match_lowest do, from what they observe: the episode is the
    engine's run, bit for bit (rewards included)."""
    rules = {"platform": Undercut.like(AMAZON, "platform"), "shop_daily": MatchLowest.like(AMAZON, "shop_daily")}
    env = MarketEnv(AMAZON, list(rules), actions="box", price_range=(0.5, 5.0))
    observations, infos = env.reset(seed=AMAZON.seed)
    earned = dict.fromkeys(rules, 0.0)
    while env.agents:
        actions = {name: np.array([rule.price(infos[name]["observation"])]) for name, rule in rules.items()}
        observations, rewards, terminations, truncations, infos = env.step(actions)
        for name in rewards:
            earned[name] += rewards[name]
    reference = engine.run(AMAZON)
    for name in ("price", "quantity", "profit", "fee", "featured", "market"):
        np.testing.assert_array_equal(getattr(env.state.records, name), getattr(reference.records, name))
    assert earned["platform"] == pytest.approx(reference.totals.profit[0], rel=1e-12)


def test_other_sellers_priced_by_objects_beside_the_agents():
    env = MarketEnv(AMAZON, ["shop_daily"], actions="box", price_range=(0.5, 5.0),
                    others={"platform": Undercut.like(AMAZON, "platform")})
    rule = MatchLowest.like(AMAZON, "shop_daily")
    observations, infos = env.reset(seed=AMAZON.seed)
    steps = 0
    while env.agents:
        observations, _, _, _, infos = env.step({"shop_daily": [rule.price(infos["shop_daily"]["observation"])]})
        steps += 1
    assert steps == 30  # asked once a day (period 144) over 30 days
    np.testing.assert_array_equal(env.state.records.price, engine.run(AMAZON).records.price)


@pytest.mark.parametrize("actions", ["discrete", "box"])
def test_pettingzoo_parallel_api(actions):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # pettingzoo warns of agents given nothing, or given too much
        parallel_api_test(MarketEnv(AMAZON, ["platform", "shop_hourly"], actions=actions, n_ticks=300), num_cycles=400)
        parallel_api_test(MarketEnv("calvano2020", ["firm1", "firm2"], actions=actions, n_ticks=50), num_cycles=60)


@pytest.mark.parametrize("actions", ["discrete", "box"])
def test_gymnasium_env_checker(actions):
    check_env(SellerEnv("calvano2020", "firm1", actions=actions, n_ticks=100))
    check_env(SellerEnv(AMAZON, "shop_6h", actions=actions, n_ticks=400))


def test_gymnasium_make_builds_a_seller_env():
    env = gymnasium.make("market.env:pricelab/Seller-v0", scenario="calvano2020", seller="firm1", n_ticks=5)
    assert env.spec.id == "pricelab/Seller-v0" and isinstance(env.unwrapped, SellerEnv)
    direct = SellerEnv("calvano2020", "firm1", n_ticks=5)
    np.testing.assert_array_equal(env.reset(seed=4)[0], direct.reset(seed=4)[0])
    steps = 0
    while not env.step(3)[3]:
        steps += 1
    assert steps == 4


def play(env, seed, steps=40):
    """Observations and rewards of an episode on ``seed`` with actions drawn from the spaces seeded by ``seed``."""
    observations, _ = env.reset(seed=seed)
    for k, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(seed + k)
    trace = [observations]
    while env.agents and len(trace) < steps:
        observations, rewards, _, _, _ = env.step({a: env.action_space(a).sample() for a in env.agents})
        trace += [observations, rewards]
    return trace


def same(a, b) -> bool:
    return len(a) == len(b) and all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
                                    for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("name", catalog.scenario_names())
def test_one_seed_one_episode_in_every_shipped_scenario(name):
    scenario = catalog.load(name)
    env = MarketEnv(scenario, [scenario.sellers[0].name, scenario.sellers[-1].name], n_ticks=200)
    first = play(env, 7)
    assert same(play(env, 7), first)
    assert same(play(MarketEnv(scenario, [scenario.sellers[0].name, scenario.sellers[-1].name], n_ticks=200), 7),
                first)


def test_reset_seeds():
    env = MarketEnv(AMAZON, ["platform"], n_ticks=50)  # Poisson arrivals: the seed shows in the profits
    assert same(play(env, 3), play(env, 3)) and not same(play(env, 3), play(env, 4))
    fresh = MarketEnv(AMAZON, ["platform"], n_ticks=50)
    fresh.reset()
    assert fresh.state.market.seed == AMAZON.seed  # never seeded: the scenario's own seed
    env.reset(seed=11)
    follower = play_unseeded(env)
    env.reset(seed=11)
    assert same(play_unseeded(env), follower) and env.state.market.seed != 11


def play_unseeded(env):
    observations, _ = env.reset()
    trace = [observations]
    while env.agents:
        observations, rewards, _, _, _ = env.step(dict.fromkeys(env.agents, 3))
        trace += [observations, rewards]
    return trace


def test_rewards_are_each_agents_profit_since_the_previous_step():
    env = MarketEnv(AMAZON, ["platform", "shop_hourly"], n_ticks=60)
    env.reset(seed=1)
    total = dict.fromkeys(env.possible_agents, 0.0)
    while env.agents:
        infos_before = env.state.t
        _, rewards, _, truncations, infos = env.step(dict.fromkeys(env.agents, 5))
        for agent, reward in rewards.items():
            total[agent] += reward
        assert infos["platform"]["asked"] and infos["platform"]["tick"] == env.state.t == infos_before + 1
    assert total["platform"] == pytest.approx(env.state.totals.profit[0], rel=1e-12)
    assert total["shop_hourly"] == pytest.approx(env.state.totals.profit[1], rel=1e-12)


@pytest.mark.parametrize("actions, action, message", [
    ("discrete", 15, r"actions\['firm1'\] = 15: must be an integer in 0\.\.14 \(an index on the price grid\)"),
    ("discrete", 1.0, r"actions\['firm1'\] = 1\.0: must be an integer"),
    ("discrete", -1, r"actions\['firm1'\] = -1: must be an integer"),
    ("box", np.array([9.0]), r"actions\['firm1'\] = array\(\[9\.\]\): must be a price in \[1\.42\d*, 1\.97\d*\]"),
    ("box", np.array([np.nan]), r"actions\['firm1'\] = array\(\[nan\]\): must be a price in"),
    ("box", "abc", r"actions\['firm1'\] = 'abc': must be a price in"),
])
def test_an_action_outside_the_space_is_one_line_and_runs_nothing(actions, action, message):
    env = MarketEnv("calvano2020", ["firm1", "firm2"], actions=actions, n_ticks=20)
    env.reset(seed=1)
    good = env.action_space("firm2").sample()
    with pytest.raises(OutsideError, match=f"^{message}"):
        env.step({"firm1": action, "firm2": good})
    assert env.state.t == 0


def test_a_policys_predict_output_is_an_action():
    """stable-baselines3's ``predict`` gives a 0-d array for one observation (a (1,) array for a batch of one)."""
    env = SellerEnv("calvano2020", "firm1", n_ticks=20)
    env.reset(seed=3)
    first = env.step(6)[:2]
    for action in (np.array(6), np.array([6], dtype=np.int32)):
        env.reset(seed=3)
        again = env.step(action)[:2]
        np.testing.assert_array_equal(again[0], first[0])
        assert again[1] == first[1]
    env.reset(seed=3)
    for bad in (np.array(6.0), np.array([True]), np.array([6, 7])):
        with pytest.raises(OutsideError, match=r"^actions\['firm1'\] = array\(.*\): must be an integer in 0\.\.14"):
            env.step(bad)


def test_bad_construction_and_misuse_are_one_line():
    with pytest.raises(OutsideError, match=r"^agents: 'nobody' is not a seller; the sellers are platform, "):
        MarketEnv(AMAZON, ["nobody"])
    with pytest.raises(OutsideError, match=r"^agents: 'platform' is named twice"):
        MarketEnv(AMAZON, ["platform", "platform"])
    with pytest.raises(OutsideError, match=r"^agents: 'platform' is also in others"):
        MarketEnv(AMAZON, ["platform"], others={"platform": Undercut()})
    with pytest.raises(OutsideError, match=r"^others\['nobody'\]: unknown seller"):
        MarketEnv(AMAZON, ["platform"], others={"nobody": Undercut()})
    with pytest.raises(OutsideError, match=r"^actions = 'continuous': must be one of discrete, box"):
        SellerEnv(AMAZON, "platform", actions="continuous")
    with pytest.raises(OutsideError, match=r"^price_range = \(2\.0, 1\.0\): need 0 < low < high"):
        SellerEnv(AMAZON, "platform", actions="box", price_range=(2.0, 1.0))
    env = MarketEnv("calvano2020", ["firm1", "firm2"], n_ticks=2)
    with pytest.raises(OutsideError, match="the episode is over"):
        env.step({"firm1": 0, "firm2": 0})
    env.reset(seed=1)
    with pytest.raises(OutsideError, match=r"^actions: no action for 'firm2', asked for a price at tick 0"):
        env.step({"firm1": 0})
    with pytest.raises(OutsideError, match=r"^actions: 'bob' is not an agent; the agents are firm1, firm2"):
        env.step({"firm1": 0, "firm2": 0, "bob": 0})


def test_the_others_pricers_are_reset_with_every_episode():
    class Counting(Undercut):
        resets = 0

        def reset(self):
            self.resets += 1

    other = Counting(0.01, 1.0, 2.0)
    env = MarketEnv(AMAZON, ["shop_hourly"], n_ticks=10, others={"platform": other})
    assert other.resets == 1
    env.reset(seed=1)
    env.reset(seed=2)
    assert other.resets == 3

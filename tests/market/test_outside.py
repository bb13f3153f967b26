"""Sellers priced by Python objects (market.outside): the engine's numbers bit for bit, what they see, the rules
that bind them, and the one-line errors of bad input."""

import math

import numpy as np
import pytest

from experiments.examples.pricers import MatchLowest, Undercut
from market import catalog, engine, interventions, outside, strategies
from market.errors import OutsideError, PricerError
from market.model import PricingModel

AMAZON = catalog.load("amazon_10min")
BOOKS = ("price", "quantity", "profit", "fee", "featured", "market")


def assert_same_market(a, b):
    for name in BOOKS:
        np.testing.assert_array_equal(getattr(a.records, name), getattr(b.records, name), err_msg=name)
    for name in ("profit", "quantity", "changes", "featured", "market"):
        np.testing.assert_array_equal(getattr(a.totals, name), getattr(b.totals, name), err_msg=name)


class Recorder:
    """A pricer that charges ``prices(observation)`` and keeps every observation."""

    def __init__(self, prices=lambda observation: observation.price):
        self.prices, self.seen, self.resets = prices, [], 0

    def reset(self):
        self.resets += 1
        self.seen = []

    def price(self, observation):
        self.seen.append(observation)
        return self.prices(observation)


@pytest.mark.parametrize("agents", [{"platform": "undercut"}, {"shop_daily": "match_lowest"},
                                   {"platform": "undercut", "shop_daily": "match_lowest"}])
def test_python_copies_of_the_kernels_give_the_kernels_numbers(agents):
    pricers = {name: (Undercut if rule == "undercut" else MatchLowest).like(AMAZON, name)
               for name, rule in agents.items()}
    assert_same_market(engine.run(AMAZON, agents=pricers), engine.run(AMAZON))


def test_the_model_stepped_with_an_outside_seller_gives_the_kernels_numbers():
    model = PricingModel(AMAZON, agents={"platform": Undercut.like(AMAZON, "platform")}, collect=False, warm_up=False)
    for _ in range(AMAZON.horizon):
        model.step()
    assert model.config.sellers[0].strategy == "outside"
    assert_same_market(model.state, engine.run(AMAZON))


def test_the_observation_is_what_an_engine_strategy_sees():
    recorder = Recorder()
    state = engine.run(AMAZON.replace(horizon=300), agents={"shop_hourly": recorder})  # period 6, phase 1, lag 3
    seen = recorder.seen
    assert recorder.resets == 1 and [o.tick for o in seen] == list(range(1, 300, 6))
    names = tuple(s.name for s in AMAZON.sellers)
    for o in seen[1:]:
        row = state.records.price[o.tick - 1 - 3]  # the prices of tick t - 1 - lag
        assert o.names == names and o.seller == "shop_hourly" and o.index == 1
        np.testing.assert_array_equal(np.delete(o.prices, 1), np.delete(row, 1))
        assert o.prices[1] == o.price == state.records.price[o.tick - 1, 1]
        assert o.rival_min == np.delete(row, 1).min()
        assert o.cost == AMAZON.sellers[1].cost and o.minute_of_day == (o.tick % 144) * 10
        assert o.ticks == 6 and o.profit == pytest.approx(state.records.profit[o.tick - 6:o.tick, 1].sum(), rel=1e-12)
        assert o.rules["max_changes"] == 0.0 and o.rules["floor"] == 0.0 and o.rules["ceiling"] == math.inf
        assert o.rules["referral_fee"] == AMAZON.platform.referral_fee


def with_rule(scenario, **rule):
    return scenario.with_interventions([interventions.parse(rule)])


@pytest.mark.parametrize("name", sorted({item["kind"]: name for name, item in interventions.CATALOG.items()}.values()))
def test_every_kind_of_rule_binds_an_outside_seller_as_the_engine_strategy_it_copies(name):
    """One catalog rule of each kind: the Python copy gives the kernel's numbers under it (the stock rules in the
    market with unsold goods)."""
    item = interventions.named(name)
    base = catalog.load("unsold_goods" if item.kind in ("destruction_ban", "donation_vat_relief", "storage_fee_cap")
                        else "amazon_10min")
    scenario = base.with_interventions([item]).replace(horizon=2016)
    agents = {"platform": Undercut.like(scenario, "platform")}
    assert_same_market(engine.run(scenario, agents=agents), engine.run(scenario))


def test_price_bounds_hold_whatever_the_pricer_asks():
    scenario = with_rule(AMAZON.replace(horizon=200), kind="price_bounds", floor=1.3, ceiling=1.6)
    state = engine.run(scenario, agents={"platform": Recorder(lambda o: 0.5 if o.tick % 2 else 9.0)})
    assert set(np.unique(state.records.price[:, 0])) == {1.3, 1.6}


def test_a_change_cap_limits_a_pricer_that_changes_every_tick():
    scenario = with_rule(AMAZON.replace(horizon=144 * 3), kind="change_cap", max_changes=2, window_hours=24)
    recorder = Recorder(lambda o: 1.5 + 0.01 * (o.tick % 7))
    state = engine.run(scenario, agents={"platform": recorder})
    assert len(recorder.seen) == 144 * 3  # asked every tick: the cap holds the price, it does not skip the asking
    changed = np.flatnonzero(np.diff(state.records.price[:, 0]) != 0.0) + 1
    assert all(np.sum((changed > t - 144) & (changed <= t)) <= 2 for t in range(144 * 3))


def test_increases_only_at_the_rules_hour():
    scenario = with_rule(AMAZON.replace(horizon=144 * 2), kind="increase_hour", hour=12)
    state = engine.run(scenario, agents={"platform": Recorder(lambda o: 1.7 if o.tick % 3 == 0 else 1.4)})
    rises = np.flatnonzero(np.diff(state.records.price[:, 0]) > 0.0) + 1
    assert rises.size and set(rises % 144) == {72}


def test_a_daily_price_asks_once_a_day_on_older_prices():
    scenario = with_rule(AMAZON.replace(horizon=144 * 3), kind="daily_price", hour=6, notice_hours=16)
    recorder = Recorder()
    state = engine.run(scenario, agents={"platform": recorder})
    assert [o.tick for o in recorder.seen] == [36, 180, 324]
    o = recorder.seen[-1]
    np.testing.assert_array_equal(np.delete(o.prices, 0), np.delete(state.records.price[324 - 1 - 96], 0))


def test_a_minimum_lag_ages_the_prices_seen():
    scenario = with_rule(AMAZON.replace(horizon=100), kind="min_lag", minutes=60)
    recorder = Recorder()
    state = engine.run(scenario, agents={"platform": recorder})
    o = recorder.seen[-1]
    np.testing.assert_array_equal(np.delete(o.prices, 0), np.delete(state.records.price[o.tick - 1 - 6], 0))


def test_a_ban_on_rival_pricing_leaves_an_outside_seller_at_its_price():
    scenario = with_rule(AMAZON.replace(horizon=100), kind="ban_rival_pricing")
    recorder = Recorder(lambda o: 1.2)
    state = engine.run(scenario, agents={"platform": recorder})
    assert recorder.seen == [] and np.all(state.records.price[:, 0] == state.records.price[0, 0])


def test_a_forced_deviation_is_not_asked_and_the_seller_returns_to_its_pricer():
    model = PricingModel(AMAZON, agents={"platform": Recorder(lambda o: 1.55)}, collect=False)
    model.step()
    model.force_price("platform", 1.9, 3)
    model.advance(5)
    assert list(model.state.records.price[1:6, 0]) == [1.9, 1.9, 1.9, 1.55, 1.55]


@pytest.mark.parametrize("bad", [math.nan, -1.0, 0.0, math.inf, "abc", None, True])
def test_a_price_that_is_no_price_is_one_line_naming_the_seller_and_the_tick(bad):
    scenario, pricers = outside.bind(AMAZON, {"shop_hourly": Recorder(lambda o: bad if o.tick > 20 else 1.6)})
    state = engine.build_state(scenario)
    with pytest.raises(OutsideError, match=r"^seller 'shop_hourly' at tick 25: price = .*: must be a finite number > "
                                           r"0$"):
        engine.advance(state, 100, pricers)
    assert state.t == 25  # the tick asked is not run


def test_agents_must_name_sellers_and_be_pricers():
    with pytest.raises(OutsideError, match=r"^agents\['nobody'\]: unknown seller; the sellers are platform, "):
        engine.run(AMAZON, agents={"nobody": Undercut()})
    with pytest.raises(OutsideError, match=r"^agents\['platform'\] = str object: has no price\(observation\) method"):
        PricingModel(AMAZON, agents={"platform": "undercut"})
    with pytest.raises(OutsideError, match="must map seller names to pricers"):
        engine.run(AMAZON, agents=[Undercut()])
    with pytest.raises(OutsideError, match=r"^agents\['platform'\] = the class Undercut: give a pricer object, e\.g\. "
                                          r"Undercut\(\)"):
        engine.run(AMAZON, agents={"platform": Undercut})


def test_a_pricer_whose_code_raises_is_named_with_the_tick_and_keeps_its_traceback():
    class Failing:
        def price(self, observation):
            return 1.5 if observation.tick < 7 else {}["missing"]

    with pytest.raises(PricerError, match=r"^seller 'platform' at tick 7: its pricer raised KeyError: 'missing'$") \
            as raised:
        engine.run(AMAZON, agents={"platform": Failing()})
    assert isinstance(raised.value.__cause__, KeyError)


def test_a_scenario_that_names_an_outside_seller_needs_its_pricer():
    scenario = AMAZON.with_values({"sellers.platform.strategy": "outside", "sellers.platform.params": {}})
    with pytest.raises(OutsideError, match="^sellers platform: priced from outside"):
        engine.run(scenario)
    state = engine.build_state(scenario)
    with pytest.raises(OutsideError, match="sellers priced from outside; give their pricers"):
        engine.advance(state, 10)
    assert "outside" not in strategies.names()  # the strategies a scenario runs by itself


def test_an_outside_seller_trains_beside_the_engines_learners():
    scenario = catalog.load("calvano2020").replace(horizon=50)
    recorder = Recorder(lambda o: 1.6)
    model = PricingModel(scenario, agents={"firm2": recorder}, train=True, overrides={"training.max_ticks": 3000})
    assert model.training is not None and model.training.ticks == 3000 and len(recorder.seen) == 3000
    model.advance(50)
    assert np.all(model.state.records.price[:50, 1] == 1.6)

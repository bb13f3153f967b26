"""Brands: wholesale terms that shops pay, minimum advertised prices, leaving the platform."""

import numpy as np
import pytest

from market import engine
from market.scenario import Scenario, ScenarioError


def supplied(**brand) -> Scenario:
    terms = {"price": 0.9, "step": 0.05, "period": 144, "map_price": 0.0} | brand.pop("wholesale", {})
    return Scenario.from_dict({
        "horizon": 144 * 6, "seed": 1,
        "demand": {"mu": 0.25, "shoppers_per_tick": 10.0, "platform_only_share": 0.5},
        "platform": {"referral_fee": 0.15, "fulfilment_fee": 0.05},
        "sellers": [
            {"name": "amazon", "role": "platform", "cost": 0.1, "supplier": "maker", "strategy": "undercut",
             "params": {"step": 0.01, "floor": "cost"}},
            {"name": "shop", "cost": 0.15, "supplier": "maker", "strategy": "edgeworth",
             "params": {"step": 0.02, "floor": "cost"}, "period": 6},
            {"name": "maker", "role": "brand", "channel": "platform", "cost": 0.6, "strategy": "cost_plus",
             "params": {"markup": 1.5}, "period": 1008, "wholesale": terms, **brand},
        ]})


def test_shops_pay_wholesale_and_the_brand_earns_its_margin():
    scenario = supplied()
    state = engine.build_state(scenario)
    np.testing.assert_allclose(state.market.cost, [1.0, 1.05, 0.6])
    for _ in range(300):
        cost, wholesale = state.market.cost.copy(), state.brands.wholesale[2]  # terms in force during the tick
        engine.advance(state, 1)
        own = (state.sellers.price - cost) * state.last.quantity - state.last.fee
        fees = state.last.fee.sum()
        wholesale_margin = (wholesale - 0.6) * state.last.quantity[:2].sum()
        np.testing.assert_allclose(state.last.profit, own + [fees, 0.0, wholesale_margin], rtol=1e-12, atol=1e-12)
    industry = state.totals.revenue - state.market.true_cost * state.totals.quantity
    np.testing.assert_allclose(industry.sum(), state.totals.profit.sum(), rtol=1e-10)


def test_wholesale_moves_only_at_the_brand_period_and_never_below_cost():
    state = engine.build_state(supplied(wholesale={"price": 0.65, "step": 0.1}))
    seen = []
    for _ in range(144 * 6):
        engine.advance(state, 1)
        seen.append(state.brands.wholesale[2])
    changes = np.flatnonzero(np.diff(seen)) + 1
    assert changes.size > 0 and np.all((changes + 1) % 144 == 0)
    assert min(seen) >= 0.6
    np.testing.assert_allclose(state.market.cost[:2], state.market.own_cost[:2] + state.brands.wholesale[2])


def test_shops_respect_the_minimum_advertised_price():
    state = engine.run(supplied(wholesale={"map_price": 1.4}))
    assert np.all(state.records.price[:, :2] >= 1.4)
    assert np.any(state.records.price[:, 2] < 1.4) or state.records.price[0, 2] >= 1.4


def test_brand_leaves_the_platform_when_fees_eat_its_margin():
    kept = engine.run(supplied(delist_margin=0.2))
    assert kept.market.on_platform[2]
    left = engine.run(supplied(delist_margin=0.7))  # (0.85 x 1.5 - 0.6 - 0.05) / 1.5 = 0.42 < 0.7
    assert not left.market.on_platform[2] and left.market.visibility[0, 2] == 0.0
    assert left.records.fee[-1, 2] == 0.0 and left.records.quantity[-1, 2] > 0


def test_a_brand_in_both_channels_delists_only_from_the_platform():
    state = engine.build_state(supplied(channel="both", delist_margin=0.7))
    assert state.market.third_party[2] and state.market.dual_channel[2]
    engine.advance(state, 1)
    assert state.last.fee[2] > 0.0
    engine.advance(state, 143)
    market = state.market
    assert not market.on_platform[2] and not market.dual_channel[2] and not market.via_platform[:, 2].any()
    assert state.market.visibility[0, 2] == 0.0 and state.market.visibility[1, 2] == 1.0
    assert state.last.fee[2] == 0.0 and state.last.quantity[2] > 0.0  # its web shop still sells
    assert state.scratch.weight[1, 2] == 1.0


@pytest.mark.parametrize("change, message", [
    ({"supplier": "amazon"}, r"sellers\[1\]\.supplier = 'amazon': must name a brand"),
    ({"wholesale": {"price": 1.0}}, r"sellers\[1\]\.wholesale: only a brand sets wholesale terms"),
    ({"delist_margin": 0.3}, r"sellers\[1\]\.delist_margin = 0.3: only a brand listed on the platform"),
])
def test_bad_brand_terms(change, message):
    data = supplied().model_dump()
    data["sellers"][1].update(change)
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_dict(data)


def test_benchmarks_count_the_brand_stake():
    scenario = supplied()
    game = scenario.static_game()
    np.testing.assert_allclose(game.kappa[:, 1], 1.05)
    assert game.cost[1] == pytest.approx(0.75)
    np.testing.assert_allclose(game.stake_unit[:, 2, :2], 0.3)  # in both segments

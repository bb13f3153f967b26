from operator import attrgetter

import numpy as np
import pytest

from market import engine
from market.changes import CHANGE_TOLERANCE
from market.metrics import market_summary
from market.model import PricingModel
from market.scenario import Scenario
from market.state import FEE_INCOME, SHOPPERS


def duopoly(**changes) -> Scenario:
    data = {
        "name": "duopoly", "horizon": 300, "seed": 3,
        "demand": {"mu": 0.25, "shoppers_per_tick": 50.0, "arrivals": "poisson", "platform_only_share": 0.3},
        "platform": {"referral_fee": 0.15, "fulfilment_fee": 0.1, "featured_attention": 0.6},
        "sellers": [
            {"name": "amazon", "role": "platform", "strategy": "undercut", "params": {"step": 0.01, "floor": "nash"},
             "initial_price": "monopoly"},
            {"name": "third", "role": "retailer", "channel": "platform", "strategy": "edgeworth",
             "params": {"step": 0.03}, "period": 6, "phase": 2, "lag": 2, "initial_price": 1.8},
            {"name": "web", "role": "retailer", "strategy": "best_response", "period": 36, "lag": 5},
            {"name": "brand", "role": "brand", "cost": 0.8, "strategy": "grim_trigger", "period": 144, "phase": 7},
        ],
    }
    data.update(changes)
    return Scenario.from_dict(data)


def dual_channel(**changes) -> Scenario:
    """The duopoly with the third party in its own web shop as well as on the platform."""
    data = duopoly(**changes).model_dump()
    data["sellers"][1]["channel"] = "both"
    return Scenario.from_dict(data)


def channel_quantities(state, scenario):
    """This tick's units of each seller, in all and on the platform, from the logit formula and the featured offer.

    Listed offers that are not featured keep 1 - featured_attention of the attention of the shoppers who buy
    them on the platform; platform-only shoppers see only listed offers; the others see every offer and buy a
    dual-channel offer in its web shop, with full attention.
    """
    d = scenario.demand
    channel = np.array([s.listed_on for s in scenario.sellers])
    listed = channel != "web"
    not_featured = np.arange(len(channel)) != state.last.featured[0]
    buybox = np.where(listed & not_featured, 1 - scenario.platform.featured_attention, 1.0)
    e = np.exp((state.market.quality - state.sellers.price) / d.mu)
    outside = np.exp(d.outside_quality / d.mu)
    total, on_platform = 0.0, 0.0
    for weight, attention, via_platform in (
            (d.platform_only_share, np.where(listed, buybox, 0.0), listed),
            (1 - d.platform_only_share, np.where(channel == "platform", buybox, 1.0), channel == "platform")):
        units = state.last.market[SHOPPERS] * weight * attention * e / ((attention * e).sum() + outside)
        total = total + units
        on_platform = on_platform + np.where(via_platform, units, 0.0)
    return total, on_platform


DYNAMIC = ("sellers.price", "sellers.history", "sellers.memory", "last.quantity", "last.profit", "totals.price",
           "totals.quantity", "totals.profit", "totals.fee", "totals.changes", "totals.featured", "totals.market",
           "records.price", "records.quantity", "records.profit", "records.fee", "records.featured", "records.market")


def assert_same_state(a, b):
    for field in DYNAMIC:
        np.testing.assert_array_equal(attrgetter(field)(a), attrgetter(field)(b), err_msg=field)


NOISY_DEMAND = {"mu": 0.25, "shoppers_per_tick": 50.0, "arrivals": "poisson", "platform_only_share": 0.3,
                "xi_sd": 0.1, "choices": "sampled"}


@pytest.mark.parametrize("scenario", [duopoly(), duopoly(record_stride=7), duopoly(seed=99), dual_channel(),
                                      dual_channel(demand=NOISY_DEMAND)])
def test_stepping_the_model_equals_one_advance(scenario):
    model = PricingModel(scenario)
    for _ in range(scenario.horizon):
        model.step()
    fast = engine.run(scenario)
    assert_same_state(model.state, fast)


@pytest.mark.parametrize("scenario", [duopoly(), duopoly(demand=NOISY_DEMAND)])
def test_chunking_and_repetition_do_not_change_results(scenario):
    whole = engine.run(scenario)
    chunked = engine.build_state(scenario)
    for n in (1, 2, 50, 97, 150):
        engine.advance(chunked, n)
    assert_same_state(whole, chunked)
    assert_same_state(whole, engine.run(scenario))


def test_seed_changes_poisson_arrivals():
    a = engine.run(duopoly(seed=1))
    b = engine.run(duopoly(seed=2))
    assert not np.array_equal(a.records.market[:, SHOPPERS], b.records.market[:, SHOPPERS])
    assert np.all(a.records.market[:, SHOPPERS] == np.floor(a.records.market[:, SHOPPERS]))


def test_sellers_reprice_only_on_their_period_and_phase():
    state = engine.run(duopoly())
    price = state.records.price
    changed = np.flatnonzero(np.diff(price[:, 1]) != 0) + 1
    assert changed.size > 0 and np.all(changed % 6 == 2)
    changed_web = np.flatnonzero(np.diff(price[:, 2]) != 0) + 1
    assert np.all(changed_web % 36 == 0)


def test_lagged_seller_sees_old_prices():
    """An undercutter with lag L answers the rival's price of tick t-1-L."""
    rival_path = {"name": "rival", "strategy": "edgeworth", "params": {"step": 0.05, "floor": 1.3, "reset": 1.9},
                  "initial_price": 1.9}
    follower = {"name": "follower", "strategy": "match_lowest", "params": {"floor": 0.5, "ceiling": 3.0},
                "lag": 4, "initial_price": 1.9}
    scenario = Scenario.from_dict({"horizon": 60, "sellers": [rival_path, follower]})
    price = engine.run(scenario).records.price
    for t in range(60):
        seen = price[t - 5, 0] if t >= 5 else 1.9
        assert price[t, 1] == seen


def test_fees_paid_equal_fees_received_each_tick():
    state = engine.build_state(duopoly())
    for _ in range(200):
        engine.advance(state, 1)
        assert state.last.fee.sum() == pytest.approx(state.last.market[FEE_INCOME], rel=1e-12)
        third = 1
        expected = (0.15 * state.sellers.price[third] + 0.1) * state.last.quantity[third]
        assert state.last.fee[third] == pytest.approx(expected, rel=1e-12)
        assert state.last.fee[[0, 2, 3]].sum() == 0.0
    revenue_minus_cost = state.totals.revenue - state.market.cost * state.totals.quantity
    assert state.totals.profit.sum() == pytest.approx(revenue_minus_cost.sum(), rel=1e-12)


def test_a_dual_channel_seller_pays_fees_on_its_platform_sales_only():
    scenario = dual_channel()
    state = engine.build_state(scenario)
    for _ in range(200):
        engine.advance(state, 1)
        quantity, on_platform = channel_quantities(state, scenario)
        np.testing.assert_allclose(state.last.quantity, quantity, rtol=1e-12)
        assert 0.0 < on_platform[1] < quantity[1]
        assert state.last.fee[1] == pytest.approx((0.15 * state.sellers.price[1] + 0.1) * on_platform[1], rel=1e-12)
        assert state.last.fee.sum() == pytest.approx(state.last.market[FEE_INCOME], rel=1e-12)
        assert state.last.fee[[0, 2, 3]].sum() == 0.0
    assert state.totals.featured[1] > 0  # its platform listing competes for the featured offer
    revenue_minus_cost = state.totals.revenue - state.market.cost * state.totals.quantity
    assert state.totals.profit.sum() == pytest.approx(revenue_minus_cost.sum(), rel=1e-12)


def test_featured_offer_is_the_lowest_listed_price():
    state = engine.run(duopoly())
    price = state.records.price
    featured = state.records.featured
    listed = price[:, :2]
    np.testing.assert_array_equal(featured, np.argmin(listed, axis=1))


def test_best_response_dynamics_reach_static_nash():
    sellers = [{"name": n, "strategy": "best_response", "cost": c, "quality": a, "initial_price": 3.0}
               for n, c, a in (("a", 1.0, 2.0), ("b", 1.2, 2.3), ("c", 0.9, 1.9))]
    scenario = Scenario.from_dict({"horizon": 200, "demand": {"mu": 0.3}, "sellers": sellers})
    state = engine.run(scenario)
    # the dynamics stop once each best response moves a price by less than CHANGE_TOLERANCE (market.changes)
    np.testing.assert_allclose(state.sellers.price, scenario.benchmarks.nash_price, rtol=10 * CHANGE_TOLERANCE)


def test_no_platform_offer_means_nothing_featured():
    sellers = [{"name": n, "strategy": "fixed", "params": {"price": 1.5}} for n in "ab"]
    state = engine.run(Scenario.from_dict({"horizon": 5, "sellers": sellers}))
    assert np.all(state.records.featured == -1)


def test_negative_ticks_rejected():
    state = engine.build_state(duopoly())
    with pytest.raises(ValueError, match="n_ticks = -1"):
        engine.advance(state, -1)


def test_delta_is_zero_at_nash_and_one_at_monopoly_whatever_the_footfall():
    for price, expected in (("nash", 0.0), ("monopoly", 1.0)):
        sellers = [{"name": n, "strategy": "fixed", "params": {"price": price}} for n in "ab"]
        scenario = Scenario.from_dict({"horizon": 500, "seed": 4, "sellers": sellers,
                                       "demand": {"shoppers_per_tick": 20.0, "arrivals": "poisson"}})
        state = engine.run(scenario)
        assert market_summary(state, scenario.benchmarks, 144)["delta"] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("value, shown", [(np.inf, "inf"), (np.nan, "nan"), (-1.0, "-1.0")])
def test_a_kernel_price_that_is_no_price_is_refused_naming_seller_strategy_and_tick(value, shown):
    """Like the issue's rule that returns inf when it sees no rival: the third party's Edgeworth repricer, its
    step so large that it resets, resets to inf, NaN or a negative price at its next repricing (tick 8)."""
    from market.errors import PriceError

    state = engine.build_state(duopoly())
    engine.advance(state, 5)
    state.sellers.param[1, 0] = 1e9  # edgeworth's step: below its floor, so it resets
    state.sellers.param[1, 2] = value  # to its reset price
    with pytest.raises(PriceError) as caught:
        engine.advance(state, 20)
    message = str(caught.value)
    assert message.startswith(f"seller 'third' (strategy 'edgeworth') chose the price {shown} at tick 8: "), message
    assert "\n" not in message and state.t == 8, "stopped before the tick, the tick's prices not applied"
    with pytest.raises(PriceError):
        engine.advance(state, 1)

"""Stock, storage fees and the destroy-or-donate decision, checked on the engine's arrays tick by tick."""

from operator import attrgetter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.configs import CONFIG_DIR
from market import engine, interventions, results
from market.demand import logit_demand
from market.inventory import (
    DESTROYED,
    DONATED,
    FLOWS,
    PAYEES,
    RECEIVED,
    RETURNED,
    SERVICES,
    SOLD,
    SOLD_OFF,
    STATE,
    STORAGE,
    WRITE_OFF,
)
from market.model import PricingModel
from market.scenario import Scenario, ScenarioError
from market.state import FEE_INCOME, SHOPPERS, SURPLUS
from tests.market.test_engine import channel_quantities

TPD = 144


STOCK = {
    "platform": {"initial_stock": 1500.0, "batch": 1000.0, "reorder_point": 600.0, "lead_time_ticks": 30,
                 "large_firm": True, "review_days": 1.0, "cover_days": 0.5},
    "overseas": {"initial_stock": 3000.0, "batch": 800.0, "reorder_point": 300.0, "lead_time_ticks": 100,
                 "origin": "overseas", "review_days": 1.0, "cover_days": 0.5},
    "domestic": {"initial_stock": 400.0, "batch": 300.0, "reorder_point": 100.0, "lead_time_ticks": 20,
                 "review_days": 0.5, "cover_days": 0.25},
    "shop": {"initial_stock": 200.0, "warehouse": "own", "review_days": 1.0},
}


def stocked(inventory=None, sellers=None, extra=(), horizon=3 * TPD, **changes) -> Scenario:
    """Platform, an overseas and a domestic seller in the platform's warehouse, a web shop with its own stock."""
    data = {
        "name": "stocked", "horizon": horizon, "seed": 11, "record_stride": 1,
        "demand": {"mu": 0.25, "shoppers_per_tick": 20.0, "arrivals": "poisson", "platform_only_share": 0.4},
        "platform": {"referral_fee": 0.15, "fulfilment_fee": 0.05, "featured_attention": 0.7},
        "inventory": {"long_term_days": 1.0, "selloff_days": 0.25, "demand_decay_per_day": 0.3,
                      "sellers": STOCK if sellers is None else sellers, **(inventory or {})},
        "sellers": [
            {"name": "platform", "role": "platform", "strategy": "undercut",
             "params": {"step": 0.01, "floor": "cost"}, "initial_price": "monopoly"},
            {"name": "overseas", "channel": "platform", "cost": 0.9, "strategy": "edgeworth",
             "params": {"step": 0.03, "floor": "cost"}, "period": 6, "phase": 1, "lag": 2},
            {"name": "domestic", "channel": "platform", "strategy": "undercut", "params": {"step": 0.02},
             "period": 3},
            {"name": "shop", "strategy": "match_lowest", "params": {"floor": "nash"}, "period": 36, "lag": 5},
        ],
        "interventions": [interventions.CATALOG[name] | {"name": name} for name in extra],
    }
    data.update(changes)
    return Scenario.from_dict(data)


def step_through(scenario):
    """The state after each tick, one ``advance(state, 1)`` at a time."""
    state = engine.build_state(scenario)
    for _ in range(scenario.horizon):
        engine.advance(state, 1)
        yield state


def held(v):
    return np.array([sum(v.cohort_units[i, (v.cohort_head[i] + k) % v.cohort_units.shape[1]]
                         for k in range(v.cohort_count[i])) for i in range(v.stock.shape[0])])


def test_stock_is_conserved_for_every_seller_at_every_tick():
    fates = np.zeros(len(FLOWS))
    for state in step_through(stocked()):
        v = state.inventory
        out = v.total_units[:, SOLD:].sum(axis=1)
        np.testing.assert_allclose(v.total_units[:, RECEIVED], out + v.stock, rtol=1e-11, atol=1e-9)
        np.testing.assert_allclose(held(v), v.stock, rtol=1e-12, atol=1e-9)
        assert np.all(v.stock >= -1e-9)
        sold = v.last_units[:, SOLD] + v.last_units[:, SOLD_OFF]
        np.testing.assert_allclose(sold, state.last.quantity, rtol=1e-12, atol=1e-9)
        fates += v.last_units.sum(axis=0)
    assert np.all(fates[[SOLD, SOLD_OFF, DESTROYED]] > 0), fates  # the season exercises the paths tested


def test_money_is_conserved_at_every_tick():
    for state in step_through(stocked(extra=["destruction_ban"])):
        v = state.inventory
        paid = v.last_paid[:, :WRITE_OFF].sum()
        assert paid == pytest.approx(v.last_received.sum(), rel=1e-12, abs=1e-12)
        operating = np.sum(state.last.revenue - state.market.cost * state.last.quantity)
        outside = v.last_received[SERVICES] + v.last_received[STATE]
        assert state.last.profit.sum() == pytest.approx(operating - v.last_paid[:, WRITE_OFF].sum() - outside,
                                                        rel=1e-10, abs=1e-9)
    assert v.total_received[STATE] > 0 and v.total_received[SERVICES] > 0


def test_storage_is_charged_per_unit_month_with_the_long_term_surcharge_and_cap():
    """A seller that never sells: 600 units pay f/month per tick, f + f_L once a day old, capped at 0.05."""
    sellers = {"overseas": {"initial_stock": 600.0, "review_days": 10.0}}
    price = {"strategy": "fixed", "params": {"price": 50.0}, "initial_price": 50.0}
    base = stocked(sellers=sellers, horizon=2 * TPD)
    data = base.model_dump()
    data["sellers"][1].update(price)
    month = 30 * TPD
    capped = [{"kind": "storage_fee_cap", "max_fee": 0.03}]
    for rules, expected_young, expected_old in (([], 0.03, 0.18), (capped, 0.03, 0.03)):
        scenario = Scenario.from_dict(data | {"interventions": rules})
        fee = np.array([s.inventory.last_paid[1, STORAGE] for s in step_through(scenario)])
        np.testing.assert_allclose(fee[:TPD], 600 * expected_young / month, rtol=1e-12)
        np.testing.assert_allclose(fee[TPD:], 600 * expected_old / month, rtol=1e-12)


def test_restocking_arrives_after_the_lead_time():
    sellers = {"domestic": {"initial_stock": 0.0, "batch": 50.0, "reorder_point": 120.0, "lead_time_ticks": 7,
                            "review_days": 10.0}}
    arrivals = [s.inventory.last_units[2, RECEIVED] for s in step_through(stocked(sellers=sellers, horizon=20))]
    assert arrivals[:7] == [0.0] * 7 and arrivals[7] == 150.0  # three batches ordered at tick 0 reach R
    assert sum(arrivals) >= 150.0


def test_a_sold_out_offer_gets_no_attention_and_its_shoppers_choose_again():
    sellers = {"platform": {"initial_stock": 40.0, "review_days": 10.0}}
    limited = stocked(sellers=sellers, horizon=30, inventory={"demand_decay_per_day": 0.0})
    free = engine.build_state(stocked(sellers={}, horizon=30, inventory={"demand_decay_per_day": 0.0}))
    before = 40.0
    for state in step_through(limited):
        engine.advance(free, 1)
        if state.inventory.stock[0] == 0.0:
            break
        before = state.inventory.stock[0]
    out = state.t - 1
    assert 0 < out < 29 and state.last.quantity[0] == pytest.approx(before, rel=1e-12)
    assert np.all(state.last.quantity[1:] > free.last.quantity[1:])
    assert state.last.quantity.sum() < free.last.quantity.sum()  # some displaced shoppers leave
    # D displaced shoppers choose by logit among the offers left: q_j += D s2_j, CS += D (CS2 - CS1)
    shoppers = state.last.market[SHOPPERS]
    displaced = free.last.quantity[0] - before
    s2, cs2 = logit_demand(state.sellers.price, state.market.quality, state.market.mu, state.market.outside_quality,
                           state.scratch.weight, state.market.segment_weight)
    np.testing.assert_allclose(state.last.quantity[1:], free.last.quantity[1:] + displaced * s2[1:], rtol=1e-10)
    expected = free.last.market[SURPLUS] + displaced * (cs2 - free.last.market[SURPLUS] / shoppers)
    assert state.last.market[SURPLUS] == pytest.approx(expected, rel=1e-10) and expected < free.last.market[SURPLUS]
    later = engine.advance(engine.build_state(limited), out + 2)
    assert later.last.quantity[0] == 0.0 and np.all(later.scratch.weight[:, 0] == 0.0) and later.last.featured[0] != 0


@pytest.mark.parametrize("inventory, extra, fate", [
    ({}, (), DESTROYED),
    ({"destruction_fee": 0.5, "return_cost_domestic": 0.3}, (), DONATED),  # VAT 0.2 x cost 1.0
    ({"return_cost_domestic": 0.05}, (), RETURNED),
    ({"vat_rate": 0.0}, (), DONATED),
    ({"return_cost_domestic": 0.1}, (), RETURNED),      # a tie goes to the first of return, donate, destroy
    ({}, ("destruction_ban",), RETURNED),               # return 0.20 ties with VAT 0.2 x 1.0
    ({"return_cost_domestic": 0.3}, ("destruction_ban",), DONATED),
    ({}, ("eu_textile_destruction_ban",), DESTROYED),   # a small firm: not covered
    ({"large_firm": True}, ("eu_textile_destruction_ban",), RETURNED),
])
def test_unsold_stock_goes_to_the_cheapest_allowed_fate(inventory, extra, fate):
    """A domestic seller priced out of the market; a fulfilment fee of 1 makes a sell-off the dearest fate."""
    large = inventory.pop("large_firm", False)
    sellers = {"domestic": {"initial_stock": 500.0, "review_days": 1.0, "large_firm": large}}
    scenario = stocked(sellers=sellers, horizon=TPD, extra=extra, inventory={"selloff_price": 0.05, **inventory},
                       platform={"referral_fee": 0.15, "fulfilment_fee": 1.0})
    data = scenario.model_dump()
    data["sellers"][2].update({"strategy": "fixed", "params": {"price": 50.0}, "initial_price": 50.0})
    v = engine.run(Scenario.from_dict(data)).inventory
    assert v.total_units[2, fate] == pytest.approx(500.0) and v.stock[2] == pytest.approx(0.0, abs=1e-9)
    assert v.total_units[2, SOLD_OFF] == 0.0


def test_a_sell_off_posts_the_liquidation_price_then_restores_the_price():
    sellers = {"shop": {"initial_stock": 5000.0, "review_days": 0.5, "cover_days": 0.1}}
    scenario = stocked(sellers=sellers, horizon=TPD, inventory={"selloff_days": 0.1})
    data = scenario.model_dump()
    data["sellers"][3].update({"strategy": "fixed", "params": {"price": 1.6}, "initial_price": 1.6, "cost": 1.0})
    scenario = Scenario.from_dict(data)
    price = np.array([s.sellers.price[3] for s in step_through(scenario)])
    liquidating = np.flatnonzero(price == 0.6)
    assert liquidating[0] == TPD // 2 and liquidating.size <= 0.1 * TPD + 1
    assert np.all(price[:TPD // 2] == 1.6) and np.all(price[liquidating[-1] + 1:] == 1.6)
    v = engine.run(scenario).inventory
    assert v.total_units[3, SOLD_OFF] > 0 and v.total_units[3, DESTROYED] > 0  # beyond the sell-off's reach


def shipped_with_stock():
    return [p for p in sorted(CONFIG_DIR.glob("*.toml")) if "[inventory" in p.read_text()]


@pytest.mark.parametrize("path", shipped_with_stock(), ids=lambda p: p.stem)
def test_no_unit_destroyed_under_the_ban_in_shipped_scenarios(path):
    base = Scenario.from_toml(path)
    assert engine.run(base).inventory.total_units[:, DESTROYED].sum() > 0
    banned = engine.run(base.with_interventions([interventions.named("destruction_ban")])).inventory
    assert banned.total_units[:, DESTROYED].sum() == 0.0 and banned.total_units[:, DONATED].sum() > 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(destruction_fee=st.floats(0.0, 2.0), vat_rate=st.floats(0.0, 1.0), domestic=st.floats(0.0, 2.0),
       selloff_price=st.floats(0.05, 2.0), decay=st.floats(0.0, 1.0), seed=st.integers(0, 2**32),
       batch=st.floats(1.0, 500.0), reorder=st.floats(1.0, 2000.0), lead=st.integers(1, 60))
def test_no_unit_destroyed_under_the_ban_in_generated_scenarios(destruction_fee, vat_rate, domestic, selloff_price,
                                                                decay, seed, batch, reorder, lead):
    """Random fees and stock policies: no destruction, and stock conserved (rings never overflow)."""
    policy = {"initial_stock": 100.0, "batch": batch, "reorder_point": reorder, "lead_time_ticks": lead,
              "review_days": 0.5}
    scenario = stocked(extra=["destruction_ban"], horizon=2 * TPD, seed=seed, sellers={**STOCK, "domestic": policy},
                       inventory={"destruction_fee": destruction_fee, "vat_rate": vat_rate,
                                  "return_cost_domestic": domestic, "selloff_price": selloff_price,
                                  "demand_decay_per_day": decay})
    v = engine.run(scenario).inventory
    assert v.total_units[:, DESTROYED].sum() == 0.0
    np.testing.assert_allclose(v.total_units[:, RECEIVED], v.total_units[:, SOLD:].sum(axis=1) + v.stock,
                               rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(held(v), v.stock, rtol=1e-12, atol=1e-9)


INVENTORY_ARRAYS = ("stock", "cohort_units", "cohort_tick", "order_units", "total_units", "total_paid",
                    "total_received", "record_stock", "selloff_left")


def test_a_dual_channel_seller_that_sells_out_keeps_its_channel_split():
    data = stocked(sellers={"domestic": {"initial_stock": 30.0, "review_days": 10.0}}, horizon=100,
                   inventory={"demand_decay_per_day": 0.0}).model_dump()
    data["sellers"][2]["channel"] = "both"
    scenario = Scenario.from_dict(data)
    for state in step_through(scenario):
        uncapped, on_platform = channel_quantities(state, scenario)
        fee = (0.15 * state.sellers.price[2] + 0.05) * on_platform[2] / uncapped[2] * state.last.quantity[2]
        assert state.last.fee[2] == pytest.approx(fee, rel=1e-12) and state.last.fee[2] > 0.0
        assert state.last.fee.sum() == pytest.approx(state.last.market[FEE_INCOME], rel=1e-12)
        if state.inventory.stock[2] == 0.0:
            break
    assert state.t < 100 and state.last.quantity[2] < uncapped[2]  # sold out, sales capped, split kept


def test_stepping_the_model_equals_one_advance_with_stock():
    scenario = stocked(extra=["destruction_ban"], horizon=TPD + 50)
    model = PricingModel(scenario)
    for _ in range(scenario.horizon):
        model.step()
    fast = engine.run(scenario)
    chunked = engine.build_state(scenario)
    for n in (1, 70, 100, 23):
        engine.advance(chunked, n)
    for other in (model.state, chunked):
        for field in ("sellers.price", "sellers.history", "records.price", "records.quantity", "records.profit",
                      "totals.profit", "totals.market"):
            np.testing.assert_array_equal(attrgetter(field)(other), attrgetter(field)(fast), err_msg=field)
        for field in INVENTORY_ARRAYS:
            np.testing.assert_array_equal(getattr(other.inventory, field), getattr(fast.inventory, field),
                                          err_msg=field)


@pytest.mark.parametrize("path", shipped_with_stock(), ids=lambda p: p.stem)
def test_shipped_scenarios_with_stock_step_as_they_advance_and_repeat(path):
    scenario = Scenario.from_toml(path).replace(horizon=2 * TPD)
    model = PricingModel(scenario)
    for _ in range(scenario.horizon):
        model.step()
    for other in (engine.run(scenario), engine.run(scenario)):
        np.testing.assert_array_equal(model.state.records.price, other.records.price)
        for field in INVENTORY_ARRAYS:
            np.testing.assert_array_equal(getattr(model.state.inventory, field), getattr(other.inventory, field),
                                          err_msg=field)


def test_an_inventory_table_without_stock_changes_nothing():
    with_table = engine.run(stocked(sellers={}, inventory={"demand_decay_per_day": 0.0}))
    data = stocked(sellers={}).model_dump()
    data.pop("inventory")
    without = engine.run(Scenario.from_dict(data))
    for field in ("sellers.price", "records.price", "records.quantity", "records.profit", "records.market",
                  "totals.profit"):
        np.testing.assert_array_equal(attrgetter(field)(with_table), attrgetter(field)(without), err_msg=field)


def test_demand_falls_over_the_season():
    scenario = stocked(sellers={}, demand={"shoppers_per_tick": 20.0}, inventory={"demand_decay_per_day": 0.5})
    shoppers = engine.run(scenario).records.market[:, SHOPPERS]
    np.testing.assert_allclose(shoppers, 20.0 * np.exp(-0.5 * np.arange(3 * TPD) / TPD), rtol=1e-12)


def test_frames_keep_a_fixed_column_set_with_zeros_without_stock():
    data = stocked().model_dump()
    data.pop("inventory")
    plain, rich = Scenario.from_dict(data), stocked()
    plain_state, rich_state = engine.run(plain), engine.run(rich)
    for frame in (results.sellers, results.summary, results.timeseries):
        assert frame(plain_state, plain).columns == frame(rich_state, rich).columns
    summary = results.summary(plain_state, plain)
    assert summary["units_destroyed"][0] == 0.0 and summary["storage_fees"][0] == 0.0
    assert results.summary(rich_state, rich)["units_destroyed"][0] > 0


def test_scenario_with_stock_round_trips_through_toml(tmp_path):
    scenario = stocked(extra=["destruction_ban", "donation_vat_relief"])
    path = tmp_path / "s.toml"
    path.write_text(scenario.to_toml())
    assert Scenario.from_toml(path) == scenario
    assert len(PAYEES) == 3


@pytest.mark.parametrize("path, value, message", [
    ("inventory.sellers.shop.initial_stock", -5.0, "inventory.sellers.shop.initial_stock = -5.0: Input should be "
                                                   "greater than or equal to 0"),
    ("inventory.sellers.shop.lead_time_ticks", 0, "inventory.sellers.shop.lead_time_ticks = 0: Input should be "
                                                  "greater than or equal to 1"),
    ("inventory.destruction_fee", -0.1, "inventory.destruction_fee = -0.1: Input should be greater than or "
                                        "equal to 0"),
    ("inventory.storage_fee", float("nan"), "inventory.storage_fee = nan: Input should be a finite number"),
    ("inventory.vat_rate", 1.5, "inventory.vat_rate = 1.5: Input should be less than or equal to 1"),
])
def test_bad_input_names_the_field_the_value_and_what_is_allowed(path, value, message):
    with pytest.raises(ScenarioError) as err:
        stocked().with_values({path: value})
    assert str(err.value) == message


def test_a_batch_without_a_reorder_point_is_refused():
    with pytest.raises(ScenarioError, match=r"inventory.sellers.shop = .*batch = 5.0, reorder_point = 0.0: "
                                            r"reordering needs both > 0"):
        stocked().with_values({"inventory.sellers.shop.batch": 5.0})


def test_stock_for_an_unknown_seller_is_refused():
    with pytest.raises(ScenarioError, match=r"inventory.sellers.ghost: no seller named 'ghost'; sellers: platform"):
        stocked(sellers={"ghost": {"initial_stock": 1.0}})


def test_bad_intervention_parameters_are_refused():
    with pytest.raises(interventions.InterventionError, match="scope = 'medium'"):
        interventions.parse({"kind": "destruction_ban", "scope": "medium"})
    with pytest.raises(interventions.InterventionError, match="max_fee = -1"):
        interventions.parse({"kind": "storage_fee_cap", "max_fee": -1})


def test_sell_offs_drag_the_repricers_prices_down():
    """In the shipped season undercutters chase liquidation prices: the others price lower during sell-offs."""
    scenario = Scenario.from_toml(CONFIG_DIR / "unsold_goods.toml")
    state = engine.run(scenario)
    during, ticks_during, other, ticks_other = state.inventory.selloff_prices
    assert ticks_during > 0 and ticks_other > 0 and ticks_during + ticks_other <= scenario.horizon
    gap = results.summary(state, scenario)["selloff_price_gap"][0]
    assert gap == pytest.approx(during / ticks_during - other / ticks_other) and gap < -0.1

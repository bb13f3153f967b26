"""Each intervention enforced at the kernel, tested directly on the engine's arrays."""

import numpy as np
import pytest

from market import engine, interventions
from market.interventions import InterventionError
from market.scenario import Scenario, ScenarioError


def price_war(extra=(), horizon=2 * 144, **changes) -> Scenario:
    """Two platform-listed undercutters and an Edgeworth web shop: prices move every tick."""
    data = {
        "name": "war", "horizon": horizon, "seed": 5,
        "demand": {"mu": 0.25, "shoppers_per_tick": 10.0, "platform_only_share": 0.5},
        "platform": {"referral_fee": 0.15, "featured_attention": 0.8},
        "sellers": [
            {"name": "amazon", "role": "platform", "strategy": "edgeworth",
             "params": {"step": 0.02, "floor": "cost", "reset": "monopoly"}, "initial_price": "monopoly"},
            {"name": "third", "channel": "platform", "strategy": "edgeworth",
             "params": {"step": 0.03, "floor": "cost", "reset": "monopoly"}, "period": 2, "phase": 1},
            {"name": "shop", "strategy": "undercut", "params": {"step": 0.01, "floor": "nash"}, "period": 3},
            {"name": "brand", "role": "brand", "strategy": "cost_plus", "params": {"markup": 1.0}, "cost": 0.8},
        ],
        "interventions": [interventions.CATALOG[name] | {"name": name} for name in extra],
    }
    data.update(changes)
    return Scenario.from_dict(data)


def changes_of(price):
    return np.diff(price, axis=0) != 0


def test_without_rules_prices_change_often():
    price = engine.run(price_war()).records.price
    assert changes_of(price)[:, 0].sum() > 50


def test_once_a_day_cap_no_two_changes_within_144_ticks():
    state = engine.run(price_war(["once_a_day"], horizon=5 * 144))
    changed = changes_of(state.records.price)
    for i in range(state.n_sellers):
        ticks = np.flatnonzero(changed[:, i]) + 1
        assert np.all(np.diff(ticks) >= 144), (i, ticks)
    assert changed.sum() >= 5  # the cap binds but prices still move


def test_noon_rule_increases_only_at_noon():
    state = engine.run(price_war(["austria_noon"], horizon=4 * 144))
    price = state.records.price
    up = np.diff(price, axis=0) > 0
    ticks = np.nonzero(up)[0] + 1
    assert ticks.size > 0 and np.all(ticks % 144 == 72)
    down = np.nonzero(np.diff(price, axis=0) < 0)[0] + 1
    assert np.any(down % 144 != 72)  # decreases any time


def test_wa_rule_one_price_a_day_from_6am():
    state = engine.run(price_war(["wa_24h"], horizon=4 * 144))
    ticks = np.nonzero(changes_of(state.records.price))[0] + 1
    assert ticks.size > 0 and np.all(ticks % 144 == 36)


def test_min_lag_delays_reactions():
    follower = {"name": "follower", "strategy": "match_lowest", "params": {"floor": 0.5, "ceiling": 3.0},
                "initial_price": 1.9}
    leader = {"name": "leader", "strategy": "edgeworth", "params": {"step": 0.05, "floor": 1.3, "reset": 1.9},
              "initial_price": 1.9}
    scenario = Scenario.from_dict({"horizon": 80, "sellers": [leader, follower],
                                   "interventions": [{"kind": "min_lag", "ticks": 6}]})
    price = engine.run(scenario).records.price
    for t in range(80):
        assert price[t, 1] == (price[t - 7, 0] if t >= 7 else 1.9)


def test_price_bounds_hold_every_tick():
    scenario = price_war(["price_floor_nash", "price_cap_monopoly"])
    state = engine.run(scenario)
    b = scenario.benchmarks
    assert np.all(state.records.price >= b.nash_price - 1e-12)
    assert np.all(state.records.price <= b.monopoly_price + 1e-12)


def test_ban_switches_off_rival_conditioned_strategies():
    scenario = price_war(["no_rival_pricing"])
    state = engine.run(scenario)
    for i, seller in enumerate(scenario.sellers):
        if state.sellers.rival_conditioned[i]:
            assert np.all(state.records.price[:, i] == state.records.price[0, i]), seller.name
    assert state.totals.changes[:3].sum() == 0


def fixed_pair(p_platform, p_third, **platform):
    sellers = [{"name": "amazon", "role": "platform", "strategy": "fixed", "params": {"price": p_platform}},
               {"name": "third", "channel": "platform", "strategy": "fixed", "params": {"price": p_third}}]
    return {"horizon": 3, "sellers": sellers, "demand": {"platform_only_share": 1.0},
            "platform": {"featured_attention": 0.9, **platform}}


def test_self_preference_and_neutral_buybox():
    biased = Scenario.from_dict(fixed_pair(1.6, 1.5, self_preference=0.1))
    assert np.all(engine.run(biased).records.featured == 0)  # 1.6 / 1.1 < 1.5
    neutral = biased.with_interventions([interventions.named("neutral_buybox")])
    assert np.all(engine.run(neutral).records.featured == 1)


def test_pdp_shows_only_the_lowest_price():
    base = Scenario.from_dict(fixed_pair(1.6, 1.5))
    plain = engine.run(base)
    assert plain.records.quantity[0, 0] > 0
    pdp = engine.run(base.with_interventions([interventions.named("pdp")]))
    assert np.all(pdp.records.quantity[:, 0] == 0) and np.all(pdp.records.quantity[:, 1] > 0)


def test_dynamic_pdp_keeps_the_incumbent_on_a_match():
    leader = {"name": "leader", "channel": "platform", "strategy": "fixed", "params": {"price": 1.5}}
    matcher = {"name": "matcher", "channel": "platform", "strategy": "match_lowest",
               "params": {"floor": 1.0, "ceiling": 2.0}, "initial_price": 1.8}
    data = {"horizon": 5, "sellers": [leader, matcher], "demand": {"platform_only_share": 1.0}}
    static_pdp = engine.run(Scenario.from_dict({**data, "interventions": [{"kind": "buybox", "rule": "pdp"}]}))
    assert static_pdp.records.quantity[1:, 1].min() > 0  # a match shares prominence under PDP
    dynamic = engine.run(Scenario.from_dict({**data, "interventions": [{"kind": "buybox", "rule": "dynamic_pdp"}]}))
    assert np.all(dynamic.records.featured == 0) and np.all(dynamic.records.quantity[:, 1] == 0)


def test_fee_cap_lowers_fees_paid():
    base = price_war()
    capped = base.with_interventions([interventions.named("fee_cap_8")])
    state = engine.build_state(capped)
    engine.advance(state, 10)
    third = 1
    expected = (0.08 * state.sellers.price[third] + 0.0) * state.last.quantity[third]
    assert state.last.fee[third] == pytest.approx(expected, rel=1e-12)
    assert capped.referral_fee == 0.08 and base.referral_fee == 0.15


def test_audit_fines_supra_competitive_prices():
    sellers = [{"name": n, "strategy": "fixed", "params": {"price": "monopoly"}} for n in "ab"]
    data = {"horizon": 100, "sellers": sellers,
            "interventions": [{"kind": "audit", "period": 50, "tolerance": 0.05, "fine_share": 0.5}]}
    state = engine.run(Scenario.from_dict(data))
    assert np.all(state.totals.fine > 0)
    profit_without_fine = state.totals.revenue - state.market.cost * state.totals.quantity
    np.testing.assert_allclose(state.totals.fine, 0.5 * profit_without_fine, rtol=1e-12)
    np.testing.assert_allclose(state.totals.profit, 0.5 * profit_without_fine, rtol=1e-12)
    data["sellers"] = [{"name": n, "strategy": "fixed", "params": {"price": "nash"}} for n in "ab"]
    assert np.all(engine.run(Scenario.from_dict(data)).totals.fine == 0)


def test_rules_switch_between_ticks():
    state = engine.build_state(price_war())
    engine.advance(state, 20)
    state.rules.value[interventions.BAN_RIVAL] = 1.0
    before = state.sellers.price.copy()
    engine.advance(state, 20)
    assert np.all(state.sellers.price[state.sellers.rival_conditioned] == before[state.sellers.rival_conditioned])


@pytest.mark.parametrize("name", sorted(interventions.CATALOG))
def test_every_catalog_rule_runs(name):
    rule = interventions.named(name)
    assert rule.description
    state = engine.run(price_war([name], horizon=200))
    assert np.all(np.isfinite(state.records.price))


@pytest.mark.parametrize("data, message", [
    ({"kind": "change_cap", "max_changes": 0}, r"max_changes = 0"),
    ({"kind": "increase_hour", "hour": 24}, r"hour = 24"),
    ({"kind": "daily_price", "hour": -1}, r"hour = -1"),
    ({"kind": "price_bounds", "floor": 2.0, "ceiling": 1.0}, r"floor = 2.0: must not exceed ceiling"),
    ({"kind": "price_bounds"}, r"needs a floor, a ceiling or both"),
    ({"kind": "fee_cap", "max_referral_fee": -0.1}, r"max_referral_fee = -0.1"),
    ({"kind": "curfew"}, r"kind"),
    ({"kind": "min_lag", "ticks": 6, "hours": 3}, r"hours: unknown field"),
])
def test_bad_interventions_are_named(data, message):
    with pytest.raises(InterventionError, match=message):
        interventions.parse(data)


def test_unknown_name_and_contradictions():
    with pytest.raises(InterventionError, match="intervention 'curfew': unknown; known: .*once_a_day"):
        interventions.named("curfew")
    with pytest.raises(ScenarioError, match=r"interventions\[0\] \(increase_hour\): hour rules need tick_minutes"):
        price_war(["austria_noon"], tick_minutes=7)
    with pytest.raises(ScenarioError, match=r"reaction lag 2000 ticks"):
        price_war(interventions=[{"kind": "min_lag", "ticks": 2000}])
    with pytest.raises(InterventionError, match="floor .* above ceiling"):
        engine.build_state(price_war(interventions=[{"kind": "price_bounds", "floor": "monopoly", "ceiling": "nash"}]))


def test_model_switches_interventions_between_ticks():
    from market.model import PricingModel

    model = PricingModel(price_war(), collect=False)
    model.advance(30)
    model.set_interventions([interventions.named("no_rival_pricing")])
    assert model.config.interventions[0].kind == "ban_rival_pricing"
    before = model.state.sellers.price.copy()
    for _ in range(20):
        model.step()
    conditioned = model.state.sellers.rival_conditioned
    assert np.all(model.state.sellers.price[conditioned] == before[conditioned])
    model.set_interventions([])
    model.advance(50)
    assert np.any(model.state.sellers.price[conditioned] != before[conditioned])
    with pytest.raises(ScenarioError):
        model.set_interventions([interventions.parse({"kind": "min_lag", "ticks": 5000})])


@pytest.mark.parametrize("tick_minutes", [5, 10, 60])
def test_the_catalog_is_in_hours_and_compiles_to_the_ticks_of_the_scenario(tick_minutes):
    """Every catalog rule runs on a clock of 5, 10 or 60 minutes a tick; windows, lags and hours stated in time become
    the ticks that last that long, and a once-a-day cap keeps a day between changes whatever a tick lasts."""
    hour = 60 // tick_minutes
    rules = interventions
    expected = {"once_a_day": {rules.CHANGE_WINDOW: 24 * hour}, "hourly_cap": {rules.CHANGE_WINDOW: hour},
                "min_lag_1h": {rules.MIN_LAG: hour}, "weekly_audit": {rules.AUDIT_PERIOD: 168 * hour},
                "austria_noon": {rules.INCREASE_TICK: 12 * hour}, "wa_24h": {rules.DAILY_TICK: 6 * hour,
                                                                              rules.NOTICE: 16 * hour}}
    for name in interventions.CATALOG:
        state = engine.build_state(price_war([name], tick_minutes=tick_minutes))
        for slot, ticks in expected.get(name, {}).items():
            assert state.rules.value[slot] == ticks, (name, slot)
        engine.advance(state, 100)
        assert np.all(np.isfinite(state.sellers.price)), name
    day = 24 * hour
    state = engine.run(price_war(["once_a_day"], horizon=4 * day, tick_minutes=tick_minutes))
    for i in range(state.n_sellers):
        assert np.all(np.diff(np.flatnonzero(changes_of(state.records.price)[:, i])) >= day)

"""Demand profiles: the factor on each tick sums as stated, equal weights change nothing, bad ones are named."""

import tomllib

import numpy as np
import pytest

from market import engine, profile
from market.scenario import Scenario, ScenarioError
from market.state import SHOPPERS

HOURLY = [float(h % 7 + (h == 3) * 10) for h in range(24)]  # uneven, with a zero-free spike at 03:00
DAILY = [1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 0.0]


def duopoly(**demand) -> dict:
    return {"horizon": 2 * 1008, "seed": 5, "sellers": [
        {"name": "a", "strategy": "undercut", "params": {"step": 0.01, "floor": "nash"}, "initial_price": "monopoly"},
        {"name": "b", "strategy": "undercut", "params": {"step": 0.01, "floor": "nash"}, "period": 3}],
        "demand": {"mu": 0.25, "shoppers_per_tick": 40.0, **demand}}


@pytest.mark.parametrize("tick_minutes", [1, 5, 10, 60, 90, 1440])
def test_a_day_of_factors_averages_one_and_follows_the_hours(tick_minutes):
    f = profile.tick_factors(profile.Profile(hourly=tuple(HOURLY)), tick_minutes)
    assert f.shape == (1440 // tick_minutes,)
    assert f.sum() == pytest.approx(1440 / tick_minutes, rel=1e-12)
    if tick_minutes <= 60:  # a tick within one hour takes that hour's weight, scaled to average 1
        hour = np.arange(f.shape[0]) * tick_minutes // 60
        np.testing.assert_allclose(f, np.array(HOURLY)[hour] * 24 / sum(HOURLY), rtol=1e-12)


def test_a_tick_of_ninety_minutes_averages_the_hours_it_spans():
    f = profile.tick_factors(profile.Profile(hourly=tuple(HOURLY)), 90)
    scale = 24 / sum(HOURLY)
    assert f[0] == pytest.approx((HOURLY[0] * 60 + HOURLY[1] * 30) / 90 * scale)
    assert f[1] == pytest.approx((HOURLY[1] * 30 + HOURLY[2] * 60) / 90 * scale)


def test_daily_weights_make_a_week_that_averages_one():
    f = profile.tick_factors(profile.Profile(hourly=tuple(HOURLY), daily=tuple(DAILY)), 10)
    assert f.shape == (7 * 144,)
    week = f.reshape(7, 144)
    np.testing.assert_allclose(week.sum(axis=1), np.array(DAILY) * 7 / sum(DAILY) * 144, rtol=1e-12)
    assert f.sum() == pytest.approx(7 * 144, rel=1e-12)
    assert np.all(week[6] == 0.0)  # a Sunday of weight 0: no shopper arrives


@pytest.mark.parametrize("tick_minutes", [5, 10, 60])
def test_the_engine_brings_shoppers_per_tick_times_ticks_a_day(tick_minutes):
    """Expected arrivals: a day's shoppers are exactly shoppers_per_tick x ticks a day, tick by tick as profiled."""
    scenario = Scenario.from_dict({**duopoly(profile=HOURLY), "tick_minutes": tick_minutes,
                                   "horizon": 2 * 1440 // tick_minutes})
    state = engine.run(scenario)
    shoppers = state.records.market[:, SHOPPERS].reshape(2, -1)
    np.testing.assert_allclose(shoppers.sum(axis=1), 40.0 * 1440 / tick_minutes, rtol=1e-12)
    np.testing.assert_array_equal(shoppers[0], 40.0 * profile.tick_factors(profile.parse(HOURLY), tick_minutes))


def test_the_shipped_ecommerce_profile_has_quiet_nights_and_a_whole_week():
    shipped = profile.parse("ecommerce")
    f = profile.tick_factors(shipped, 10)
    assert f.shape == (7 * 144,) and f.sum() == pytest.approx(7 * 144)
    night, day = f[:144][2 * 6:5 * 6].mean(), f[:144][10 * 6:22 * 6].mean()  # 02:00-05:00 and 10:00-22:00
    assert night < 0.2 * day
    assert "Olist" in shipped.source


@pytest.mark.parametrize("arrivals", ["expected", "poisson"])
def test_a_profile_of_equal_weights_is_todays_market_bit_for_bit(arrivals):
    plain = engine.run(Scenario.from_dict(duopoly(arrivals=arrivals)))
    for ones in ([1.0] * 24, [3] * 24, {"hourly": [2.0] * 24, "daily": [5.0] * 7}):
        flat = engine.run(Scenario.from_dict(duopoly(arrivals=arrivals, profile=ones)))
        for name in ("price", "quantity", "profit", "market"):
            np.testing.assert_array_equal(getattr(flat.records, name), getattr(plain.records, name))
        np.testing.assert_array_equal(flat.totals.profit, plain.totals.profit)


def test_poisson_arrivals_follow_the_profile():
    weekly = {"hourly": HOURLY, "daily": DAILY}
    state = engine.run(Scenario.from_dict(duopoly(arrivals="poisson", profile=weekly)))
    shoppers = state.records.market[:, SHOPPERS]
    expected = 40.0 * np.tile(profile.tick_factors(profile.parse(weekly), 10), 2)
    assert np.all(shoppers[expected == 0.0] == 0.0)  # no shopper on a Sunday of weight 0
    assert shoppers.sum() == pytest.approx(expected.sum(), rel=0.02)  # 80,640 expected: 4 standard errors is 1.4%
    assert np.array_equal(shoppers, np.round(shoppers)) and not np.array_equal(shoppers, expected)


@pytest.mark.parametrize(("value", "message"), [
    ([1.0] * 23, r"demand.profile = .*hourly: 23 weights given; needs 24, one per hour of the day"),
    ([1.0] * 23 + [-1.0], r"hourly\[23\] = -1.0: a weight must be a finite number >= 0"),
    ([0] * 24, "hourly: every weight is 0; at least one must be > 0"),
    ({"hourly": [1] * 24, "daily": [1] * 6}, "daily: 6 weights given; needs 7, one per day of the week, Monday first"),
    ({"hourly": [1] * 24, "daily": [0] * 7}, "daily: every weight is 0"),
    ({"daily": [1] * 7}, "a profile table needs hourly"),
    ({"hourly": [1] * 24, "weekly": [1]}, "unknown key 'weekly'"),
    ("weekend", "unknown profile; shipped profiles: ecommerce"),
    ([True] * 24, r"hourly\[0\] = True"),
    (3.0, "must be the name of a shipped profile"),
])
def test_bad_profiles_are_one_line_naming_the_field(value, message):
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.from_dict(duopoly(profile=value))
    assert "\n" not in str(err.value) and str(err.value).startswith("demand.profile")


def test_a_profile_needs_ticks_that_divide_a_day():
    with pytest.raises(ScenarioError, match="demand.profile: needs tick_minutes dividing 1440.*= 7"):
        Scenario.from_dict({**duopoly(profile="ecommerce"), "tick_minutes": 7})


def test_a_profile_survives_the_toml_round_trip():
    for value in ("ecommerce", HOURLY, {"hourly": HOURLY, "daily": DAILY}):
        scenario = Scenario.from_dict(duopoly(profile=value))
        again = Scenario.from_dict(tomllib.loads(scenario.to_toml()))
        assert again == scenario

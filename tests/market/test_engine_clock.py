"""The clock in the engine: `resetting` resets at its hour in any tick length; repricers run in their active hours."""

import numpy as np
import pytest

from market import engine
from market.scenario import Scenario, ScenarioError

DAYS = 3


def clocked(tick_minutes: int, resetter: dict | None = None, rival: dict | None = None) -> Scenario:
    """A resetting seller against an undercutting rival, both repricing every tick, for ``DAYS`` days."""
    sellers = [{"name": "resetter", "strategy": "resetting", "initial_price": "nash",
                "params": {"step": 0.01, "floor": "nash", "reset": "monopoly", "hour": 2, "hold_hours": 1},
                **(resetter or {})},
               {"name": "rival", "strategy": "undercut", "params": {"step": 0.01, "floor": "nash"},
                "initial_price": "nash", **(rival or {})}]
    return Scenario.from_dict({"tick_minutes": tick_minutes, "horizon": DAYS * 1440 // tick_minutes,
                               "demand": {"mu": 0.25, "shoppers_per_tick": 10.0}, "sellers": sellers})


def minutes_of_day(scenario: Scenario) -> np.ndarray:
    return np.arange(scenario.horizon) * scenario.tick_minutes % 1440


@pytest.mark.parametrize("tick_minutes", [5, 10, 60])
def test_resetting_resets_at_the_stated_hour_in_any_tick_length(tick_minutes):
    scenario = clocked(tick_minutes)
    price = engine.run(scenario).records.price
    reset, nash = scenario.benchmarks.monopoly_price[0], scenario.benchmarks.nash_price[0]
    minute = minutes_of_day(scenario)
    held = (minute >= 120) & (minute < 180)
    np.testing.assert_array_equal(price[held, 0], reset)  # from 02:00, for the hour it holds
    assert np.all(price[~held, 0] < reset)  # never otherwise
    first = np.flatnonzero(minute == 120)
    assert first.size == DAYS and np.all(price[first - 1, 0] < reset)  # the jump is at 02:00, every night
    np.testing.assert_allclose(price[first + 1, 1], reset - 0.01)  # the rival follows the reset up ...
    assert price[first[0] - 1, 1] == pytest.approx(nash)  # ... from the floor it had reached


def test_resetting_resets_at_its_first_run_after_the_hour():
    """A repricer waking every 70 minutes resets at its first run at or after 02:00, once a day."""
    scenario = clocked(10, resetter={"period": 7, "params": {"hour": 2, "hold_hours": 0}})
    state = engine.run(scenario)
    price, reset = state.records.price[:, 0], scenario.benchmarks.monopoly_price[0]
    wakes = np.arange(scenario.horizon) % 7 == 0
    at_reset = np.flatnonzero(price == reset)
    changed = at_reset[np.isin(at_reset - 1, at_reset, invert=True)]
    assert np.all(wakes[changed])
    day, of_day = changed * 10 // 1440, changed * 10 % 1440
    np.testing.assert_array_equal(day, np.arange(DAYS))
    assert np.all((of_day >= 120) & (of_day < 120 + 70))


@pytest.mark.parametrize(("hours", "inside"), [([8, 20], lambda m: (m >= 480) & (m < 1200)),
                                                ([22, 6], lambda m: (m >= 1320) | (m < 360)),
                                                ([8.5, 9], lambda m: (m >= 510) & (m < 540))])
def test_a_repricer_changes_its_price_only_in_its_active_hours(hours, inside):
    scenario = clocked(10, rival={"active_hours": hours, "params": {"step": 0.01, "floor": "cost"}})
    price = engine.run(scenario).records.price[:, 1]
    changes = np.flatnonzero(np.diff(price) != 0.0) + 1
    assert changes.size > 0 and np.all(inside(minutes_of_day(scenario)[changes]))


def test_an_outside_seller_is_asked_only_in_its_active_hours():
    asked = []

    class Recorder:
        def price(self, observation):
            asked.append(observation.minute_of_day)
            return 1.5

    scenario = clocked(60, rival={"strategy": "outside", "params": {}, "active_hours": [9, 17], "period": 2})
    engine.run(scenario, agents={"rival": Recorder()})
    assert asked == [600, 720, 840, 960] * DAYS  # its even hours (period 2 from 00:00) from 09:00 to 17:00


def test_active_hours_around_the_clock_change_nothing():
    plain = engine.run(clocked(10))
    always = engine.run(clocked(10, rival={"active_hours": [0, 24]}))
    np.testing.assert_array_equal(always.records.price, plain.records.price)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("active_hours", [8], r"sellers\[1\].active_hours = \[8\]: must be \[from, until\]"),
    ("active_hours", [8, 8], "from != until"),
    ("active_hours", [-1, 8], "0 <= from < 24"),
    ("active_hours", [8, 25], "0 < until <= 24"),
])
def test_bad_active_hours_are_one_line(field, value, message):
    with pytest.raises(ScenarioError, match=message) as err:
        clocked(10, rival={field: value})
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("hour", [24, -1, 23.5])
def test_a_reset_hour_outside_0_to_23_is_one_line(hour):
    with pytest.raises(ScenarioError, match=rf"sellers\[0\]\.params\.hour = {hour}: must be in \[0, 23\]") as err:
        clocked(10, resetter={"params": {"hour": hour}})
    assert "\n" not in str(err.value)

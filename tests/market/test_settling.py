"""The warm-up (market.settling): when prices have settled, how long auto runs, what the books cover."""

import numpy as np
import pytest

from market import catalog, engine, results, settling, training
from market.changes import CHANGE_TOLERANCE
from market.errors import ScenarioError
from market.scenario import Scenario

P0, FLOOR, STEP = 2.0, 1.0, 0.125  # exact in binary: the walk down reaches the floor without rounding


def walk_down(measure: dict | None, horizon: int = 200) -> Scenario:
    """Two undercutters taking turns (periods 2, phases 0 and 1) from P0: each tick one undercuts the other by
    STEP, so prices fall a step a tick until both sit at FLOOR."""
    sellers = [{"name": name, "strategy": "undercut", "params": {"step": STEP, "floor": FLOOR, "ceiling": 3.0},
                "period": 2, "phase": phase, "initial_price": P0} for phase, name in enumerate(("a", "b"))]
    return Scenario.from_dict({"horizon": horizon, "demand": {"mu": 0.25}, "sellers": sellers,
                               **({"measure": measure} if measure is not None else {})})


def last_change(scenario: Scenario) -> int:
    """The tick of the walk's last price change, from its arithmetic: the price of tick t is P0 - STEP (t + 1)
    until it reaches FLOOR (at tick k - 1, k = (P0 - FLOOR) / STEP), and the other seller follows it there one
    tick later, at tick k."""
    k = round((P0 - FLOOR) / STEP)
    path = engine.run(scenario.replace(measure=None, horizon=k + 5)).records.price
    assert path[k - 1].min() == FLOOR and path[k].tolist() == [FLOOR, FLOOR] and path[k - 1].max() > FLOOR
    return k


def test_auto_stops_at_the_first_check_after_a_whole_window_of_settled_prices():
    window = 20
    scenario = walk_down({"warm_up": "auto", "window": window})
    k = last_change(scenario)
    check = -(-window // settling.CHECKS_PER_WINDOW)
    state, _, warm_up = training.ready(scenario)
    assert warm_up.ticks == -(-(k + window) // check) * check == 30
    assert (warm_up.settled, warm_up.how, warm_up.cycle) == (True, "cycle", 1)
    assert state.t == warm_up.ticks and state.origin[0] == warm_up.ticks and state.counted == 0


def test_auto_gives_up_at_the_cap_and_says_so():
    scenario = walk_down({"warm_up": "auto", "window": 20, "max_warm_up": 25})
    _, _, warm_up = training.ready(scenario)
    assert warm_up.ticks == 25 and not warm_up.settled and warm_up.how is None
    assert settling.columns(warm_up) == {"warm_up_ticks": 25, "settled": False, "settled_by": None, "cycle_ticks": 0}


@pytest.mark.parametrize(("fixed", "settled"), [(30, True), (27, False), (10, False)])
def test_a_fixed_warm_up_runs_its_ticks_and_is_checked_at_its_end(fixed, settled):
    """Settled when its last window (20 ticks) starts at or after the walk's last change (tick 8); shorter than
    the window: not settled."""
    _, _, warm_up = training.ready(walk_down({"warm_up": fixed, "window": 20}))
    assert warm_up.ticks == fixed and warm_up.settled is settled


def test_durations_convert_with_tick_minutes():
    scenario = walk_down({"warm_up": "1h", "window": "90min", "max_warm_up": "1d"}, horizon=1440).replace(
        tick_minutes=7)
    assert scenario.warm_up_spans == (9, 13, 206)  # ceil(60 / 7), ceil(90 / 7), ceil(1440 / 7)


@pytest.mark.parametrize(("measure", "message"), [
    ({"warm_up": 300}, "measure.warm_up = 300: 300 ticks, longer than the horizon (200 ticks)"),
    ({"warm_up": "2d"}, "measure.warm_up = '2d': 288 ticks, longer than the horizon (200 ticks)"),
    ({"warm_up": "auto", "max_warm_up": 201}, "measure.max_warm_up = 201: 201 ticks, longer than the horizon"),
    ({"warm_up": "5x"}, "measure.warm_up = '5x': must be a number of ticks or a duration"),
    ({"warm_up": True}, "measure.warm_up = True: must be a number of ticks or a duration"),
    ({"warm_up": -1}, "measure.warm_up = -1: must be a number of ticks in [0, 1e+12]"),
    ({"warm_up": 1.5}, "measure.warm_up = 1.5: must be a number of ticks or a duration"),
    ({"warm_up": "auto", "window": 1}, "measure.window = 1: 1 tick(s); the check needs a window of at least 2"),
    ({"warm_up": "auto", "tolerance": 0.0}, "measure.tolerance = 0.0: Input should be greater than 0"),
    ({"warm_up": "auto", "every": 3}, "measure.every: unknown field"),
])
def test_a_bad_measure_table_is_refused_in_one_line(measure, message):
    with pytest.raises(ScenarioError) as err:
        walk_down(measure)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_cycle_test_finds_the_shortest_period_and_holds_within_the_change_tolerance():
    tooth = np.array([1.5, 1.4, 1.3, 1.2, 2.0])
    prices = np.tile(tooth, 8)[:, None] * np.array([1.0, 1.1])
    assert settling.stationary(prices, 1e-3) == ("cycle", 5)
    nudged = prices * (1 + 0.5 * CHANGE_TOLERANCE * np.sin(np.arange(40)))[:, None]
    assert settling.stationary(nudged, 1e-3) == ("cycle", 5)
    assert settling.stationary(prices[:9], 1e-3) == (None, 0)  # less than two turns: no cycle, and it drifts


def test_the_drift_test_compares_the_halves_of_the_window():
    rng = np.random.default_rng(1)
    noisy = 1.5 + 1e-4 * rng.standard_normal((400, 3))
    assert settling.stationary(noisy, 1e-3) == ("drift", 0)
    trend = noisy + np.linspace(0.0, 0.01, 400)[:, None]  # 0.33% between the halves' means
    assert settling.stationary(trend, 1e-3) == (None, 0)
    assert settling.stationary(trend, 1e-2) == ("drift", 0)


def with_measure(scenario: Scenario, measure: dict) -> Scenario:
    return Scenario.from_dict({**scenario.model_dump(), "measure": measure})


@pytest.mark.parametrize("name", ["amazon_10min", "unsold_goods"])
def test_whole_run_books_equal_a_run_without_warm_up_over_the_same_ticks(name):
    """The warm-up's books, kept aside, plus the horizon's give the whole run's; the stock restarts included."""
    base = catalog.load(name).with_values({"horizon": 600, "record_stride": 600})
    plain = training.measured(base.replace(measure=None, horizon=1000))
    state, _, warm_up = training.measured(with_measure(base, {"warm_up": 400}))
    assert state.counted == 600 and warm_up.ticks == 400
    whole = settling.whole(state, warm_up)
    assert whole.counted == 1000
    for (level, who, metric, value), (*key, expected) in zip(results.outcomes(whole, base),
                                                           results.outcomes(plain.state, base), strict=True):
        assert (level, who, metric) == tuple(key)
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-9), (level, who, metric)


def test_a_lengthened_warm_up_counts_the_ticks_after_it_and_keeps_the_whole_run():
    base = catalog.load("amazon_10min").with_values({"horizon": 300})
    state, _, warm_up = training.ready(with_measure(base, {"warm_up": 100}))
    longer = settling.extend(state, warm_up, 250)
    engine.advance(state, 300)
    reference = training.measured(with_measure(base, {"warm_up": 250}))
    assert longer.ticks == 250 and state.origin[0] == 250
    np.testing.assert_array_equal(state.totals.profit, reference.state.totals.profit)
    np.testing.assert_allclose(settling.whole(state, longer).totals.revenue,
                               settling.whole(reference.state, reference.warm_up).totals.revenue, rtol=1e-12)


def test_the_warm_up_runs_after_training():
    scenario = with_measure(catalog.load("calvano2020").with_values(
        {"horizon": 500, "training.max_ticks": 20_000, "training.stable_ticks": 5_000, "training.check_every": 1_000}),
        {"warm_up": "auto", "window": 50})
    state, trained, warm_up = training.ready(scenario)
    assert trained is not None and warm_up.ticks >= 50 and warm_up.how in ("cycle", "drift")
    assert state.origin[0] == trained.end_tick + warm_up.ticks

"""Chart options: JSON-safe, on the window asked for, and consistent with the engine's own measures."""

import json

import numpy as np
import pytest

from dashboard import charts
from dashboard.app import figures
from dashboard.lab import Lab
from experiments.configs import scenario_names
from market import engine
from market import inventory as inventory_flows


def options(lab: Lab, window: int = 144) -> dict[str, dict]:
    return {name: build() for name, build in figures(lab, window).items()}


@pytest.mark.parametrize("name", scenario_names())
def test_every_chart_of_every_scenario_is_strict_json(name):
    lab = Lab(name)
    lab.step(50)
    for option in options(lab).values():
        json.dumps(option, allow_nan=False)


def test_rules_add_run_b_and_the_difference_chart(lab):
    assert list(options(lab)) == ["price", "delta", "profit", "shares", "featured", "events"]
    lab.set_rule("once_a_day", True)
    assert list(options(lab))[:4] == ["price", "price_b", "difference", "delta"]


def test_the_time_axis_reads_day_and_time():
    lab = Lab()
    assert charts.time_labels(lab.model, np.array([0, 1, 143, 144, 150])) == [
        "d1 00:00", "d1 00:10", "d1 23:50", "d2 00:00", "d2 01:00"]


def test_the_window_is_the_latest_ticks_thinned_to_the_point_limit(lab):
    assert charts.rows(lab.model, 144).tolist() == list(range(56, 200))
    lab.skip(3000)
    picked = charts.rows(lab.model, 10**9)
    assert picked[0] == 0 and len(picked) <= charts.MAX_POINTS


def test_prices_are_drawn_over_the_nash_and_monopoly_bands(lab):
    option = charts.price(lab.model, 144)
    assert [s["name"] for s in option["series"]] == [s.name for s in lab.config.sellers]
    assert option["series"][0]["data"] == [round(p, 4) for p in lab.model.state.records.price[56:200, 0]]
    nash, monopoly = option["series"][0]["markArea"]["data"]
    assert nash[0]["yAxis"] <= lab.model.benchmarks.nash_price.min()
    assert monopoly[1]["yAxis"] >= lab.model.benchmarks.monopoly_price.max()


def test_running_delta_ends_at_the_engines_delta(lab):
    assert charts.running_delta(lab.model)[-1] == pytest.approx(lab.model.summary["delta"], rel=1e-9)


def test_shares_sum_to_one(lab):
    series = charts.shares(lab.model, 144)["series"]
    total = np.nansum([s["data"] for s in series], axis=0)
    np.testing.assert_allclose(total, 1.0, atol=1e-3)


def test_events_mark_every_price_change_after_tick_0(lab):
    series = charts.events(lab.model, 10**9)["series"]
    marks = sum(len(s["data"]) for s in series)
    initial = engine.build_state(lab.config, horizon=0).sellers.price
    at_tick_0 = np.count_nonzero(lab.model.state.records.price[0] != initial)
    assert marks == lab.model.state.totals.changes.sum() - at_tick_0


def test_difference_is_zero_before_the_rule_was_switched_on(lab):
    lab.set_rule("once_a_day", True)
    lab.step(100)
    price_gap, surplus_gap = (s["data"] for s in charts.difference(lab.model, lab.twin, 10**9)["series"])
    assert set(price_gap[:200]) == {0.0} and set(surplus_gap[:200]) == {0.0}
    assert price_gap[-1] != 0.0


def test_scenarios_with_stock_get_a_stock_chart_of_the_engines_units():
    lab = Lab("unsold_goods")
    lab.skip(2000)
    option = figures(lab, 144)["stock"]()
    inventory = lab.model.state.inventory
    tracked = np.flatnonzero(inventory.tracked)
    assert [s["name"] for s in option["series"]] == [lab.config.sellers[i].name for i in tracked]
    assert option["series"][0]["data"][-1] == round(inventory.record_stock[1999, tracked[0]], 4)
    sold_off = inventory.total_units[:, inventory_flows.SOLD_OFF].sum()
    assert f"{sold_off:,.0f} units sold off" in option["title"]["text"]

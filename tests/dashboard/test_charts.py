"""Chart options: JSON-safe, on the window asked for, A and B on every chart, titled axes, and consistent with the
engine's own measures."""

import json

import numpy as np
import pytest

from dashboard import charts, timeline
from dashboard.app import figures
from dashboard.lab import Lab
from experiments.configs import scenario_names
from market import engine
from market import inventory as inventory_flows
from market.state import SURPLUS

CHART_HEIGHT = 320  # px: a chart's height at 1280x800 (dashboard.chart)


def options(lab: Lab, window: int = 144) -> dict[str, dict]:
    return {name: build() for name, build in figures(lab, window).items()}


def b_series(option: dict) -> list[dict]:
    """Series of run B: ids ending in "· B", or named by B's rules, or differences B - A."""
    return [s for s in option["series"] if s["id"].endswith("· B") or s["name"].startswith("B: ")
            or "B - A" in s["name"]]


@pytest.mark.parametrize("name", scenario_names())
def test_every_chart_of_every_scenario_is_strict_json_with_titled_axes_and_with_b_a_b_series(name):
    lab = Lab(name)
    lab.step(50)
    assert lab.set_rule("price_cap_monopoly", True), lab.error
    lab.step(10)
    assert lab.deviate(lab.config.sellers[0].name, "1.5"), lab.error
    lab.step(10)
    shown = options(lab)
    assert "deviation" in shown
    for chart, option in shown.items():
        json.dumps(option, allow_nan=False)
        axes = option["yAxis"] if isinstance(option["yAxis"], list) else [option["yAxis"]]
        x_axes = option["xAxis"] if isinstance(option["xAxis"], list) else [option["xAxis"]]
        assert x_axes[-1]["name"] and all(axis["name"] for axis in axes), chart
        assert b_series(option), f"{chart} has no series of run B"


def test_charts_that_do_not_apply_are_left_out():
    assert charts.names(Lab().model, False) == ["price", "delta", "profit", "shares", "featured", "events"]
    assert "featured" not in charts.names(Lab("calvano2020").model, True)  # no platform, no Buy Box
    assert charts.names(Lab("unsold_goods").model, True)[-1] == "stock"


def test_a_rule_adds_the_difference_chart_and_names_b_by_its_rules(lab):
    lab.set_rule("once_a_day", True)
    shown = options(lab)
    assert list(shown)[:3] == ["price", "delta", "difference"]
    assert [s["name"] for s in shown["delta"]["series"]] == ["A", "B: once a day"]
    assert "B: once a day" in shown["price"]["legend"]["data"]
    assert charts.caption("delta", lab.model).endswith("0 = static Nash, 1 = joint monopoly.")


def test_the_time_axis_reads_day_and_time_or_periods_of_a_repeated_game():
    assert timeline.labels(Lab().model, np.array([0])) == ["d8 00:00"]  # the first tick after the warm-up
    lab = Lab()
    assert lab.set_learn_live(True)
    assert timeline.labels(lab.model, np.array([0, 1, 2])) == ["d1 00:00", "d1 00:10", "d1 00:20"]
    assert timeline.labels(lab.model, np.array([143, 150, 157])) == ["d1 23:50", "d2 01:00", "d2 02:10"]
    assert timeline.axis_name(lab.model) == "day and time (ticks of 10 min)"
    calvano = Lab("calvano2020")
    assert timeline.labels(calvano.model, np.array([0, 500, 1000])) == ["0", "500", "1,000"]
    assert timeline.axis_name(calvano.model) == "period (after training)"
    assert timeline.when(calvano.model, calvano.tick + 12) == "period 12"


def test_the_window_is_the_latest_ticks_thinned_to_the_point_limit(lab):
    assert charts.rows(lab.model, 144).tolist() == list(range(56, 200))
    lab.skip(3000)
    picked = charts.rows(lab.model, 10**9)
    assert picked[0] == 0 and len(picked) <= charts.MAX_POINTS


def test_prices_are_drawn_over_the_nash_and_monopoly_bands_in_the_legend_and_in_range(lab):
    option = charts.price(charts.view(lab.model, 144))
    assert [s["name"] for s in option["series"]] == [s.name for s in lab.config.sellers] + ["Nash range",
                                                                                           "monopoly range"]
    assert option["series"][0]["data"] == [round(p, 4) for p in lab.model.state.records.price[56:200, 0]]
    nash, monopoly = (s["markArea"]["data"][0] for s in option["series"][-2:])
    b = lab.model.benchmarks
    assert nash[0]["yAxis"] <= b.nash_price.min() and monopoly[1]["yAxis"] >= b.monopoly_price.max()
    assert option["yAxis"]["min"] <= nash[0]["yAxis"] and option["yAxis"]["max"] >= monopoly[1]["yAxis"]
    assert {"Nash range", "monopoly range"} <= set(option["legend"]["data"])
    assert option["yAxis"]["name"] == "price (currency units)"


def test_delta_over_the_whole_run_is_the_engines_delta_and_the_chart_says_what_0_and_1_are(lab):
    last = np.array([lab.model.state.n_records - 1])
    assert charts.window_delta(lab.model, last, 10**6)[0] == pytest.approx(lab.model.summary["delta"], rel=1e-9)
    option = charts.delta(charts.view(lab.model, 144))
    assert [line["name"] for line in option["series"][0]["markLine"]["data"]] == ["0 = static Nash",
                                                                                  "1 = joint monopoly"]
    assert option["yAxis"]["min"] <= 0 and option["yAxis"]["max"] >= 1
    assert "0 = static Nash, 1 = joint monopoly" in option["yAxis"]["name"]


def test_delta_is_a_trailing_window_mean_not_a_running_mean_from_tick_0(lab):
    lab.step(300)
    gain = charts.window_delta(lab.model, np.array([499]), 144)[0]
    tail = charts.window_delta(lab.model, np.array([143]), 144)[0]
    assert gain != pytest.approx(charts.window_delta(lab.model, np.array([499]), 500)[0])
    assert tail == pytest.approx(charts.window_delta(lab.model, np.array([143]), 10**6)[0])


def test_shares_of_a_sum_to_one(lab):
    series = [s for s in charts.shares(charts.view(lab.model, 144))["series"] if s["data"]]
    total = np.nansum([s["data"] for s in series], axis=0)
    np.testing.assert_allclose(total, 1.0, atol=1e-3)


def test_events_mark_every_price_change_after_tick_0(lab):
    series = charts.events(charts.view(lab.model, 10**9))["series"]
    marks = sum(len(s["data"]) for s in series)
    initial = engine.build_state(lab.config, horizon=0).sellers.price
    at_tick_0 = np.count_nonzero(lab.model.state.records.price[0] != initial)
    assert marks == lab.model.state.totals.changes.sum() - at_tick_0


def labelled(option: dict) -> list[str]:
    """The time labels a chart shows (ECharts shows one, then skips ``interval``)."""
    axis = option["xAxis"][-1] if isinstance(option["xAxis"], list) else option["xAxis"]
    return axis["data"][::axis["axisLabel"]["interval"] + 1]


@pytest.mark.parametrize("window", [144, 3 * 144, 7 * 144, 10**9])
def test_charts_with_sellers_along_the_value_axis_label_every_other_time_the_other_charts_label(window):
    """The sellers' names narrow the plots of the price changes and the Buy Box: at 1280x800 six day-and-time
    labels ran together there. They show every other label of the other charts, at the same times, in every chart
    window."""
    lab = Lab()
    lab.skip(7 * 144)
    v = charts.view(lab.model, window)
    others = labelled(charts.price(v))
    assert labelled(charts.profit(v)) == others and len(others) == charts.AXIS_LABELS
    for named in (charts.events(v), charts.featured(v)):
        assert labelled(named) == others[::2] and len(others[::2]) == charts.AXIS_LABELS // 2


def test_b_minus_a_is_a_mean_since_the_switch_and_empty_before_it(lab):
    lab.set_rule("once_a_day", True)
    lab.step(100)
    v = charts.view(lab.model, 10**9, lab.twin, lab.b_name, lab.marks, lab.since)
    price_gap, surplus_gap = (s["data"] for s in charts.difference(v)["series"])
    assert set(price_gap[:200]) == {None} and set(surplus_gap[:200]) == {None}
    a, b = lab.model.state.records, lab.twin.state.records
    gap = b.market[200:300, SURPLUS] - a.market[200:300, SURPLUS]
    assert surplus_gap[-1] == pytest.approx(gap.mean(), abs=1e-4)
    assert surplus_gap[200] == pytest.approx(gap[0], abs=1e-4)


def test_a_marker_stands_at_the_tick_the_rule_went_on(lab):
    lab.set_rule("once_a_day", True)
    lab.step(50)
    v = charts.view(lab.model, 144, lab.twin, lab.b_name, lab.marks, lab.since)
    for option in (charts.price(v), charts.profit(v), charts.featured(v)):
        [line] = [d for d in option["series"][0]["markLine"]["data"] if "xAxis" in d]
        assert line["name"] == "once a day on" and v.labels[line["xAxis"]] == timeline.when(lab.model, 200)


def test_the_buy_box_chart_shows_a_third_party_taking_the_offer_in_b_with_a_neutral_buy_box():
    """The neutral rule hands the offer to the cheapest third party the tick it goes on; the platform's best
    response, which sees the Buy Box, then takes it back by matching that price."""
    lab = Lab("dma_self_preferencing")
    lab.step(100)
    assert lab.set_rule("neutral_buybox", True), lab.error
    lab.step(100)
    option = charts.featured(charts.view(lab.model, 200, lab.twin, lab.b_name, lab.marks, lab.since))
    holders = option["yAxis"]["data"]
    a, b = ([holders[i] for i in s["data"][100:]] for s in option["series"])
    roles = {s.name: s.role for s in lab.config.sellers}
    assert set(a) == {"platform"} and roles[b[0]] != "platform" and b[-1] == "platform"


def test_an_empty_chart_says_how_to_start():
    option = charts.price(charts.view(Lab().model, 144))
    assert option["graphic"]["style"]["text"] == "No ticks yet: press Step or Play."
    calvano = charts.price(charts.view(Lab("calvano2020").model, 144))
    assert calvano["graphic"]["style"]["text"] == "No periods yet: press Step or Play."


@pytest.mark.parametrize("ticks", [0, 6])
def test_b_minus_a_says_it_starts_at_the_marker_clear_of_its_zero_lines_until_b_has_run(ticks):
    """Switched on at tick 0, or just now: B has no tick since, both panels hold only their zero line (at the
    panel's foot), and the note sits in the upper panel above it, not on it (nor between the panels)."""
    lab = Lab()
    lab.step(ticks)
    assert lab.set_rule("once_a_day", True), lab.error
    option = figures(lab, 144)["difference"]()
    assert all(set(s["data"]) <= {None} for s in option["series"])
    note = option["graphic"]
    when = timeline.when(lab.model, lab.tick)
    assert note["style"]["text"] == f"B - A starts at {when}: press Step or Play." and when in option["title"]["text"]
    upper = option["grid"][0]
    top_px, foot = upper["top"], 100 - float(upper["bottom"].rstrip("%"))  # px; % of the chart's height
    text_pct = float(note["top"].rstrip("%"))
    assert top_px / CHART_HEIGHT * 100 < text_pct < foot - 100 * 2 * note["style"]["fontSize"] / CHART_HEIGHT
    lab.step(1)
    assert "graphic" not in figures(lab, 144)["difference"](), "once B has run, its lines say it"


def test_scenarios_with_stock_get_a_stock_chart_of_the_engines_units():
    lab = Lab("unsold_goods")
    lab.skip(2000)
    option = figures(lab, 144)["stock"]()
    inventory = lab.model.state.inventory
    tracked = np.flatnonzero(inventory.tracked)
    assert [s["name"] for s in option["series"]] == [lab.config.sellers[i].name for i in tracked]
    assert option["series"][0]["data"][-1] == round(inventory.record_stock[1999, tracked[0]], 4)
    sold_off = inventory.total_units[:, inventory_flows.SOLD_OFF].sum()
    assert f"A: {sold_off:,.0f} units sold off" in option["graphic"][-1]["style"]["text"]


def test_a_market_on_the_clock_shows_its_shoppers_by_hour_and_shades_the_nights():
    lab = Lab("musolff2022")
    lab.step(2 * 144)
    assert charts.names(lab.model, False)[-1] == "shoppers"
    shown = options(lab, window=2 * 144)
    factor = lab.model.state.market.arrival_factor
    drawn = shown["shoppers"]["series"][0]["data"]
    assert len(drawn) == 2 * 144 and sum(drawn) == pytest.approx(
        lab.model.state.records.market[:2 * 144, 0].sum(), rel=1e-4)
    assert factor.shape[0] == 7 * 144  # the shipped profile: hours and weekdays
    night = next(s for s in shown["price"]["series"] if s["name"] == "night (00:00-06:00)")
    assert night["markArea"]["data"] == [[{"xAxis": 0}, {"xAxis": 35}], [{"xAxis": 144}, {"xAxis": 179}]]
    prices = lab.model.state.records.price[:2 * 144, 0]
    reset = lab.config.references(0)["monopoly"]  # the strategy's reference (the display-blind monopoly price)
    assert prices[144 + 12] == pytest.approx(reset)  # the reset at d2 02:00
    assert "night (00:00-06:00)" not in [s["name"] for s in options(Lab())["price"]["series"]]


def test_b_minus_a_draws_one_axis_per_panel_with_its_unit_and_a_zero_line(lab):
    lab.set_rule("once_a_day", True)
    lab.step(100)
    option = charts.difference(charts.view(lab.model, 10**9, lab.twin, lab.b_name, lab.marks, lab.since))
    assert len(option["grid"]) == len(option["xAxis"]) == len(option["yAxis"]) == 2
    assert [a["gridIndex"] for a in option["yAxis"]] == [0, 1] == [a["gridIndex"] for a in option["xAxis"]]
    assert [(s["xAxisIndex"], s["yAxisIndex"]) for s in option["series"]] == [(0, 0), (1, 1)]
    assert "currency units" in option["yAxis"][0]["name"] and "per tick" in option["yAxis"][1]["name"]
    for s in option["series"]:
        lines = s["markLine"]["data"]
        assert {"yAxis": 0} .items() <= lines[0].items(), "each panel has its zero line"
        assert any(d.get("name") == "once a day on" for d in lines), "and the marker of the rule"


def test_marks_at_one_drawn_tick_share_one_line_and_name_both():
    lab = Lab("calvano2020")
    lab.step(10)
    assert lab.set_rule("price_cap_monopoly", True) and lab.deviate("firm1", "1.5")  # both at tick 10
    lab.step(40)
    option = charts.price(charts.view(lab.model, 100, lab.twin, lab.b_name, lab.marks, lab.since))
    [line] = [d for d in option["series"][0]["markLine"]["data"] if "xAxis" in d]
    assert line["name"] == "price cap monopoly on · firm1 at 1.5"


def test_sellers_at_identical_prices_stay_in_view_widest_line_first():
    lab = Lab("calvano2020")  # two symmetric learners: their trained prices coincide tick after tick
    lab.step(20)
    option = charts.price(charts.view(lab.model, 100))
    lines = [s for s in option["series"] if s["data"]]
    assert lines[0]["data"] == lines[1]["data"], "the case this guards: one line on top of the other"
    assert lines[0]["lineStyle"]["width"] > lines[1]["lineStyle"]["width"]  # the first shows around the second
    widths = [charts._width(k, 4) for k in range(4)]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 4


def test_a_forced_deviation_adds_a_zoom_of_every_period_around_it():
    lab = Lab("calvano2020")
    lab.step(10)
    assert lab.deviate("firm1", "1.5")
    lab.step(50)
    shown = options(lab, 1000)
    assert "deviation" in shown and "deviation" not in charts.names(Lab("calvano2020").model, False)
    zoom = shown["deviation"]
    before, after = charts.BEFORE_DEVIATION, charts.AFTER_DEVIATION
    assert zoom["xAxis"]["data"][0] == f"-{before}" and zoom["xAxis"]["data"][-1] == f"+{after}"
    assert zoom["xAxis"]["name"] == "periods from the deviation"
    firm1 = next(s for s in zoom["series"] if s["id"] == "firm1 · A")
    assert firm1["data"][before] == 1.5 and firm1["showSymbol"]  # every period drawn, with a marker
    assert firm1["data"] == charts.values(lab.model.state.records.price[10 - before:10 + after + 1, 0])


def test_captions_speak_of_periods_in_a_repeated_game_and_of_fees_only_with_a_platform():
    calvano, amazon = Lab("calvano2020").model, Lab().model
    assert charts.caption("profit", calvano) == "Each seller's profit per period."
    assert "fees" in charts.caption("profit", amazon) and "per tick" in charts.caption("profit", amazon)


def test_marks_close_together_label_opposite_ends_of_their_lines():
    lab = Lab("calvano2020")
    lab.step(10)
    assert lab.set_rule("price_cap_monopoly", True)
    lab.step(1)
    assert lab.deviate("firm1", "1.5")  # one period after the rule: the labels would lie on top of each other
    lab.step(40)
    option = charts.price(charts.view(lab.model, 100, lab.twin, lab.b_name, lab.marks, lab.since))
    rule, deviation = [d for d in option["series"][0]["markLine"]["data"] if "xAxis" in d]
    assert deviation["xAxis"] - rule["xAxis"] == 1
    assert {rule["label"]["position"], deviation["label"]["position"]} == {"insideEndBottom", "insideStartTop"}

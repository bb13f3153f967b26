from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from market.errors import PanelError
from market.observed import grid, read
from market.observed.grid import MIN_POINTS, panel_from_frame
from tests.market.screens.panels import frame_of


def test_a_regular_panel_keeps_its_times_and_prices():
    a, b = np.linspace(1.0, 2.0, 10), np.linspace(3.0, 2.0, 10)
    panel = panel_from_frame(frame_of({"a": a, "b": b}))
    assert panel.seller == ("a", "b") and panel.step == 1.0 and panel.unit == "time units"
    np.testing.assert_array_equal(panel.time, np.arange(10.0))
    np.testing.assert_array_equal(panel.price, np.column_stack([a, b]))
    assert panel.cost is None and panel.nash_price is None


def test_irregular_date_times_are_carried_forward_onto_the_stated_grid(tmp_path):
    start = datetime(2024, 5, 1, 10, 0)
    rows = [(start + timedelta(minutes=m), seller, price) for m, seller, price in
            [(0, "a", 10.0), (3, "b", 11.0), (17, "a", 9.5), (25, "b", 10.5), (31, "a", 9.0), (44, "b", 9.9),
             (58, "a", 9.2), (71, "b", 9.8), (80, "a", 9.4), (95, "b", 9.7), (103, "a", 9.6), (125, "b", 9.5)]]
    path = tmp_path / "scraped.csv"
    pl.DataFrame(rows, schema=["time", "seller", "price"], orient="row").write_csv(path)
    panel = grid.panel(read.read(path), step=10.0)
    assert panel.unit == "minutes" and panel.step == 10.0
    minutes = panel.time - panel.time[0]
    np.testing.assert_allclose(minutes, np.arange(0, 121, 10))  # from b's first row (10:03) to the last (12:05)
    # at 10:03 + 20 min = 10:23: a's last price is 9.5 (10:17), b's is 11.0 (10:03)
    np.testing.assert_array_equal(panel.price[2], [9.5, 11.0])
    # at 10:03 + 120 min = 12:03: a's is 9.6 (11:43), b's is 9.7 (11:35)
    np.testing.assert_array_equal(panel.price[-1], [9.6, 9.7])


def test_the_default_step_is_the_median_gap_between_observation_times():
    frame = pl.DataFrame({"time": [0.0, 0.0, 2.0, 2.0, 4.0, 4.0, 6.0, 6.0, 7.0, 8.0, 10.0, 12.0, 14.0, 16.0],
                          "seller": ["a", "b"] * 7, "price": [1.0 + 0.1 * k for k in range(14)]})
    assert panel_from_frame(frame).step == 2.0


def test_a_runs_timeseries_gets_its_costs_and_nash_prices_from_sellers_parquet(tmp_path):
    pl.DataFrame({"tick": np.repeat(np.arange(10), 2), "seller": ["a", "b"] * 10, "price": np.full(20, 2.0),
                  "quantity": np.ones(20)}).write_parquet(tmp_path / "timeseries.parquet")
    pl.DataFrame({"seller": ["a", "b"], "cost": [1.0, 1.5], "nash_price": [1.6, 1.8],
                  "share": [0.5, 0.5]}).write_parquet(tmp_path / "sellers.parquet")
    panel = grid.panel(read.read(tmp_path / "timeseries.parquet"))
    assert panel.unit == "ticks" and panel.n_times == 10
    np.testing.assert_array_equal(panel.cost[0], [1.0, 1.5])
    np.testing.assert_array_equal(panel.nash_price[-1], [1.6, 1.8])


def test_a_panel_too_short_for_the_screens_is_refused():
    frame = frame_of({"a": np.linspace(1.0, 2.0, 3), "b": np.linspace(2.0, 1.0, 3)})
    with pytest.raises(PanelError, match=f"has 3 points: need {MIN_POINTS}"):
        panel_from_frame(frame, where="p.csv")


def test_owners_group_sellers_into_firms():
    frame = frame_of({s: np.linspace(1.0, 2.0, 10) for s in "abc"}).with_columns(
        owner=pl.col("seller").replace({"a": "acme", "b": None, "c": "acme"}))
    panel = panel_from_frame(frame)
    assert panel.owner == ("acme", None, "acme")
    firms = panel.firms()
    assert firms[0] == firms[2] != firms[1]


def _cells_frame(minutes, sellers, prices) -> pl.DataFrame:
    start = datetime(2024, 5, 1, 0, 0)
    return pl.DataFrame({"time": [start + timedelta(minutes=m) for m in minutes], "seller": sellers,
                         "price": prices})


def test_cells_are_ticks_from_midnight_with_gaps_left_open():
    # a scrape every ten minutes, three minutes past the tick; b missed at 00:43, a seen twice in tick 5
    minutes = [3, 3, 13, 13, 23, 23, 33, 33, 43, 53, 57, 53]
    sellers = ["a", "b", "a", "b", "a", "b", "a", "b", "a", "a", "a", "b"]
    prices = [1.0, 2.0, 1.1, 2.0, 1.2, 2.1, 1.3, 2.1, 1.4, 1.5, 1.6, 2.2]
    cells = grid.cells(read.observations(_cells_frame(minutes, sellers, prices)))
    assert cells.n_ticks == 6 and cells.first_tick == 0 and cells.ticks_per_day == 144
    np.testing.assert_array_equal(cells.price[:, 0], [1.0, 1.1, 1.2, 1.3, 1.4, 1.6])  # the later of tick 5's two
    np.testing.assert_array_equal(cells.price[:, 1], [2.0, 2.0, 2.1, 2.1, np.nan, 2.2])
    np.testing.assert_array_equal(cells.tick_of_day(), np.arange(6))
    assert cells.time_of(2) == "2024-05-01 00:20" and cells.minutes(3) == 30


def test_cells_of_a_numeric_panel_are_its_ticks_and_a_tick_must_divide_a_day():
    frame = frame_of({"a": np.linspace(1.0, 2.0, 300), "b": np.linspace(2.0, 1.0, 300)})
    cells = grid.cells(read.observations(frame.with_columns(pl.col("time") + 140)))
    assert cells.first_tick == 140 and cells.n_ticks == 300 and cells.tick_of_day()[4] == 0
    assert grid.cells(read.observations(frame), tick=2).n_ticks == 150
    with pytest.raises(PanelError, match="--tick 7: must be > 0 and divide a day"):
        grid.cells(read.observations(frame), tick=7)


def test_costs_are_carried_forward_between_observations():
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [np.nan, np.nan], [3.0, 4.0]])
    np.testing.assert_array_equal(grid.carry_forward(x), [[np.nan, 1.0], [2.0, 1.0], [2.0, 1.0], [3.0, 4.0]])

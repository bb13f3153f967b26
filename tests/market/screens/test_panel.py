from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from market.screens.panel import MIN_POINTS, PanelError, panel_from_frame, read_panel
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
    panel = panel_from_frame(read_panel(path), step=10.0)
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
    panel = panel_from_frame(read_panel(tmp_path / "timeseries.parquet"))
    assert panel.unit == "ticks" and panel.n_times == 10
    np.testing.assert_array_equal(panel.cost[0], [1.0, 1.5])
    np.testing.assert_array_equal(panel.nash_price[-1], [1.6, 1.8])


def _bad(frame_change) -> pl.DataFrame:
    frame = frame_of({"a": np.linspace(1.0, 2.0, 10), "b": np.linspace(2.0, 1.0, 10)})
    return frame_change(frame)


BAD_PANELS = {
    "missing column": (lambda f: f.drop("price"), "no column 'price'"),
    "single seller": (lambda f: f.filter(pl.col("seller") == "a"), "only one seller ('a')"),
    "non-numeric price": (lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("abc"))
                                                   .otherwise(pl.col("price").cast(pl.String)).alias("price")),
                          "price = 'abc' (row 5): must be a number > 0"),
    "negative price": (lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 6).then(-1.5)
                                                .otherwise(pl.col("price")).alias("price")),
                       "price = -1.5 (row 7): must be a number > 0"),
    "zero price": (lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(0.0)
                                            .otherwise(pl.col("price")).alias("price")), "price = 0.0 (row 1)"),
    "missing price": (lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None)
                                               .otherwise(pl.col("price")).alias("price")),
                      "price is missing at row 4"),
    "unsorted": (lambda f: pl.concat([f[:4], f[6:8], f[4:6], f[8:]]),
                 "time at row 7 (2) is before row 6's (3): rows must be sorted by time"),
    "duplicate": (lambda f: pl.concat([f[:5], f[4:5], f[5:]]),
                  "(time, seller) = (2, 'a') appears at rows 5 and 6"),
    "negative cost": (lambda f: f.with_columns(cost=pl.when(pl.int_range(pl.len()) == 2).then(-0.1).otherwise(0.5)),
                      "cost = -0.1 (row 3): must be a number >= 0"),
    "text time": (lambda f: f.with_columns(time=pl.lit("soon")), "time = 'soon' (row 1): must be a number or a date"),
    "too short": (lambda f: f[:6], f"has 3 points: need {MIN_POINTS}"),
}


@pytest.mark.parametrize("case", sorted(BAD_PANELS))
def test_a_bad_panel_is_one_line_naming_the_problem(case):
    change, expected = BAD_PANELS[case]
    with pytest.raises(PanelError) as err:
        panel_from_frame(_bad(change), where="p.csv")
    message = str(err.value)
    assert expected in message and message.startswith("p.csv: ") and "\n" not in message


def test_an_unknown_suffix_or_missing_file_is_refused(tmp_path):
    with pytest.raises(PanelError, match="must be a .csv or .parquet file"):
        read_panel(tmp_path / "prices.xlsx")
    with pytest.raises(PanelError, match="no such file"):
        read_panel(tmp_path / "prices.csv")

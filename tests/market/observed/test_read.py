"""The one reader of observed panels: what it accepts, what it does (and says), what it refuses in one line."""

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import polars as pl
import pytest

from market.errors import PanelError
from market.observed import read
from tests.market.screens.panels import frame_of


def _frame() -> pl.DataFrame:
    return frame_of({"a": np.linspace(1.0, 2.0, 10), "b": np.linspace(2.0, 1.0, 10)})


def _at(frame: pl.DataFrame, row: int, column: str, value) -> pl.DataFrame:
    """``frame`` with ``value`` at ``row`` of ``column`` (a text column if ``value`` is text)."""
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, strict=False))


BAD_PANELS = {
    "missing column": (lambda f: f.drop("price"), "no column 'price'"),
    "single seller": (lambda f: f.filter(pl.col("seller") == "a"), "only 1 seller ('a'); need at least 2"),
    "text price": (lambda f: _at(f.with_columns(pl.col("price").cast(pl.String)), 4, "price", "abc"),
                   "price = 'abc' (row 5): must be a number > 0"),
    "negative price": (lambda f: _at(f, 6, "price", -1.5), "price = -1.5 (row 7): must be a number > 0"),
    "zero price": (lambda f: _at(f, 0, "price", 0.0), "price = 0.0 (row 1)"),
    "infinite price": (lambda f: _at(f, 2, "price", float("inf")), "price = inf (row 3)"),
    "duplicate": (lambda f: pl.concat([f[:5], f[4:5], f[5:]]),
                  "1 rows repeat a (time, seller) pair, e.g. (2, 'a') at rows 5 and 6"),
    "negative cost": (lambda f: f.with_columns(cost=pl.when(pl.int_range(pl.len()) == 2).then(-0.1).otherwise(0.5)),
                      "cost = -0.1 (row 3): must be a number >= 0"),
    "text time": (lambda f: f.with_columns(time=pl.lit("soon")), "time = 'soon' (row 1): must be a number or a date"),
    "boolean time": (lambda f: f.with_columns(time=pl.lit(True)), "time = True (row 1): must be a number or a date"),
    "missing seller": (lambda f: _at(f, 3, "seller", None), "seller is missing at row 4"),
    "unknown channel": (lambda f: f.with_columns(channel=pl.lit("shop")),
                        "channel = 'shop' (row 1): must be one of platform, web, both"),
    "two owners": (lambda f: f.with_columns(owner=pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("x"))
                                            .otherwise(pl.lit("y"))),
                   "owner of seller 'a' is given as 'y' and 'x': one owner per seller"),
    "unknown featured seller": (lambda f: f.with_columns(buy_box=pl.lit("c")),
                                "buy_box = 'c' (row 1): must name a seller of the panel"),
}


@pytest.mark.parametrize("case", sorted(BAD_PANELS))
def test_a_bad_panel_is_one_line_naming_the_problem(case):
    change, expected = BAD_PANELS[case]
    with pytest.raises(PanelError) as err:
        read.observations(change(_frame()), where="p.csv")
    message = str(err.value)
    assert expected in message and message.startswith("p.csv: ") and "\n" not in message


def test_rows_in_any_order_are_sorted_and_said_so():
    frame = _frame()
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    obs = read.observations(shuffled)
    assert any("sorted by time" in note for note in obs.notes)
    assert (np.diff(obs.time) >= 0).all()
    expected = read.observations(frame)
    assert obs.seller == ("a", "b") or obs.seller == ("b", "a")
    for name in expected.seller:
        mine, theirs = obs.seller.index(name), expected.seller.index(name)
        np.testing.assert_array_equal(obs.price[obs.index == mine], expected.price[expected.index == theirs])
    assert not read.observations(frame).notes


def test_duplicates_are_kept_last_or_averaged_when_asked():
    frame = _frame()
    twice = pl.concat([frame[:5], frame[4:5].with_columns(price=pl.lit(9.0)), frame[5:]])
    last = read.observations(twice, duplicates="last")
    mean = read.observations(twice, duplicates="mean")
    a_at_2 = lambda obs: obs.price[(obs.time == 2.0) & (obs.index == 0)]  # noqa: E731
    assert a_at_2(last) == [9.0] and a_at_2(mean) == [(frame["price"][4] + 9.0) / 2]
    assert last.n_rows == frame.height and "1 rows repeating" in last.notes[0]
    with pytest.raises(PanelError, match="--duplicates 'first': must be one of last, mean"):
        read.observations(twice, duplicates="first")


def test_empty_prices_are_missing_observations():
    obs = read.observations(_at(_frame(), 3, "price", None))
    assert obs.n_rows == 19 and "1 rows without a price" in obs.notes[0]


def test_zoned_date_times_become_utc_minutes_and_text_date_times_are_read():
    paris = timezone(timedelta(hours=2))
    zoned = pl.DataFrame({"time": [datetime(2024, 5, 1, 12, 0, tzinfo=paris)] * 2, "seller": ["a", "b"],
                          "price": [1.0, 2.0]}).with_columns(pl.col("time").dt.convert_time_zone("Europe/Paris"))
    obs = read.observations(zoned)
    assert obs.zoned and obs.unit == "minutes"
    assert obs.time[0] == datetime(2024, 5, 1, 10, 0, tzinfo=UTC).timestamp() / 60
    text = pl.DataFrame({"time": ["2024-05-01T12:00:00+02:00"] * 2, "seller": ["a", "b"], "price": [1.0, 2.0]})
    assert read.observations(text).time[0] == obs.time[0]
    naive = pl.DataFrame({"time": ["2024-05-01 10:00"] * 2, "seller": ["a", "b"], "price": [1.0, 2.0]})
    naive_obs = read.observations(naive)
    assert naive_obs.time[0] == obs.time[0] and not naive_obs.zoned


def test_optional_columns_are_read_per_row_or_per_seller():
    frame = _frame().with_columns(
        cost=pl.lit(0.5), quantity=pl.lit(3.0),
        buy_box=pl.when(pl.col("time") < 5).then(pl.lit("a")).otherwise(pl.lit("b")),
        role=pl.col("seller").replace({"a": "platform", "b": "retailer"}),
        channel=pl.col("seller").replace({"a": "platform", "b": "web"}),
        owner=pl.col("seller").replace({"a": "acme", "b": None}))
    obs = read.observations(frame)
    assert obs.platform() == 0 and obs.channel == ("platform", "web") and obs.owner == ("acme", None)
    np.testing.assert_array_equal(obs.featured, (obs.time < 5) == (obs.index == 0))
    assert (obs.cost == 0.5).all() and (obs.quantity == 3.0).all()
    boolean = read.observations(_frame().with_columns(buy_box=pl.col("seller") == "b"))
    np.testing.assert_array_equal(boolean.featured, boolean.index == 1)


def test_files_are_read_and_bad_files_refused(tmp_path):
    _frame().write_csv(tmp_path / "p.csv")
    _frame().write_parquet(tmp_path / "p.parquet")
    assert read.read(tmp_path / "p.csv").n_rows == read.read(tmp_path / "p.parquet").n_rows == 20
    with pytest.raises(PanelError, match="must be a .csv or .parquet file"):
        read.read(tmp_path / "prices.xlsx")
    with pytest.raises(PanelError, match="no such file"):
        read.read(tmp_path / "prices.csv")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(PanelError, match="cannot be read"):
        read.read(tmp_path / "bad.parquet")


def test_a_panel_beyond_the_memory_budget_is_refused_before_it_is_read(tmp_path, monkeypatch):
    _frame().write_csv(tmp_path / "p.csv")
    monkeypatch.setenv("PRICELAB_MAX_MEMORY", "100")
    with pytest.raises(PanelError) as err:
        read.read(tmp_path / "p.csv")
    assert "the budget is" in str(err.value) and "split the panel by time" in str(err.value)

"""The run as a table: Parquet and CSV round trips, A and B told apart, the page's day, and what the run is."""

import io
import json
import tomllib

import polars as pl
import pytest

from dashboard import export, timeline
from dashboard.lab import Lab
from market.state import SURPLUS


def test_parquet_and_csv_hold_the_same_rows(lab):
    table = export.lab_table(lab)
    assert table.height == lab.tick * lab.config.n_sellers
    back = pl.read_parquet(io.BytesIO(export.to_bytes(table, "parquet")))
    assert back.equals(table)
    from_csv = pl.read_csv(io.BytesIO(export.to_bytes(table, "csv")))
    assert from_csv.columns == table.columns and from_csv.height == table.height


def test_prices_and_surplus_are_the_engines(lab):
    table = export.lab_table(lab).filter(pl.col("seller") == "platform")
    assert table["price"].to_list() == lab.model.state.records.price[:lab.tick, 0].tolist()
    assert table["consumer_surplus"].to_list() == lab.model.state.records.market[:lab.tick, SURPLUS].tolist()


def test_run_b_follows_run_a(lab):
    lab.set_rule("pdp", True)
    table = export.lab_table(lab)
    assert table["run"].unique(maintain_order=True).to_list() == ["A", "B"]


def test_unknown_format_is_refused(lab):
    with pytest.raises(ValueError, match="format"):
        export.to_bytes(export.lab_table(lab), "xlsx")


def test_filename_names_scenario_and_seed(lab):
    assert export.filename(lab.config, "csv") == f"pricelab_amazon_10min_seed{lab.config.seed}.csv"


def test_day_and_time_are_the_pages(lab):
    table = export.lab_table(lab).filter(pl.col("seller") == "platform")
    for tick in (0, 143, 150):
        row = table.row(tick, named=True)
        assert f"d{row['day']} {row['time']}" == timeline.when(lab.model, tick)


def test_after_a_rule_switch_parquet_and_toml_record_the_scenario_the_rule_and_every_change(lab):
    assert lab.set_value("sellers.platform.cost", "1.1") and lab.set_value("platform.referral_fee", "0.1")
    lab.step(12)
    assert lab.set_rule("neutral_buybox", True), lab.error
    lab.step(3)
    parquet = io.BytesIO(export.download(lab, "parquet"))
    metadata = pl.read_parquet_metadata(parquet)
    assert "pricelab.codebook" in metadata
    settings = json.loads(metadata[export.SETTINGS_KEY])
    assert settings["scenario"] == "amazon_10min" and settings["seed"] == lab.config.seed
    assert settings["changes"] == {"sellers.platform.cost": 1.1, "platform.referral_fee": 0.1}
    assert [(r["name"], r["on_from_tick"]) for r in settings["rules"]] == [("neutral_buybox", 12)]
    assert tomllib.loads(export.download(lab, "toml").decode()) == settings
    assert pl.read_parquet(parquet)["run"].unique(maintain_order=True).to_list() == ["A", "B"]


def test_a_repeated_game_exports_periods_as_the_page_counts_them_and_no_day():
    lab = Lab("calvano2020")  # trained: the page counts periods from the end of training
    lab.step(12)
    table = export.lab_table(lab).filter(pl.col("seller") == "firm1")
    assert table["period"].to_list() == list(range(12))
    assert table["tick"][0] == int(lab.model.state.origin[0]) > 1_000_000
    assert table["day"].null_count() == table["time"].null_count() == 12, "no day 10001 for period 0"
    assert [timeline.when(lab.model, t) for t in table["tick"]][:2] == ["period 0", "period 1"]


def test_a_market_on_the_clock_exports_day_and_time_and_no_period(lab):
    table = export.lab_table(lab)
    assert table["period"].null_count() == table.height and table["day"].null_count() == 0

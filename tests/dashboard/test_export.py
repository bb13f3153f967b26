"""The run as a table: Parquet and CSV round trips, A and B told apart."""

import io

import polars as pl
import pytest

from dashboard import export
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

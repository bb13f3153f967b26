"""The current run as one table, in Parquet or CSV, for the page's download buttons.

One row per recorded tick and seller (``market.results.timeseries``) with the tick's market
columns (shoppers, consumer surplus, fee income); with rules on, model B's rows follow A's,
told apart by the ``run`` column.
"""

import io

import polars as pl

from dashboard.lab import Lab
from market import results
from market.codebook import parquet_metadata
from market.model import PricingModel
from market.scenario import Scenario

FORMATS = ("parquet", "csv")


def run_table(model: PricingModel, run: str) -> pl.DataFrame:
    """One model's recorded ticks, long form, with its market columns and the run's name and seed."""
    market = results.market_series(model.state, model.config).select("tick", "shoppers", "consumer_surplus",
                                                                       "fee_income")
    table = results.timeseries(model.state, model.config).join(market, on="tick", how="left",
                                                                   maintain_order="left")
    return table.with_columns(pl.lit(run).alias("run"), pl.lit(model.config.name).alias("scenario"),
                              pl.lit(model.config.seed, dtype=pl.Int64).alias("seed"))


def lab_table(lab: Lab) -> pl.DataFrame:
    """Model A's table, then model B's where rules are on."""
    with lab.lock:
        tables = [run_table(lab.model, "A")]
        if lab.twin is not None:
            tables.append(run_table(lab.twin, "B"))
    return pl.concat(tables)


def to_bytes(table: pl.DataFrame, fmt: str) -> bytes:
    """``table`` written as ``fmt`` (one of ``FORMATS``)."""
    if fmt not in FORMATS:
        raise ValueError(f"format = {fmt!r}: must be one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    if fmt == "parquet":
        table.write_parquet(buffer, metadata=parquet_metadata(table.columns))
    else:
        table.write_csv(buffer)
    return buffer.getvalue()


def filename(config: Scenario, fmt: str) -> str:
    return f"pricelab_{config.name}_seed{config.seed}.{fmt}"

"""The current run as one table, in Parquet or CSV, with what the run is, for the page's download buttons.

One row per recorded tick and seller (``market.results.timeseries``) with the tick's market
columns (shoppers, consumer surplus, fee income); with rules on, model B's rows follow A's,
told apart by the ``run`` column. ``day`` and ``time`` are the page's: ``d1 00:10`` is day 1,
time 00:10. A repeated game (``dashboard.timeline.repeated_game``) has no clock: its rows carry
the ``period`` of the game as the page counts it (from the end of training), and no day or time.

What the run is (``Lab.settings``: the scenario, the seed, every parameter change, B's rules
and when each went on, the forced deviations) travels with the data: in a Parquet file as the
schema metadata key ``pricelab.dashboard`` (JSON), beside the codebook's ``pricelab.codebook``
(``market.codebook.parquet_metadata``); for a CSV file as a TOML file of the same name.
"""

import io
import json

import polars as pl

from dashboard import timeline
from dashboard.lab import Lab
from market import results
from market.codebook import parquet_metadata
from market.model import PricingModel
from market.scenario import Scenario, dump_toml

FORMATS = ("parquet", "csv", "toml")
SETTINGS_KEY = "pricelab.dashboard"


def run_table(model: PricingModel, run: str) -> pl.DataFrame:
    """One model's recorded ticks, long form, with its market columns, the page's day and time, the run's name
    and its ids (scenario, seed, run id)."""
    market = results.market_series(model.state, model.config).select("tick", "shoppers", "consumer_surplus",
                                                                       "fee_income")
    table = results.timeseries(model.state, model.config).join(market, on="tick", how="left",
                                                                   maintain_order="left")
    minutes = pl.col("tick") * model.config.tick_minutes
    if timeline.repeated_game(model.config):
        when = [(pl.col("tick") - int(model.state.origin[0])).alias("period"), pl.lit(None, pl.Int64).alias("day"),
                pl.lit(None, pl.String).alias("time")]
    else:
        when = [pl.lit(None, pl.Int64).alias("period"), (minutes // 1440 + 1).alias("day"),
                pl.format("{}:{}", (minutes % 1440 // 60).cast(pl.String).str.zfill(2),
                          (minutes % 60).cast(pl.String).str.zfill(2)).alias("time")]
    return table.with_columns(*when, pl.lit(run).alias("run")).select(
        *results.ID_COLUMNS, "tick", "period", "day", "time",
        *[c for c in table.columns if c not in ("tick", "day", *results.ID_COLUMNS)], "run")


def lab_table(lab: Lab) -> pl.DataFrame:
    """Model A's table, then model B's where rules are on."""
    with lab.lock:
        tables = [run_table(lab.model, "A")]
        if lab.twin is not None:
            tables.append(run_table(lab.twin, "B"))
    return pl.concat(tables)


def settings_toml(settings: dict) -> str:
    """``Lab.settings`` as TOML (changes by dotted path, quoted)."""
    return "# pricelab dashboard: what this run is (see the README's dashboard section)\n" + dump_toml(settings)


def to_bytes(table: pl.DataFrame, fmt: str, settings: dict | None = None) -> bytes:
    """``table`` written as ``fmt`` (parquet or csv; toml writes ``settings`` alone); a Parquet file carries the
    codebook and ``settings`` in its schema metadata."""
    if fmt not in FORMATS:
        raise ValueError(f"format = {fmt!r}: must be one of {', '.join(FORMATS)}")
    if fmt == "toml":
        return settings_toml(settings or {"changes": {}}).encode()
    buffer = io.BytesIO()
    if fmt == "parquet":
        metadata = parquet_metadata(table.columns)
        if settings is not None:
            metadata[SETTINGS_KEY] = json.dumps(settings)
        table.write_parquet(buffer, metadata=metadata)
    else:
        table.write_csv(buffer)
    return buffer.getvalue()


def download(lab: Lab, fmt: str) -> bytes:
    """The file of a download button: the run's table (or, for toml, its settings) with its settings."""
    settings = lab.settings()
    return to_bytes(lab_table(lab) if fmt != "toml" else pl.DataFrame(), fmt, settings)


def filename(config: Scenario, fmt: str) -> str:
    return f"pricelab_{config.name}_seed{config.seed}.{fmt}"

r"""A run's results as a product panel for the IO toolchain: one row per market (a day, or ``period``) and seller.

From a ``pricelab run`` folder (``timeseries.parquet``, ``market_timeseries.parquet``, ``sellers.parquet``,
``scenario.toml``), over the recorded ticks of each market :math:`t`:

* ``units`` :math:`q_{jt} = \sum_\tau q_{j\tau}`, ``market_size`` :math:`M_t = \sum_\tau N_\tau` (shoppers who
  came), ``market_share`` :math:`s_{jt} = q_{jt} / M_t`;
* ``mean_price``: the mean of the seller's prices over those ticks (the price of the market when sellers reprice
  once a market, as the logit inversion needs);
* ``marginal_cost``: the seller's cost at the end of the run (``sellers.parquet``);
* ``quality``: the mean over those ticks of the day's quality :math:`a_j + \xi_{jd}` (the scenario's qualities and
  the engine's own demand shocks, drawn again from (seed, shocks, day, seller)), the truth an estimator should
  recover;
* ``firm``: the seller's ``owner``, or the seller itself.

``long`` names the columns as ``pricelab calibrate`` reads them (market, product, firm, mean_price, market_share,
units, market_size, marginal_cost, quality); ``pyblp`` as pyblp's ``product_data`` (market_ids, product_ids,
firm_ids, shares, prices, costs, qualities). Both carry the run's scenario, seed and run id.
"""

from pathlib import Path

import numpy as np
import polars as pl

from experiments.errors import UsageError
from market.results import run_id
from market.rng import STREAM_SHOCKS, normal
from market.scenario import Scenario

FORMATS = ("long", "pyblp")
RUN_FILES = ("timeseries.parquet", "market_timeseries.parquet", "sellers.parquet", "scenario.toml")
PYBLP = {"market": "market_ids", "product": "product_ids", "firm": "firm_ids", "market_share": "shares",
         "mean_price": "prices", "marginal_cost": "costs", "quality": "qualities"}


def product_panel(folder: str | Path, period_minutes: float | None = None) -> pl.DataFrame:
    """The run in ``folder`` as a long product panel, one market every ``period_minutes`` (default: a day)."""
    folder = Path(folder)
    missing = [name for name in RUN_FILES if not (folder / name).is_file()]
    if missing:
        raise UsageError(f"RESULTS {str(folder)!r}: no {missing[0]}; export reads a `pricelab run` folder "
                         f"({', '.join(RUN_FILES)})")
    scenario = Scenario.from_toml(folder / "scenario.toml")
    ticks = _ticks_per_market(scenario, period_minutes)
    series = pl.read_parquet(folder / "timeseries.parquet", columns=["tick", "seller", "price", "quantity"])
    shoppers = pl.read_parquet(folder / "market_timeseries.parquet", columns=["tick", "shoppers"])
    names = [s.name for s in scenario.sellers]
    quality = _daily_quality(scenario, series["tick"].unique().sort().to_numpy())
    series = series.join(quality, on=["tick", "seller"], how="left")
    sellers = pl.read_parquet(folder / "sellers.parquet", columns=["seller", "cost"])
    frame = (series.with_columns((pl.col("tick") // ticks).alias("market"))
             .group_by("market", "seller")
             .agg(pl.col("price").mean().alias("mean_price"), pl.col("quantity").sum().alias("units"),
                  pl.col("quality").mean())
             .join(shoppers.group_by(pl.col("tick") // ticks).agg(pl.col("shoppers").sum().alias("market_size"))
                   .rename({"tick": "market"}), on="market")
             .join(sellers.rename({"cost": "marginal_cost"}), on="seller")
             .with_columns(pl.col("seller").replace_strict(names, list(range(len(names)))).alias("order"))
             .sort("market", "order"))
    return frame.select(
        pl.lit(scenario.name).alias("scenario"), pl.lit(scenario.seed, dtype=pl.Int64).alias("seed"),
        pl.lit(run_id(scenario)).alias("run_id"), pl.col("market").cast(pl.Int64), pl.col("seller").alias("product"),
        pl.col("seller").replace_strict({s.name: s.owner or s.name for s in scenario.sellers}).alias("firm"),
        "mean_price", (pl.col("units") / pl.col("market_size")).alias("market_share"),
        "units", "market_size", "marginal_cost", "quality")


def as_format(frame: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """The long panel in ``fmt``: ``long`` as it is, ``pyblp`` with pyblp's names and columns."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: must be one of {', '.join(FORMATS)}")
    if fmt == "long":
        return frame
    return frame.select("scenario", "seed", "run_id", *PYBLP).rename(PYBLP)


def _ticks_per_market(scenario: Scenario, period_minutes: float | None) -> int:
    minutes = 1440.0 if period_minutes is None else period_minutes
    ticks = minutes / scenario.tick_minutes
    if ticks < 1 or ticks != int(ticks):
        raise UsageError(f"--period: {minutes:g} minutes is not a whole number of the run's ticks of "
                         f"{scenario.tick_minutes} minutes")
    return int(ticks)


def _daily_quality(scenario: Scenario, ticks: np.ndarray) -> pl.DataFrame:
    """Each recorded tick's qualities, with the engine's demand shock of the day (market.engine)."""
    names = [s.name for s in scenario.sellers]
    base = np.array([s.quality for s in scenario.sellers])
    day = ticks // scenario.ticks_per_day
    sd = scenario.demand.xi_sd
    shocks = {d: np.array([normal(scenario.seed, STREAM_SHOCKS, d, i) for i in range(len(names))])
              for d in np.unique(day).tolist()} if sd > 0 else {}
    quality = np.array([base + sd * shocks[d] if sd > 0 else base for d in day.tolist()])
    return pl.DataFrame({"tick": np.repeat(ticks, len(names)), "seller": np.tile(names, ticks.size),
                         "quality": quality.ravel()})

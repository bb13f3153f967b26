"""Columnar results: polars frames from an engine state (tidy, one row per observation).

``timeseries``: one row per recorded tick and seller. ``sellers``: one row per seller with
its summary and static benchmarks. ``summary``: one row for the market. Column names and
types are fixed, so files from many runs scan together.
"""

import numpy as np
import polars as pl

from market.metrics import market_summary, seller_summary
from market.scenario import Scenario
from market.state import FEE_INCOME, SHOPPERS, SURPLUS, State


def recorded_ticks(state: State) -> np.ndarray:
    """The tick of each filled record row: ``origin + row * records.stride``."""
    return state.origin[0] + np.arange(state.n_records, dtype=np.int64) * state.records.stride


def timeseries(state: State, scenario: Scenario) -> pl.DataFrame:
    """Recorded ticks in long form: tick, day, seller, role, price, quantity, profit, fee, featured, stock.

    ``stock`` is the seller's stock at the end of the tick (NaN: unlimited, no stock kept).
    """
    rows = state.n_records
    n = state.n_sellers
    tick = recorded_ticks(state)
    names = [s.name for s in scenario.sellers]
    roles = [s.role for s in scenario.sellers]
    records = state.records
    featured = records.featured[:rows]
    return pl.DataFrame({
        "tick": np.repeat(tick, n),
        "day": np.repeat(tick / scenario.ticks_per_day, n),
        "seller": pl.Series(np.tile(names, rows), dtype=pl.String),
        "role": pl.Series(np.tile(roles, rows), dtype=pl.String),
        "price": records.price[:rows].ravel(),
        "quantity": records.quantity[:rows].ravel(),
        "profit": records.profit[:rows].ravel(),
        "fee": records.fee[:rows].ravel(),
        "featured": (featured[:, None] == np.arange(n)[None, :]).ravel(),
        "stock": (state.inventory.record_stock[:rows] if state.inventory is not None
                  else np.full((rows, n), np.nan)).ravel(),
    })


def market_series(state: State, scenario: Scenario) -> pl.DataFrame:
    """Recorded ticks, one row each: shoppers, consumer surplus, fee income, featured seller."""
    rows = state.n_records
    tick = recorded_ticks(state)
    names = np.array([s.name for s in scenario.sellers] + [None], dtype=object)
    market = state.records.market[:rows]
    return pl.DataFrame({
        "tick": tick,
        "day": tick / scenario.ticks_per_day,
        "shoppers": market[:, SHOPPERS],
        "consumer_surplus": market[:, SURPLUS],
        "fee_income": market[:, FEE_INCOME],
        "featured": pl.Series(names[state.records.featured[:rows]].tolist(), dtype=pl.String),
    })


def sellers(state: State, scenario: Scenario) -> pl.DataFrame:
    """One row per seller: summary measures and static benchmarks."""
    b = scenario.benchmarks
    frame = {"seller": [s.name for s in scenario.sellers], "role": [s.role for s in scenario.sellers],
             "cost": state.market.cost}
    frame.update(seller_summary(state))
    frame.update({"nash_price": b.nash_price, "monopoly_price": b.monopoly_price,
                  "nash_profit": b.nash_profit, "monopoly_profit": b.monopoly_profit})
    return pl.DataFrame(frame)


def summary(state: State, scenario: Scenario) -> pl.DataFrame:
    """One row for the market: the measures of ``market.metrics.MARKET_METRICS`` and the ticks they cover."""
    values = market_summary(state, scenario.benchmarks, scenario.ticks_per_day)
    return pl.DataFrame({"scenario": [scenario.name], "seed": [scenario.seed], "ticks": [state.counted],
                         **{k: [v] for k, v in values.items()}})

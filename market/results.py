"""Columnar results: polars frames from an engine state (tidy, one row per observation).

``timeseries``: one row per recorded tick and seller. ``sellers``: one row per seller with
its summary and static benchmarks. ``summary``: one row for the market. ``outcomes``: every
measure of a run in long form, at the levels of the market, each role and each seller. Column
names and types are fixed, so files from many runs scan together.

Every Parquet file the project writes starts with ``ID_COLUMNS`` (``tag``): ``scenario`` (String),
``seed`` (Int64, signed 64-bit everywhere) and ``run_id`` (String, ``run_id``); rows that aggregate
over seeds have a null seed and run id. Files join on them.
"""

import hashlib

import numpy as np
import polars as pl

from market import settling
from market.metrics import market_summary, seller_summary
from market.scenario import Scenario
from market.settling import WarmUp
from market.state import FEE_INCOME, SHOPPERS, SURPLUS, State
from market.training import Training, columns

ID_COLUMNS = {"scenario": pl.String, "seed": pl.Int64, "run_id": pl.String}
BYTES_PER_RECORD = 160  # a recorded (tick, seller) in the long frames, strings included (a generous estimate)


def run_id(scenario: Scenario) -> str:
    """A run's id: the first 16 hex digits of the SHA-256 of its scenario's TOML (seed, arm's rules and every
    setting included), so the same scenario on the same seed has the same id in every file and on every machine."""
    return hashlib.sha256(scenario.to_toml().encode()).hexdigest()[:16]


def tag(frame: pl.DataFrame, scenario: str | Scenario, seed: int | None = None, run: str | None = None
        ) -> pl.DataFrame:
    """``frame`` with ``ID_COLUMNS`` first (replacing any it has): a ``Scenario`` gives its name, seed and
    ``run_id``; a name gives itself with ``seed`` and ``run`` (None: the rows aggregate over seeds). Columns
    already in ``frame`` that vary by row (``seed``, ``run_id``) are kept and cast, not overwritten."""
    if isinstance(scenario, Scenario):
        scenario, seed, run = scenario.name, scenario.seed, run_id(scenario)
    given = {"scenario": scenario, "seed": seed, "run_id": run}
    columns = [pl.col(name).cast(dtype) if name in frame.columns and (name != "scenario" and given[name] is None)
               else pl.lit(given[name], dtype=dtype).alias(name) for name, dtype in ID_COLUMNS.items()]
    return frame.select(*columns, pl.exclude(*ID_COLUMNS))


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
    return tag(pl.DataFrame({
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
    }), scenario)


def market_series(state: State, scenario: Scenario) -> pl.DataFrame:
    """Recorded ticks, one row each: shoppers, consumer surplus, fee income, the featured seller's name."""
    rows = state.n_records
    tick = recorded_ticks(state)
    names = np.array([s.name for s in scenario.sellers] + [None], dtype=object)
    market = state.records.market[:rows]
    return tag(pl.DataFrame({
        "tick": tick,
        "day": tick / scenario.ticks_per_day,
        "shoppers": market[:, SHOPPERS],
        "consumer_surplus": market[:, SURPLUS],
        "fee_income": market[:, FEE_INCOME],
        "featured_seller": pl.Series(names[state.records.featured[:rows]].tolist(), dtype=pl.String),
    }), scenario)


def sellers(state: State, scenario: Scenario) -> pl.DataFrame:
    """One row per seller: its firm (``owner``), summary measures and static benchmarks (under the platform's
    display rule; where no pure equilibrium exists, the best-response cycle's mean prices and their bounds)."""
    b = scenario.benchmarks
    frame = {"seller": [s.name for s in scenario.sellers], "role": [s.role for s in scenario.sellers],
             "owner": [s.firm for s in scenario.sellers], "cost": state.market.cost}
    frame.update(seller_summary(state))
    frame.update({"nash_price": b.nash_price, "monopoly_price": b.monopoly_price,
                  "nash_profit": b.nash_profit, "monopoly_profit": b.monopoly_profit,
                  "nash_price_low": b.nash_price_low, "nash_price_high": b.nash_price_high})
    return tag(pl.DataFrame(frame), scenario)


def summary(state: State, scenario: Scenario, trained: Training | None = None,
            warm_up: WarmUp | None = None) -> pl.DataFrame:
    """One row for the market: the measures of ``market.metrics.MARKET_METRICS``, the ticks they cover, and
    whether they follow training (``market.training.columns``: learners, trained, converged, training_ticks) and
    a warm-up (``market.settling.columns``: warm_up_ticks, settled, settled_by, cycle_ticks)."""
    values = market_summary(state, scenario.benchmarks, scenario.ticks_per_day)
    return tag(pl.DataFrame({"ticks": [state.counted], **{k: [v] for k, v in columns(trained, state).items()},
                             **{k: [v] for k, v in settling.columns(warm_up).items()},
                             **{k: [v] for k, v in values.items()}, "nash_benchmark": [scenario.benchmarks.nash]},
                            schema_overrides={"converged": pl.Boolean, "settled": pl.Boolean,
                                              "settled_by": pl.String}),
               scenario)


ROLES = ("platform", "retailer", "brand")
SELLER_METRICS = ("mean_price", "margin", "profit", "share", "featured_share", "price_changes_per_day")
ROLE_METRICS = ("margin", "profit")
OWNER_METRICS = ("profit", "share")


def outcomes(state: State, scenario: Scenario) -> list[tuple[str, str, str, float]]:
    """Every measure as ``(level, name, metric, value)``: level ``market`` (name ``market``) for
    ``market.metrics.MARKET_METRICS``; ``role`` for each role present (``margin``: the mean of its sellers'
    margins; ``profit``: their summed profit per tick); ``owner`` for each firm that owns several sellers
    (``Seller.owner``; ``profit`` and ``share``: its sellers' summed profit per tick and share of units);
    ``seller`` for each seller (``SELLER_METRICS``; ``featured_share`` is the share of ticks it held the
    featured offer)."""
    market = market_summary(state, scenario.benchmarks, scenario.ticks_per_day)
    seller = seller_summary(state)
    seller["price_changes_per_day"] = seller["price_changes"] * scenario.ticks_per_day / max(state.counted, 1)
    rows = [("market", "market", name, float(value)) for name, value in market.items()]
    roles = np.array([s.role for s in scenario.sellers])
    for role in ROLES:
        if (roles == role).any():
            rows += [("role", role, "margin", float(seller["margin"][roles == role].mean())),
                     ("role", role, "profit", float(seller["profit"][roles == role].sum()))]
    firms = np.array([s.firm for s in scenario.sellers])
    for firm in dict.fromkeys(firms):
        if (firms == firm).sum() > 1:
            rows += [("owner", str(firm), name, float(seller[name][firms == firm].sum())) for name in OWNER_METRICS]
    for i, s in enumerate(scenario.sellers):
        rows += [("seller", s.name, name, float(seller[name][i])) for name in SELLER_METRICS]
    return rows

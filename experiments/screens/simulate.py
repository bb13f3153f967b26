"""Run one simulated market through the engine's public doors and score its price panel.

The engine is reached only through ``engine.build_state`` / ``engine.advance``,
``training.train_then_freeze`` and the frames of ``market.results``; the screens then read the
panel exactly as they read a user's file (``panel_from_frame``), never the engine's state.
"""

import polars as pl

from experiments.screens import markets
from experiments.screens.markets import MarketSpec
from market import engine, results, training
from market.observed.grid import Panel, panel_from_frame
from market.screens import catalog

MAX_TRAINING_TICKS = 3_000_000


def run_market(spec: MarketSpec) -> tuple[Panel, dict]:
    """The market's last ``PANEL_TICKS`` ticks as a panel (with cost and Nash price), and facts about the run."""
    scenario, burn_in = markets.build(spec)
    state = engine.build_state(scenario)
    trained = training.train_then_freeze(state, MAX_TRAINING_TICKS) if spec.family in markets.LEARNING else None
    engine.advance(state, scenario.horizon)
    series = results.timeseries(state, scenario).select("tick", "seller", "price")
    series = series.filter(pl.col("tick") > pl.col("tick").max() - markets.PANEL_TICKS)
    sellers = results.sellers(state, scenario).select("seller", "cost", "nash_price")
    frame = series.join(sellers, on="seller", how="left", maintain_order="left")
    facts = {"family": spec.family, "index": spec.index, "seed": spec.seed, "collusive": spec.collusive,
             "n_sellers": scenario.n_sellers, "burn_in": burn_in,
             "delta": float(results.summary(state, scenario)["delta"][0]),
             "converged": True if trained is None else trained.converged,
             "training_ticks": 0 if trained is None else trained.ticks}
    return panel_from_frame(frame, where=scenario.name), facts


def score_market(spec: MarketSpec) -> dict:
    """One row for the calibration table: the run's facts and every screen's score."""
    panel, facts = run_market(spec)
    return {**facts, **catalog.score(panel)}

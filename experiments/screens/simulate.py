"""Run one simulated market through the engine's public doors and score its price panel.

The engine is reached only through ``engine.build_state``, ``market.shocks.run`` (which advances it
between shocks), ``training.train_then_freeze`` and the frames of ``market.results``; the screens
then read the panel exactly as they read a user's file (``panel_from_frame``), never the engine's state.
"""

import numpy as np
import polars as pl

from experiments.screens import markets
from experiments.screens.markets import MarketSpec
from market import engine, results, shocks, training
from market.observed.grid import Panel, panel_from_frame
from market.screens import catalog

MAX_TRAINING_TICKS = 3_000_000


def run_market(spec: MarketSpec) -> tuple[Panel, dict]:
    """The market's last ``PANEL_TICKS`` ticks as observed (with costs and Nash prices), and facts about the run."""
    scenario, burn_in, conditions = markets.build(spec)
    state = engine.build_state(scenario)
    trained = training.train_then_freeze(state, MAX_TRAINING_TICKS) if spec.family in markets.LEARNING else None
    path = shocks.draw(conditions.shocks, scenario.n_sellers, scenario.horizon, spec.seed)
    shocks.run(state, scenario, path, scenario.horizon)
    frame = observe(state, scenario, path, conditions, spec.seed)
    facts = {"scenario": scenario.name, "seed": spec.seed, "run_id": results.run_id(scenario), "family": spec.family,
             "index": spec.index, "collusive": spec.collusive,
             "n_sellers": scenario.n_sellers, "burn_in": burn_in,
             "delta": float(results.summary(state, scenario)["delta"][0]),
             "converged": True if trained is None else trained.converged,
             "training_ticks": 0 if trained is None else trained.ticks, "missing": conditions.missing,
             "noise": conditions.noise, "shock_every": conditions.shocks.every}
    panel = panel_from_frame(frame, where=scenario.name)
    return panel, {**facts, "mean_price": float(panel.price.mean())}


def observe(state, scenario, path: shocks.Path, conditions: markets.Conditions, seed: int) -> pl.DataFrame:
    """The panel a case team would have: the last ``PANEL_TICKS`` ticks, each price missing with probability
    ``conditions.missing`` (a seller's first and last prices are always seen) and off by a relative normal noise of sd
    ``conditions.noise``; each seller's cost then (its own cost under the shocks, plus its brand's wholesale
    price at the end of the run) and static Nash price; the owners the scenario gives."""
    rng = np.random.default_rng([seed, 2])
    series = results.timeseries(state, scenario).select("tick", "seller", "price")
    series = series.filter(pl.col("tick") > pl.col("tick").max() - markets.PANEL_TICKS)
    sellers = results.sellers(state, scenario).select("seller", "cost", "nash_price")
    names = [s.name for s in scenario.sellers]
    tick = series["tick"].to_numpy()
    index = np.array([names.index(name) for name in series["seller"]])
    since = np.searchsorted(path.tick, tick, side="right") - 1
    factor = np.where(since >= 0, path.cost_factor[np.maximum(since, 0), index], 1.0)
    own = np.array([s.cost for s in scenario.sellers])
    wholesale = sellers["cost"].to_numpy() - state.market.own_cost
    ends = series["seller"].is_first_distinct().to_numpy() | series["seller"].is_last_distinct().to_numpy()
    kept = (rng.random(series.height) >= conditions.missing) | ends
    noisy = series["price"].to_numpy() * (1.0 + conditions.noise * rng.standard_normal(series.height))
    frame = series.with_columns(price=pl.Series(noisy), cost=pl.Series(own[index] * factor + wholesale[index]),
                                owner=pl.Series([getattr(scenario.sellers[i], "owner", None) for i in index],
                                                dtype=pl.String))
    return frame.join(sellers.select("seller", "nash_price"), on="seller", how="left",
                      maintain_order="left").filter(pl.Series(kept))


def score_market(spec: MarketSpec) -> dict:
    """One row for the calibration table: the run's facts and every screen's score."""
    panel, facts = run_market(spec)
    return {**facts, **catalog.score(panel)}

r"""The scoreboard of a game: each seller's profit, share and Delta over the periods played, from the engine's records.

Over the game's recorded ticks :math:`t = 1..T` (one row each, ``market.classroom.seats``), seller
:math:`i` earned :math:`\Pi_i = \sum_t \pi_{it}` (after fees) and sold :math:`Q_i = \sum_t q_{it}`;
its share is :math:`Q_i / \sum_j Q_j` and its profit gain (Calvano et al. 2020's Delta, per seller)

.. math:: \Delta_i = \frac{\bar\pi_i - \bar\pi^N_i}{\bar\pi^M_i - \bar\pi^N_i}, \qquad
          \bar\pi^N_i = \frac1T \sum_t f_t \, \pi^N_{i,r(t)}, \quad \bar\pi^M_i = \frac1T \sum_t f_t \, \pi^M_{i,r(t)},

with :math:`\bar\pi_i` its mean profit per tick, :math:`\pi^N_{i,r}` and :math:`\pi^M_{i,r}` its per-tick profit
at the static Nash and joint-profit prices under the rules :math:`r(t)` in force at tick :math:`t` (the
scenario's ``benchmarks``, under its display rule: a rule the teacher switches on mid-game, such as a Buy Box
rule or a fee cap, moves them from its first tick on) and :math:`f_t` the shoppers who came at :math:`t`
relative to the expected (``market.metrics.market_summary`` scales the same way): 0 is the competitive
outcome, 1 the joint monopoly's. NaN where the two benchmarks coincide.
"""

import numpy as np
import polars as pl

from market.classroom.seats import SeatGame
from market.metrics import profit_gain
from market.state import SHOPPERS


def scoreboard(game: SeatGame) -> pl.DataFrame:
    """One row per seller of ``game``: ``seller``, ``seat`` (priced by a person), ``profit`` (total),
    ``profit_per_tick``, ``share`` and ``delta``; NaN figures before any tick is played."""
    state, rows = game.state, game.state.n_records
    records = state.records
    profit = records.profit[:rows].sum(axis=0)
    quantity = records.quantity[:rows].sum(axis=0)
    per_tick = profit / rows if rows else np.full(len(game.names), np.nan)
    nash, monopoly = benchmark_profits(game, rows)
    sold = quantity.sum()
    return pl.DataFrame({
        "seller": list(game.names),
        "seat": [name in game.index for name in game.names],
        "profit": profit,
        "profit_per_tick": per_tick,
        "share": quantity / sold if sold > 0 else np.full(len(game.names), np.nan),
        "delta": np.asarray(profit_gain(per_tick, nash, monopoly)),
    })


def benchmark_profits(game: SeatGame, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Each seller's Nash and monopoly profit per tick over the first ``rows`` record rows: the mean over rows of
    the benchmarks of the rules in force (``SeatGame.regimes``), scaled by the shoppers who came (module
    docstring); NaN before any row."""
    if not rows:
        return np.full(len(game.names), np.nan), np.full(len(game.names), np.nan)
    footfall = game.state.records.market[:rows, SHOPPERS] / game.state.market.shoppers
    held = game.regime_of(rows)
    nash = np.stack([scenario.benchmarks.nash_profit for _, scenario in game.regimes])
    monopoly = np.stack([scenario.benchmarks.monopoly_profit for _, scenario in game.regimes])
    return footfall @ nash[held] / rows, footfall @ monopoly[held] / rows

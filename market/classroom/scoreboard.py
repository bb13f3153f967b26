r"""The scoreboard of a game: each seller's profit, share and Delta over the periods played, from the engine's records.

Over the game's recorded ticks :math:`t` (one row each, ``market.classroom.seats``), seller
:math:`i` earned :math:`\Pi_i = \sum_t \pi_{it}` (after fees) and sold :math:`Q_i = \sum_t q_{it}`;
its share is :math:`Q_i / \sum_j Q_j` and its profit gain (Calvano et al. 2020's Delta, per seller)

.. math:: \Delta_i = \frac{\bar\pi_i - f \pi^N_i}{f \pi^M_i - f \pi^N_i},

with :math:`\bar\pi_i` its mean profit per tick, :math:`\pi^N_i` and :math:`\pi^M_i` its per-tick profit at
the static Nash and joint-profit prices (the scenario's ``benchmarks``, under its display rule) and
:math:`f` the shoppers who came relative to the expected (``market.metrics.market_summary`` scales the
same way): 0 is the competitive outcome, 1 the joint monopoly's. NaN where the two benchmarks coincide.
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
    footfall = records.market[:rows, SHOPPERS].mean() / state.market.shoppers if rows else np.nan
    b = game.scenario.benchmarks
    sold = quantity.sum()
    return pl.DataFrame({
        "seller": list(game.names),
        "seat": [name in game.index for name in game.names],
        "profit": profit,
        "profit_per_tick": per_tick,
        "share": quantity / sold if sold > 0 else np.full(len(game.names), np.nan),
        "delta": np.asarray(profit_gain(per_tick, footfall * b.nash_profit, footfall * b.monopoly_profit)),
    })

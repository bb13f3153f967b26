"""After the game: what the algorithms did in response to the people's prices, period by period.

For each period :math:`k` the replay holds every seller's price at the period's first tick
(:math:`p_{ik}`, from the engine's records) and the change it made by the next period's first tick,
:math:`p_{i,k+1} - p_{ik}` (for the last period, by the last tick played): a seat's change is the
person's move; an algorithm's is its response to what it saw, the seats' prices included (with its lag).
"""

import numpy as np
import polars as pl

from market.classroom.seats import SeatGame


def replay(game: SeatGame) -> pl.DataFrame:
    """One row per (period, seller) played: ``period``, ``tick``, ``seller``, ``seat``, ``price`` and ``change``
    (module docstring), in period then seller order."""
    state, rows = game.state, game.state.n_records
    origin = int(state.origin[0])
    starts = game.starts[:game.played]
    if not starts or not rows:
        return pl.DataFrame(schema={"period": pl.Int64, "tick": pl.Int64, "seller": pl.String, "seat": pl.Boolean,
                                    "price": pl.Float64, "change": pl.Float64})
    prices = state.records.price
    at = np.asarray(starts) - origin
    following = np.minimum(np.append(at[1:], rows - 1), rows - 1)
    now, then = prices[at], prices[following]
    n = len(game.names)
    return pl.DataFrame({
        "period": np.repeat(np.arange(len(starts)), n),
        "tick": np.repeat(np.asarray(starts), n),
        "seller": list(game.names) * len(starts),
        "seat": [name in game.index for name in game.names] * len(starts),
        "price": now.reshape(-1),
        "change": (then - now).reshape(-1),
    })

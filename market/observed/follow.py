r"""Who follows whom, and after how long: the rivals behind each of a seller's moves that its rule predicted.

For a seller whose rule reads rivals' prices, each observed change that the chosen candidate
predicted was set at a wake :math:`w` from the prices of tick :math:`\tau = w - 1 - L`
(:func:`market.observed.replay.trace`). Its *leader* is the rival the rule read: the lowest-priced
rival at :math:`\tau` for the rules that read it (``match_lowest``, ``undercut``, ``edgeworth``,
``price_leadership``, and ``best_response``, whose price depends on every rival's, for want of better;
ties to the first), the tracked seller for ``match_platform``. The *delay* is the time from the leader's last observed
change at or before :math:`\tau` to the follower's change: its reaction time as seen in the panel
(lag, plus the wait for its next wake, plus the scraper's gaps).
"""

from dataclasses import dataclass

import numpy as np

from market.observed.cadence import change_events
from market.observed.replay import Candidates, Demand, Seen, trace


@dataclass(frozen=True)
class Follow:
    """``follower`` moved after ``leader`` ``moves`` times (``share`` of its predicted moves), ``delay`` ticks later
    (median; ``delay_minutes`` in minutes)."""

    follower: str
    leader: str
    moves: int
    share: float
    delay: float
    delay_minutes: float

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def leaders(seen: Seen, table: Candidates, k: int, names: tuple[str, ...], i: int, tolerance: float,
            minutes_per_tick: float, demand: Demand | None = None) -> list[Follow]:
    """The rivals seller ``i`` followed under candidate ``k`` of ``table`` (module docstring), most moves first."""
    predicted, tick = trace(seen, table, k, demand)
    start, end = change_events(seen.own)
    hit = np.abs(predicted[end] - seen.own[end]) <= tolerance * seen.own[end]
    moved = end[hit & (tick[end] >= 0)]
    if moved.size == 0:
        return []
    at = tick[moved]
    if table.leader[k] >= 0:
        leader = np.full(moved.size, table.leader[k])
    else:
        prices = np.where(np.isnan(seen.before[at]), np.inf, seen.before[at])
        prices[:, i] = np.inf
        leader = np.argmin(prices, axis=1)
    changes = {j: change_events(np.where(np.isnan(seen.before[:, j]), np.nan, seen.before[:, j]))[1]
               for j in np.unique(leader)}
    found = []
    for j in np.unique(leader):
        mine = leader == j
        last = np.searchsorted(changes[j], at[mine], side="right") - 1
        delay = moved[mine][last >= 0] - changes[j][last[last >= 0]]
        median = float(np.median(delay)) if delay.size else float("nan")
        found.append(Follow(follower=names[i], leader=names[j], moves=int(mine.sum()),
                            share=float(mine.mean()), delay=median, delay_minutes=median * minutes_per_tick))
    return sorted(found, key=lambda f: -f.moves)

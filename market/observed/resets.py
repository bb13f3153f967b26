r"""Daily resets that a seller's rule does not explain: rises at the same time of day, day after day.

A "resetting" repricer (Musolff 2022, on Amazon's repricers) undercuts its rivals by day and jumps
back to a high price at a fixed hour, whatever its rivals do; Edgeworth resetters (Maskin and Tirole
1988) jump when undercutting stops paying. Among the observed changes that the chosen rule missed,
the rises of more than ``MIN_RISE`` of the price are placed in the day: each lies between the
observation before it and the one showing it, and the tick of the day that most of them allow
(:func:`market.observed.cadence.support` with a day for period) is a *daily reset* when rises on at
least ``MIN_SHARE`` of the panel's days (and at least ``MIN_DAYS`` days) allow it. Its time is the
start of that tick, its price the median price reset to.
"""

from dataclasses import dataclass

import numpy as np

from market.observed.cadence import change_events, support
from market.observed.grid import Cells

MIN_RISE = 0.01
MIN_SHARE = 0.5
MIN_DAYS = 3


@dataclass(frozen=True)
class Reset:
    """Rises at ``time`` (the tick ``tick_of_day``) on ``days`` of ``of_days`` days, to ``to`` (median)."""

    time: str
    tick_of_day: int
    days: int
    of_days: int
    to: float

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def daily_tick(start: np.ndarray, end: np.ndarray, first_tick: int, ticks_per_day: int,
               n_ticks: int) -> tuple[int, np.ndarray] | None:
    """The tick of the day that most of the changes (``start``, ``end``] allow, and which of them allow it, when
    those fall on at least ``MIN_SHARE`` of the panel's days (and ``MIN_DAYS``); None otherwise."""
    if start.size == 0:
        return None
    best = int(np.argmax(support(start, end, first_tick, ticks_per_day)))
    width = np.minimum(end - start, ticks_per_day)
    close = (first_tick + end - best) % ticks_per_day < width
    days = np.unique((first_tick + end[close]) // ticks_per_day).size
    of_days = np.unique((first_tick + np.arange(n_ticks)) // ticks_per_day).size
    if days < max(MIN_DAYS, MIN_SHARE * of_days):
        return None
    return best, close


def rises(own: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Which changes (``start``, ``end``] are rises of more than ``MIN_RISE``."""
    return own[end] > own[start] * (1.0 + MIN_RISE)


def daily_reset(own: np.ndarray, predicted: np.ndarray, cells: Cells, tolerance: float) -> Reset | None:
    """The daily reset among the changes of ``own`` that ``predicted`` missed (module docstring), or None."""
    start, end = change_events(own)
    missed = np.abs(predicted[end] - own[end]) > tolerance * own[end]
    chosen = missed & rises(own, start, end)
    found = daily_tick(start[chosen], end[chosen], cells.first_tick, cells.ticks_per_day, cells.n_ticks)
    if found is None:
        return None
    best, close = found
    last = end[chosen][close]
    of_days = int(np.unique((cells.first_tick + np.arange(cells.n_ticks)) // cells.ticks_per_day).size)
    minutes = (cells.offset + best * cells.minutes(1)) % 1440
    return Reset(time=f"{int(minutes // 60):02d}:{int(minutes % 60):02d}", tick_of_day=best,
                 days=int(np.unique((cells.first_tick + last) // cells.ticks_per_day).size), of_days=of_days,
                 to=float(np.median(own[last])))

r"""When a seller's price can change: candidate periods and phases from the times of its observed changes.

A repricer that wakes at ticks :math:`t \equiv \phi \pmod P` changes its price only at such ticks.
With gaps in the observations a change is known only to lie in :math:`(s, t]`, between the last
observation before it (at :math:`s`) and the first one showing it (at :math:`t`); it *supports* every
phase :math:`\phi` with some :math:`u \in (s, t]`, :math:`u \equiv \phi \pmod P` (all phases when
:math:`t - s \ge P`). For each period of ``PERIODS`` the ``PHASES`` best-supported phases are
candidates when they explain at least ``MIN_SUPPORT`` of the changes (period 1 always is); the
replay (:mod:`market.observed.replay`) then tells them apart by how well each predicts, tick by
tick, when the price moves and when it does not, since a repricer that wakes every tick reacts at
once and one that wakes every hour waits for its hour.

Ticks are counted from midnight of the panel's first day (:class:`market.observed.grid.Cells`), so a
phase is also a time of day: phase 36 of period 144 is 06:00 on a 10-minute grid.
"""

from dataclasses import dataclass

import numpy as np

from market.changes import CHANGE_TOLERANCE

PERIODS = (1, 2, 3, 4, 6, 12, 18, 24, 36, 48, 72, 144)
PHASES = 2
MIN_SUPPORT = 0.5


@dataclass(frozen=True)
class Cadence:
    """Wakes at ticks ``t`` with ``t % period == phase``; ``support``: the share of observed changes it allows."""

    period: int
    phase: int
    support: float


def change_events(own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""``(s, t)``: for each observed change, the cell of the observation before it and the cell showing it.

    A change is :math:`|p_t - p_s| > 10^{-6} p_s` between consecutive observations :math:`s < t`.
    """
    seen = np.flatnonzero(~np.isnan(own))
    if seen.size < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    before, after = seen[:-1], seen[1:]
    moved = np.abs(own[after] - own[before]) > CHANGE_TOLERANCE * own[before]
    return before[moved].astype(np.int64), after[moved].astype(np.int64)


def support(start: np.ndarray, end: np.ndarray, first_tick: int, period: int) -> np.ndarray:
    """float64[period]: the share of changes (``start``, ``end``] that each phase of ``period`` allows."""
    counts = np.zeros(period)
    if start.size == 0:
        return counts
    width = np.minimum(end - start, period)
    offsets = np.arange(period)
    allowed = offsets[None, :] < width[:, None]
    residues = (first_tick + start[:, None] + 1 + offsets[None, :]) % period
    np.add.at(counts, residues[allowed], 1.0)
    return counts / start.size


def cadences(own: np.ndarray, first_tick: int, periods: tuple[int, ...] = PERIODS) -> list[Cadence]:
    """Candidate cadences of a seller whose observed prices are ``own`` (NaN: not observed): see the module."""
    start, end = change_events(own)
    found = [Cadence(1, 0, 1.0)]
    for period in periods:
        if period == 1 or start.size == 0:
            continue
        shares = support(start, end, first_tick, period)
        for phase in np.argsort(-shares, kind="stable")[:PHASES]:
            if shares[phase] >= MIN_SUPPORT:
                found.append(Cadence(period, int(phase), float(shares[phase])))
    return found


@dataclass(frozen=True)
class Hours:
    """The seller changes its price only from ``start`` to ``end`` (times of day, ``HH:MM``; ``end`` excluded),
    ticks of the day ``first`` to ``last`` included; ``idle`` moves its rule called for outside them did not come."""

    start: str
    end: str
    first: int
    last: int
    idle: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


MIN_IDLE = 3
MIN_MOVES = 10
MAX_ACTIVE_SHARE = 0.85


def active_hours(own: np.ndarray, predicted: np.ndarray, tick_of_day: np.ndarray, ticks_per_day: int,
                 minutes_per_tick: float, offset: float, tolerance: float) -> Hours | None:
    r"""The hours of the day in which a seller reprices, when they are fewer than all. Among the runs of ticks of
    the day in which none of the changes its rule explains fell, the one in which the rule called for the most
    moves that did not come (at least ``MIN_IDLE``) is its idle time, when it covers at least
    ``1 - MAX_ACTIVE_SHARE`` of the day and the seller made at least ``MIN_MOVES`` explained changes: a seller
    that merely had nothing to react to at night is not idle at night. ``predicted`` is the rule's price at
    each cell (:func:`market.observed.replay.trace`)."""
    seen = np.flatnonzero(~np.isnan(own))
    if seen.size < 2:
        return None
    before, after = seen[:-1], seen[1:]
    moved = np.abs(own[after] - own[before]) > CHANGE_TOLERANCE * own[before]
    hit = np.abs(predicted[after] - own[after]) <= tolerance * own[after]
    explained = tick_of_day[after[moved & hit]]
    if explained.size < MIN_MOVES:
        return None
    used = np.zeros(ticks_per_day, dtype=bool)
    used[explained] = True
    called = ~moved & (np.abs(predicted[after] - own[before]) > tolerance * own[before])
    idle_at = np.bincount(tick_of_day[after[called]], minlength=ticks_per_day)
    best = None
    for start, length in _gaps(used):
        ticks = (start + np.arange(length)) % ticks_per_day
        idle = int(idle_at[ticks].sum())
        if length >= (1.0 - MAX_ACTIVE_SHARE) * ticks_per_day and idle >= MIN_IDLE and (best is None or idle > best[2]):
            best = (start, length, idle)
    if best is None:
        return None
    start, length, idle = best
    first, last = (start + length) % ticks_per_day, (start - 1) % ticks_per_day
    return Hours(start=clock(offset + first * minutes_per_tick), end=clock(offset + (last + 1) * minutes_per_tick),
                 first=int(first), last=int(last), idle=idle)


def clock(minutes: float) -> str:
    """``HH:MM`` of a time of day given in minutes past midnight."""
    minutes = minutes % 1440
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"


def _gaps(used: np.ndarray) -> list[tuple[int, int]]:
    """``(start, length)`` of each maximal circular run of ticks of the day without a change."""
    if used.all() or not used.any():
        return []
    n = used.size
    shift = int(np.argmax(used))  # start the walk at a used tick, so no run wraps
    runs, start = [], None
    for step in range(1, n + 1):
        tick = (shift + step) % n
        if not used[tick] and start is None:
            start = tick
        elif used[tick] and start is not None:
            runs.append((start, (tick - start) % n))
            start = None
    return runs

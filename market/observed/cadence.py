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

PERIODS = (1, 2, 3, 4, 6, 12, 18, 24, 36, 48, 72, 144)
PHASES = 2
MIN_SUPPORT = 0.5
CHANGE_TOLERANCE = 1e-6


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

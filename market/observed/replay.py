r"""Replay candidate rules one step ahead on the observed rivals' prices, through the engine's own dispatch.

A candidate is a registered strategy with its parameters, a cadence (period :math:`P`, phase
:math:`\phi`) and a lag :math:`L`. For each observation :math:`p_t` of the seller after an earlier one
:math:`p_s` (:math:`s < t`, nothing observed between), let :math:`w` be the last wake at or before
:math:`t` (:math:`w \equiv \phi \pmod P`). If :math:`w > s` the candidate predicts the price its
kernel sets at :math:`w` from what it saw then, the prices of tick :math:`w - 1 - L` (rivals' last
observed prices, carried forward, as the engine's history holds them): :math:`\hat p_t =
f(c_w, \underline{p}_{-i, w-1-L}, p_{j, w-1-L}, \theta)`, with :math:`c` the seller's cost,
:math:`\underline{p}_{-i}` the lowest rival price and :math:`p_j` the price of the seller it tracks
(the platform, for ``match_platform``). Otherwise nothing could have moved it: :math:`\hat p_t = p_s`.
A prediction *hits* when :math:`|\hat p_t - p_t| \le \tau p_t` (``tolerance`` :math:`\tau`).

Each observation is a *change* (:math:`|p_t - p_s| > 10^{-6} p_s`) or not; ``counts[k, d]`` holds, for
candidate :math:`k` and day :math:`d`, (non-changes hit, non-changes, changes hit, changes), so a score
can be formed for any resample of days (:mod:`market.observed.infer`). Observations whose seen tick
lies before the panel, or before any rival was observed, are not scored.

The kernels price through :func:`market.strategies.dispatch.rule_price` (so a strategy registered
tomorrow is replayed as the engine runs it) and allocate nothing: the caller passes every array.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from market.jit import tick_kernel
from market.observed.cadence import CHANGE_TOLERANCE
from market.strategies import MAX_PARAMS, MEMORY_SLOTS
from market.strategies.dispatch import rule_price

NON_HIT, NON, CHANGE_HIT, CHANGE = range(4)


class Seen(NamedTuple):
    """What a seller saw, per cell: rivals' prices carried forward (``rivals[t, j]``, NaN before j's first
    observation; the seller's own column is ignored), the lowest of them (``rival_min``, +inf where none is
    known yet), its own cost (NaN: unknown), and each cell's day (from 0)."""

    own: np.ndarray
    rivals: np.ndarray
    rival_min: np.ndarray
    cost: np.ndarray
    day: np.ndarray
    first_tick: int


@dataclass(frozen=True)
class Candidates:
    """Candidates as arrays, one row each: registry id, parameter row, tracked seller (-1: none), cadence, lag,
    and the parameter slot set at the seller's cost at each wake (-1: none; a floor at cost)."""

    strategy: np.ndarray
    param: np.ndarray
    leader: np.ndarray
    period: np.ndarray
    phase: np.ndarray
    lag: np.ndarray
    at_cost: np.ndarray

    @property
    def size(self) -> int:
        return self.strategy.shape[0]

    def arrays(self) -> tuple:
        """The arrays as one tuple, as the kernels take them."""
        return self.strategy, self.param, self.leader, self.period, self.phase, self.lag, self.at_cost

    @classmethod
    def of(cls, rows: list[tuple[int, np.ndarray, int, int, int, int, int]]) -> "Candidates":
        """From ``(strategy, param, leader, period, phase, lag, at_cost)`` tuples."""
        if not rows:
            return cls(np.zeros(0, np.int64), np.zeros((0, MAX_PARAMS)), *(np.zeros(0, np.int64) for _ in range(5)))
        strategy, param, leader, period, phase, lag, at_cost = zip(*rows, strict=True)
        as_int = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        return cls(as_int(strategy), np.vstack(param).astype(np.float64), as_int(leader), as_int(period),
                   as_int(phase), as_int(lag), as_int(at_cost))


@njit(cache=True, inline="always")
def _last_wake(t, first_tick, period, phase):
    """The last tick ``w <= t`` with ``(first_tick + w) % period == phase``."""
    return t - ((first_tick + t - phase) % period)


@tick_kernel
def _predict(t, prev_cell, prev, k, seen, c, row, memory):
    """``(prediction, seen tick)`` of candidate ``k`` of ``c`` (the arrays of :class:`Candidates`) for cell ``t``;
    seen tick -1 with ``prev`` when no wake fell after ``prev_cell``; NaN when the wake saw nothing known.
    ``row`` and ``memory`` are work arrays (the parameter row, with a slot at cost set, and the memory)."""
    strategy, param, leader, period, phase, lag, at_cost = c
    w = _last_wake(t, seen.first_tick, period[k], phase[k])
    if w <= prev_cell:
        return prev, -1
    tick = w - 1 - lag[k]
    if tick < 0 or seen.rival_min[tick] == np.inf:
        return np.nan, tick
    tracked = seen.rivals[tick, leader[k]] if leader[k] >= 0 else np.inf
    if tracked != tracked:
        return np.nan, tick
    for s in range(memory.shape[0]):
        memory[s] = 0.0
    for s in range(row.shape[0]):
        row[s] = param[k, s]
    if at_cost[k] >= 0:
        row[at_cost[k]] = seen.cost[w]
    return rule_price(strategy[k], seen.cost[w], seen.rival_min[tick], tracked, row, memory), tick


@tick_kernel
def _score(seen, c, tolerance, row, memory, counts):
    """Fill ``counts[k, day, :]`` (module docstring) for every candidate ``k`` of ``c``."""
    own = seen.own
    for k in range(c[0].shape[0]):
        prev = np.nan
        prev_cell = -1
        for t in range(own.shape[0]):
            y = own[t]
            if y != y:
                continue
            if prev_cell >= 0:
                predicted, _ = _predict(t, prev_cell, prev, k, seen, c, row, memory)
                if predicted == predicted:
                    slot = CHANGE if abs(y - prev) > CHANGE_TOLERANCE * prev else NON
                    counts[k, seen.day[t], slot] += 1
                    if abs(predicted - y) <= tolerance * y:
                        counts[k, seen.day[t], slot - 1] += 1
            prev = y
            prev_cell = t


@tick_kernel
def _trace(seen, k, c, row, memory, predicted, tick):
    """For candidate ``k``: ``predicted[t]`` and the ``tick[t]`` whose prices it used, at each observed cell (NaN
    and -1 elsewhere)."""
    own = seen.own
    prev = np.nan
    prev_cell = -1
    for t in range(own.shape[0]):
        predicted[t] = np.nan
        tick[t] = -1
        y = own[t]
        if y != y:
            continue
        if prev_cell >= 0:
            predicted[t], tick[t] = _predict(t, prev_cell, prev, k, seen, c, row, memory)
        prev = y
        prev_cell = t


def score(seen: Seen, candidates: Candidates, tolerance: float) -> np.ndarray:
    """int64[K, days, 4]: each candidate's hits and counts per day (module docstring)."""
    counts = np.zeros((candidates.size, int(seen.day[-1]) + 1, 4), dtype=np.int64)
    if candidates.size:
        _score(seen, candidates.arrays(), float(tolerance), np.zeros(MAX_PARAMS), np.zeros(MEMORY_SLOTS), counts)
    return counts


def trace(seen: Seen, candidates: Candidates, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``(predicted, tick)`` of candidate ``k`` at each cell (see ``_trace``)."""
    t = seen.own.shape[0]
    predicted, tick = np.empty(t), np.empty(t, dtype=np.int64)
    _trace(seen, int(k), candidates.arrays(), np.zeros(MAX_PARAMS), np.zeros(MEMORY_SLOTS), predicted, tick)
    return predicted, tick


def seen_by(cells, i: int) -> Seen:
    """What seller ``i`` of ``cells`` (:class:`market.observed.grid.Cells`) saw: see :class:`Seen`."""
    from market.observed.grid import carry_forward

    rivals = carry_forward(cells.price)
    others = np.delete(rivals, i, axis=1)
    rival_min = np.where(np.isnan(others), np.inf, others).min(axis=1)
    cost = cells.cost[:, i].copy() if cells.cost is not None else np.full(cells.n_ticks, np.nan)
    day = (cells.first_tick + np.arange(cells.n_ticks)) // cells.ticks_per_day
    return Seen(own=np.ascontiguousarray(cells.price[:, i]), rivals=rivals, rival_min=rival_min,
                cost=np.ascontiguousarray(cost), day=(day - day[0]).astype(np.int64), first_tick=cells.first_tick)

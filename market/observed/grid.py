r"""Observations on a regular grid: prices carried forward (:class:`Panel`, the screens') or one cell per tick
with gaps left open (:class:`Cells`, inference's).

**The screens' grid.** Times :math:`g_k = g_0 + k\,\Delta`, :math:`k = 0, \dots, K`: :math:`g_0` is the
first time at which every seller has been observed, :math:`g_K` the last observation, and the step
:math:`\Delta` is given or, by default, the median gap between consecutive distinct observation times
(pooled over sellers). A seller's price at :math:`g_k` is its last observed price at or before
:math:`g_k` (posted prices stand until they are changed).

**Inference's cells.** Time is cut into ticks of ``tick`` minutes from midnight (date-time panels; a
numeric panel's times are ticks of 10 minutes from midnight of day 0, as a run's ``tick`` column):
cell :math:`c` holds the last observation in :math:`[o + c\,\tau, o + (c + 1)\,\tau)`, or nothing
(NaN), so a scrape that missed a tick is a gap, not a repeated price. A repricer that wakes at ticks
:math:`t \equiv \phi \pmod P` changes its price only in those cells.
"""

from dataclasses import dataclass

import numpy as np

from market import budget
from market.errors import PanelError
from market.observed import cadence
from market.observed.read import Observations, moment, observations

MIN_POINTS = 8
MAX_CELLS = 20_000_000
PAIR_BYTES = 64  # the pairwise screens' arrays per pair of sellers (correlations of changes, lags)
MINUTES_PER_DAY = 1440
TICK_MINUTES = 10


@dataclass(frozen=True)
class Panel:
    """Prices on a regular grid: ``price[k, i]`` is seller ``i``'s price at grid time ``time[k]``.

    ``cost`` and ``nash_price`` have the shape of ``price``, or are None where the panel lacks them;
    ``owner`` names each seller's owner (None: a firm of its own). ``unit`` is ``"minutes"`` for date-time
    panels, ``"ticks"`` for a run's, else ``"time units"``.
    """

    seller: tuple[str, ...]
    time: np.ndarray
    price: np.ndarray
    cost: np.ndarray | None
    nash_price: np.ndarray | None
    step: float
    unit: str
    owner: tuple[str | None, ...] | None = None
    notes: tuple[str, ...] = ()

    @property
    def n_sellers(self) -> int:
        return len(self.seller)

    @property
    def n_times(self) -> int:
        return self.time.shape[0]

    def describe_grid(self) -> str:
        """E.g. ``2,016 points every 10 minutes (last observation carried forward)``."""
        return f"{self.n_times:,} points every {self.step:g} {self.unit} (last observation carried forward)"

    def firms(self) -> np.ndarray:
        """int64[n]: each seller's firm (sellers of one owner share a number; a seller without one is its own)."""
        names = [o if o is not None else f"\0{s}" for s, o in zip(self.seller, self.owner or [None] * self.n_sellers,
                                                                  strict=True)]
        return np.unique(names, return_inverse=True)[1].astype(np.int64)

    def rivals(self) -> np.ndarray:
        """bool[n, n]: whether sellers i and j belong to different firms (the pairs whose co-movement is between
        competitors, not within one firm)."""
        firms = self.firms()
        return firms[:, None] != firms[None, :]

    def firm_weights(self) -> np.ndarray:
        """float64[n]: weights that count each firm once, its sellers equally: 1 / (firms x the firm's sellers)."""
        firms = self.firms()
        sizes = np.bincount(firms)
        return 1.0 / (sizes.size * sizes[firms])


def panel(obs: Observations, step: float | None = None) -> Panel:
    """``obs`` on the screens' grid (module docstring); ``PanelError`` for a grid too short or too large."""
    where = obs.source
    distinct = np.unique(obs.time)
    if step is None:
        gaps = np.diff(distinct)
        step = float(np.median(gaps)) if gaps.size else 0.0
    if not (np.isfinite(step) and step > 0.0):
        raise PanelError(f"{where}: grid step = {step:g}: must be > 0 (the panel needs at least two distinct times, "
                         f"or give a step)")
    n = obs.n_sellers
    order = np.argsort(obs.index, kind="stable")  # rows seller by seller, each seller's in time order
    bounds = np.searchsorted(obs.index[order], np.arange(n + 1))
    rows = [order[bounds[i]:bounds[i + 1]] for i in range(n)]
    start = obs.time[order[bounds[:-1]]].max()
    points = int(np.floor((obs.time[-1] - start) / step + 1e-9)) + 1
    if points < MIN_POINTS or points * n > MAX_CELLS:
        raise PanelError(f"{where}: the grid from the time every seller is seen ({moment(start, obs.unit)}) to the "
                         f"last row ({moment(obs.time[-1], obs.unit)}) every {step:g} {obs.unit} has {points:,} "
                         f"points: need {MIN_POINTS} to {MAX_CELLS // n:,} (choose another step)")
    budget.require(PAIR_BYTES * n**2, f"the screens' pairwise measures of {n:,} sellers",
                   "screen fewer sellers (a market at a time)")
    grid = start + step * np.arange(points)
    columns = {"price": obs.price, "cost": obs.cost, "nash_price": obs.nash_price}
    series = {name: np.empty((points, n)) for name, v in columns.items() if v is not None}
    for i, r in enumerate(rows):
        latest = r[np.searchsorted(obs.time[r], grid + 1e-9 * step, side="right") - 1]
        for name in series:
            series[name][:, i] = columns[name][latest]
    return Panel(seller=obs.seller, time=grid, price=series["price"], cost=series.get("cost"),
                 nash_price=series.get("nash_price"), step=step, unit=obs.unit, owner=obs.owner, notes=obs.notes)


@dataclass(frozen=True)
class Cells:
    """Observations one cell per tick: ``price[c, i]`` is seller ``i``'s last price observed in tick ``c`` (NaN:
    none). ``cost`` is carried forward from the last observation (NaN before the first; None: no costs).
    ``featured[c]`` is the seller seen holding the Buy Box in tick ``c`` (-1: none seen or unknown).
    Tick ``c`` is tick ``first_tick + c`` counted from the first day's midnight plus ``offset`` minutes
    (``start``, in the panel's time unit); ``ticks_per_day`` ticks make a day."""

    seller: tuple[str, ...]
    price: np.ndarray
    cost: np.ndarray | None
    featured: np.ndarray
    platform: int
    start: float
    tick: float
    unit: str
    first_tick: int
    ticks_per_day: int
    offset: float
    zoned: bool

    @property
    def n_ticks(self) -> int:
        return self.price.shape[0]

    @property
    def n_sellers(self) -> int:
        return self.price.shape[1]

    def tick_of_day(self) -> np.ndarray:
        """int64[T]: each cell's tick of the day (0 at midnight)."""
        return (self.first_tick + np.arange(self.n_ticks, dtype=np.int64)) % self.ticks_per_day

    def minutes(self, ticks: float) -> float:
        """Minutes in ``ticks`` ticks (a numeric panel's tick is 10 minutes)."""
        return ticks * (self.tick if self.unit == "minutes" else TICK_MINUTES * self.tick)

    def time_of(self, cell: int) -> str:
        """The start of cell ``cell`` as the panel gives time."""
        return moment(self.start + (self.first_tick + cell) * self.tick, self.unit)


def cells(obs: Observations, tick: float | None = None) -> Cells:
    """``obs`` one cell per tick (module docstring); ``tick`` in minutes for date-times (default 10), else in the
    time column's unit (default 1). ``PanelError`` when the cells would not fit."""
    where = obs.source
    minutes = obs.unit == "minutes"
    tick = (TICK_MINUTES if minutes else 1.0) if tick is None else float(tick)
    day_length = MINUTES_PER_DAY if minutes else MINUTES_PER_DAY / TICK_MINUTES  # in the time column's unit
    day = day_length / tick
    if not (np.isfinite(tick) and tick > 0.0) or abs(day - round(day)) > 1e-9:
        raise PanelError(f"--tick {tick:g}: must be > 0 and divide a day ({day_length:g} "
                         f"{'minutes' if minutes else obs.unit + ' of ' + str(TICK_MINUTES) + ' minutes'})")
    n_ticks = int(np.floor((obs.time[-1] - obs.time[0]) / tick)) + 2
    if n_ticks * obs.n_sellers > MAX_CELLS:
        raise PanelError(f"{where}: {n_ticks:,} ticks of {tick:g} {'minutes' if minutes else obs.unit} x "
                         f"{obs.n_sellers} sellers = {n_ticks * obs.n_sellers:,} cells; at most {MAX_CELLS:,}: split "
                         f"the panel by time or choose a longer --tick")
    budget.require(n_ticks * obs.n_sellers * 8 * 3, f"{where}: the cells", "split the panel by time")
    offset = tick_offset(obs, tick) if minutes else 0.0
    price, first, cell, start = _scatter(obs, tick, offset)
    n_ticks = price.shape[0]
    cost = None
    if obs.cost is not None:
        cost = np.full((n_ticks, obs.n_sellers), np.nan)
        cost[cell, obs.index] = obs.cost
        cost = carry_forward(cost)
    featured = np.full(n_ticks, -1, dtype=np.int64)
    if obs.featured is not None:
        featured[cell[obs.featured]] = obs.index[obs.featured]
    return Cells(seller=obs.seller, price=price, cost=cost, featured=featured, platform=obs.platform(),
                 start=float(start), tick=tick, unit=obs.unit, first_tick=first, ticks_per_day=int(round(day)),
                 offset=float(offset), zoned=obs.zoned)


def tick_offset(obs: Observations, tick: float, resolution: int = 20) -> float:
    r"""Minutes past the clock's ticks at which repricers act: the offset :math:`b \in [0, \tau)` of the cells
    at which the sellers' observed changes fall most regularly on their cadences.

    Repricers act on their own clocks and a scraper's visits fall anywhere in a tick: cut at the wrong
    offset, a visit just before a repricing counts the new price one tick late, and a seller that
    reprices every hour seems to change at two phases. For each candidate offset (``resolution`` of
    them per tick) the score is :math:`\sum_i \max_{P \ge 2} \sigma_i(P)`, the support of each seller's
    best phase (:func:`market.observed.cadence.support`). Offsets that score alike cut the visits alike
    as far as the changes tell; of those, the one with the fewest visits within a tenth of a tick of
    it is taken (a cut through the visits would put two in one cell and none in the next).
    """
    offsets = np.arange(resolution) * tick / resolution
    totals = np.zeros(resolution)
    for k, offset in enumerate(offsets):
        price, first = _scatter(obs, tick, float(offset))[:2]
        for i in range(obs.n_sellers):
            start, end = cadence.change_events(price[:, i])
            if start.size:
                totals[k] += max(cadence.support(start, end, first, p).max() for p in cadence.PERIODS if p > 1)
    best = np.flatnonzero(totals >= totals.max() - 1e-9)
    position = np.mod(obs.time, tick)
    gap = np.abs((position[None, :] - offsets[best, None] + tick / 2) % tick - tick / 2)
    crowded = (gap < tick / 10).sum(axis=1)
    return float(offsets[best[np.argmin(crowded)]])


def _scatter(obs: Observations, tick: float, offset: float) -> tuple[np.ndarray, int, np.ndarray, float]:
    """``(price, first_tick, cell of each row, start)`` of the cells cut at ``offset`` minutes past the ticks."""
    day_length = MINUTES_PER_DAY if obs.unit == "minutes" else MINUTES_PER_DAY / TICK_MINUTES
    start = np.floor((obs.time[0] - offset) / day_length) * day_length + offset
    absolute = np.floor((obs.time - start) / tick + 1e-9).astype(np.int64)
    first = int(absolute[0])
    cell = absolute - first
    price = np.full((int(cell[-1]) + 1, obs.n_sellers), np.nan)
    price[cell, obs.index] = obs.price
    return price, first, cell, float(start)


def carry_forward(x: np.ndarray) -> np.ndarray:
    """Each column's last non-NaN value at or before each row (NaN before the first)."""
    index = np.where(np.isnan(x), 0, np.arange(x.shape[0])[:, None])
    np.maximum.accumulate(index, axis=0, out=index)
    return x[index, np.arange(x.shape[1])[None, :]]


def panel_from_frame(frame, step: float | None = None, where: str = "panel") -> Panel:
    """A frame of rows (``market.observed.read``) checked and put on the screens' grid."""
    return panel(observations(frame, where=where), step)


def carry_backward(x: np.ndarray) -> np.ndarray:
    """Each column's next non-NaN value at or after each row (NaN after the last)."""
    return carry_forward(x[::-1])[::-1]

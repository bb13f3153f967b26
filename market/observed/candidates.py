r"""The hypotheses: for each registered rule that inference tries, how its parameters are fitted to a seller.

A *fitter* takes what the seller saw (:class:`market.observed.replay.Seen`), its observed changes and
its candidate cadences and lags, and returns candidate rows (strategy, parameters, tracked seller,
period, phase, lag) for the replay to score. ``FITTERS`` lists them in the order of simplicity in
which ties are broken (a seller whose price never moves is ``fixed``, not a matcher stuck at its
ceiling); adding a registered rule to inference is one fitter and one entry here. Fits, with
:math:`y` the seller's observed prices and changes :math:`(s, t]` (:mod:`market.observed.cadence`):

- ``fixed``: the price most often observed;
- ``cost_plus`` (costs known): markup :math:`m = \operatorname{median} (y_t / c_w - 1)` over the changes,
  :math:`w` the wake that made the change;
- ``match_lowest``: floor :math:`\min y`, ceiling :math:`\max y`; where costs are known, also a floor at
  cost (the seller's cost at each wake, as a scenario's ``floor = "cost"``);
- ``match_platform``: the same, tracking the platform (a seller whose ``role`` is platform), else
  the rival whose price the seller's new prices most often equal;
- ``undercut``: floor and ceiling as above; step :math:`\operatorname{median}(\underline{p}_{-i,w-1-L}
  - y_t)` over the changes to a price strictly between them (:math:`w` the wake that made the change);
- ``edgeworth``: step as above over the cuts; floor just below :math:`\min y` (a lower target resets);
  reset price :math:`\max y`.
- ``resetting`` (where rises fall at one tick of the day :math:`r` on most days,
  :func:`market.observed.resets.daily_tick`): reset price the median price risen to there; ``hour`` a time
  in :math:`((r_w - P)\tau, r_w \tau]` (:math:`r_w` the first wake of the cadence at or after :math:`r`,
  :math:`\tau` the minutes of a tick; the roundest such time, whole hours first), so that the first wake at
  or after it is :math:`r_w` (none later than ``LATEST_HOUR``, as the registry allows); ``hold_hours``
  likewise from the median number :math:`H` of ticks from a reset's wake to the wake of the fall after it
  (0 when :math:`H \le P`); floor as above; step as above over the cuts to a price strictly between floor
  and reset price, or, where none did, the largest gap from the lowest rival price to the price cut to (any
  step at least that large cuts to the floor).

- ``price_leadership``: step the median rise; ``window`` the median number of wakes after which a
  rise was undone by a fall to the price before it, ``cooldown`` one less than the median number of
  wakes from such a fall to the next rise (each with its neighbours), floor and ceiling as above, at
  the ``LEADER_CADENCES`` best-supported cadences and the lags ``LEADER_LAGS`` (the prober reads its
  rivals only to see whether they followed).

- ``best_response`` (demand known: a scenario whose sellers are the panel's): nothing to fit; the static
  best response to the prices seen, at the scenario's costs and demand.

Rules of the registry that no fitter covers (learners, trigger strategies, best responses without
a demand) are named in the result as not tried.
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from market.observed.cadence import Cadence, change_events
from market.observed.replay import Demand, Seen
from market.observed.resets import daily_tick, rises
from market.strategies import get

MAX_LAG = 36  # ticks: six hours on a 10-minute grid
LEADER_CADENCES = 3
LEADER_LAGS = (0, 1, 2, 3, 6, 12, 24, 36)
EDGE = 1e-9   # relative margin that puts a fitted floor just below the lowest price seen
LATEST_HOUR = get("resetting").param("hour").high  # a reset the registry's hours cannot time is not a candidate


@dataclass(frozen=True)
class Evidence:
    """What a fitter uses: the seller's view, its observed prices and changes, cadences and lags to try."""

    seen: Seen
    seller: int
    start: np.ndarray
    end: np.ndarray
    cadences: list[Cadence]
    lags: np.ndarray
    platform: int
    tolerance: float
    demand: Demand | None = None

    @property
    def costs_known(self) -> bool:
        return bool(np.isfinite(self.seen.cost).any())

    @property
    def prices(self) -> np.ndarray:
        own = self.seen.own
        return own[~np.isnan(own)]


Row = tuple[int, np.ndarray, int, int, int, int, int, bool, int]
Fitter = Callable[[Evidence], list[Row]]


def evidence(seen: Seen, seller: int, cadences: list[Cadence], platform: int, tolerance: float,
             max_lag: int = MAX_LAG, demand: Demand | None = None) -> Evidence:
    start, end = change_events(seen.own)
    return Evidence(seen=seen, seller=seller, start=start, end=end, cadences=cadences,
                    lags=np.arange(max_lag + 1), platform=platform, tolerance=tolerance, demand=demand)


def _row(name: str, values: dict, leader: int = -1, period: int = 1, phase: int = 0, lag: int = 0) -> Row:
    """A candidate row; a parameter given as ``"cost"`` is set at the seller's cost at each wake."""
    spec = get(name)
    at_cost = [k for k, p in enumerate(spec.params) if values.get(p.name) == "cost"]
    numbers = {key: 0.0 if value == "cost" else value for key, value in values.items()}
    return (spec.id, spec.resolve(numbers, {}), leader, period, phase, lag, at_cost[0] if at_cost else -1,
            spec.uses_rival_prices, spec.family_code)


def _fixed(e: Evidence) -> list[Row]:
    values, counts = np.unique(e.prices, return_counts=True)
    price = {"price": float(values[np.argmax(counts)])}
    return [_row("fixed", price, period=c.period, phase=c.phase) for c in e.cadences]


def _cost_plus(e: Evidence) -> list[Row]:
    if not e.costs_known:
        return []
    rows = []
    for c in e.cadences:
        wake = _wakes(e, c)
        ok = (wake > e.start) & np.isfinite(e.seen.cost[np.maximum(wake, 0)]) & (e.seen.cost[np.maximum(wake, 0)] > 0)
        if ok.any():
            markup = float(np.median(e.seen.own[e.end[ok]] / e.seen.cost[wake[ok]] - 1.0))
            if markup >= 0:
                rows.append(_row("cost_plus", {"markup": markup}, period=c.period, phase=c.phase))
    return rows


def _wakes(e: Evidence, c: Cadence) -> np.ndarray:
    """The wake of cadence ``c`` that would have made each observed change (the last at or before it)."""
    return e.end - ((e.seen.first_tick + e.end - c.phase) % c.period)


def _bounds(e: Evidence) -> list[dict]:
    """Floor and ceiling: the lowest and highest prices seen; and, where costs are known, a floor at cost."""
    bounds = [{"floor": float(e.prices.min()), "ceiling": float(e.prices.max())}]
    if e.costs_known:
        bounds.append({**bounds[0], "floor": "cost"})
    return bounds


def _each(e: Evidence, name: str, values_by: Callable[[Cadence, dict], list[dict | None]],
          leader: int = -1) -> list[Row]:
    """Rows for every bound variant, cadence and lag; ``values_by(c, bounds)`` gives the parameters at each lag
    of ``e.lags`` (None: no candidate at that lag)."""
    rows = []
    for bounds in _bounds(e):
        for c in e.cadences:
            for lag, values in zip(e.lags, values_by(c, bounds), strict=True):
                if values is not None:
                    rows.append(_row(name, values, leader, c.period, c.phase, int(lag)))
    return rows


def _match_lowest(e: Evidence) -> list[Row]:
    return _each(e, "match_lowest", lambda c, bounds: [bounds] * e.lags.size)


def _tracked(e: Evidence) -> int:
    """The platform if the panel names one (and it is not this seller), else the rival most often copied."""
    if e.platform >= 0:
        return e.platform if e.platform != e.seller else -1
    if e.end.size == 0:
        return -1
    new = e.seen.own[e.end]
    rivals = e.seen.before[e.end]
    copied = np.abs(rivals - new[:, None]) <= e.tolerance * new[:, None]
    copied[:, e.seller] = False
    counts = copied.sum(axis=0)
    return int(np.argmax(counts)) if counts.max() > 0 else -1


def _match_platform(e: Evidence) -> list[Row]:
    leader = _tracked(e)
    if leader < 0:
        return []
    return _each(e, "match_platform", lambda c, bounds: [bounds] * e.lags.size, leader=leader)


def _gaps(e: Evidence, c: Cadence, keep: np.ndarray) -> np.ndarray:
    """float64[changes, lags]: the lowest rival price seen less the new price, for the changes in ``keep`` that a wake
    of cadence ``c`` could have made, at each lag; NaN where that price is not known for sure."""
    wake = _wakes(e, c)
    tick = wake[:, None] - 1 - e.lags[None, :]
    ok = (keep & (wake > e.start))[:, None] & (tick >= 0)
    tick = np.maximum(tick, 0)
    low = e.seen.low_before[tick]
    ok &= (low == e.seen.low_after[tick]) & np.isfinite(low)
    return np.where(ok, low - e.seen.own[e.end][:, None], np.nan)


def _least(e: Evidence) -> float:
    """The smallest step told from no step: the tolerance at the median price."""
    return e.tolerance * float(np.median(e.prices))


def _steps(e: Evidence, c: Cadence, keep: np.ndarray) -> list[float | None]:
    """For each lag: the median gap (:func:`_gaps`) over the changes in ``keep``; None where there is none, or the
    median is not a step (not above :func:`_least`)."""
    gap = _gaps(e, c, keep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a lag at which no change is known: an all-NaN column
        step = np.nanmedian(gap, axis=0) if gap.size else np.full(e.lags.size, np.nan)
    return [float(x) if x > _least(e) else None for x in step]


def _inside(e: Evidence, c: Cadence, floor: float | str, ceiling: float) -> np.ndarray:
    """Which changes went to a price strictly between ``floor`` (``"cost"``: the cost at the wake) and ``ceiling``."""
    new = e.seen.own[e.end]
    low = e.seen.cost[np.maximum(_wakes(e, c), 0)] if floor == "cost" else floor
    return (new > low * (1 + e.tolerance)) & (new < ceiling * (1 - e.tolerance))


def _undercut(e: Evidence) -> list[Row]:
    def values(c: Cadence, bounds: dict) -> list[dict | None]:
        inside = _inside(e, c, bounds["floor"], bounds["ceiling"])
        return [None if step is None else {"step": step, **bounds} for step in _steps(e, c, inside)]
    return _each(e, "undercut", values)


def _edgeworth(e: Evidence) -> list[Row]:
    cuts = e.seen.own[e.end] < e.seen.own[e.start]
    floor, reset = float(e.prices.min()) * (1 - EDGE), float(e.prices.max())

    def values(c: Cadence, bounds: dict) -> list[dict | None]:
        if bounds["floor"] == "cost":
            return [None] * e.lags.size
        return [None if step is None else {"step": step, "floor": floor, "reset": reset}
                for step in _steps(e, c, cuts)]
    return _each(e, "edgeworth", values)


def _resetting(e: Evidence) -> list[Row]:
    """Where the seller's rises fall at one tick of the day on most days (module docstring)."""
    seen, tpd, minutes = e.seen, e.seen.ticks_per_day, e.seen.tick_minutes
    up = rises(seen.own, e.start, e.end)
    found = daily_tick(e.start[up], e.end[up], seen.first_tick, tpd, seen.own.shape[0])
    if found is None:
        return []
    tick, close = found
    resets = np.flatnonzero(up)[close]
    reset = float(np.median(seen.own[e.end[resets]]))
    falls = seen.own[e.end] < seen.own[e.start]
    after = resets[resets + 1 < e.end.size]
    after = after[falls[after + 1]]

    def values(c: Cadence, bounds: dict) -> list[dict | None]:
        first = tick + (c.phase - tick) % c.period
        hour = _roundest((first - c.period) * minutes, first * minutes) % 1440.0 / 60.0
        if hour > LATEST_HOUR:
            return [None] * e.lags.size
        wake = _wakes(e, c)
        held = int(np.median(wake[after + 1] - wake[after])) if after.size else c.period
        hold = 0.0 if held <= c.period else _roundest((held - c.period) * minutes, held * minutes) / 60.0
        fixed = {"floor": bounds["floor"], "reset": reset, "hour": hour, "hold_hours": min(hold, 24.0)}
        cuts = falls & _inside(e, c, bounds["floor"], reset)
        steps = [inside if inside is not None else to_floor for inside, to_floor in
                 zip(_steps(e, c, cuts), _to_floor(e, c, falls), strict=True)]
        return [None if step is None else {"step": step, **fixed} for step in steps]
    return _each(e, "resetting", values)


def _to_floor(e: Evidence, c: Cadence, cuts: np.ndarray) -> list[float | None]:
    """For each lag: a step that takes every cut in ``cuts`` to the floor (the largest gap, at least twice
    :func:`_least`); None where no gap is known."""
    gap = _gaps(e, c, cuts)
    known = np.isfinite(gap).any(axis=0)
    largest = np.max(np.where(np.isfinite(gap), gap, -np.inf), axis=0, initial=-np.inf)
    return [float(max(x, 2.0 * _least(e))) if k else None for x, k in zip(largest, known, strict=True)]


def _roundest(low: float, high: float) -> float:
    """The roundest number of minutes in ``(low, high]`` (whole hours first, then half and quarter hours, exact in
    hours; then 10, 5 and 1 minutes, kept half a minute below ``high`` so that rounding the hours they make
    cannot move them across a tick)."""
    for unit, margin in ((60.0, 0.0), (30.0, 0.0), (15.0, 0.0), (10.0, 0.5), (5.0, 0.5), (1.0, 0.5)):
        value = (np.floor(low / unit) + 1.0) * unit
        if value <= high - margin:
            return float(value)
    return 0.5 * (low + high)


def _wake_counts(e: Evidence, c: Cadence, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Wakes of cadence ``c`` in (start, end] for each pair of cells."""
    first = e.seen.first_tick
    return (end + first - c.phase) // c.period - (start + first - c.phase) // c.period


def _price_leadership(e: Evidence) -> list[Row]:
    """Probes are rises; a probe undone by a fall to the price before it was reverted after ``window`` wakes; the
    wakes from a revert to the next probe are ``cooldown`` + 1. Each estimate (a median) and its neighbours are
    tried, with the cadences of best support and ``LEADER_LAGS``."""
    before, after = e.seen.own[e.start], e.seen.own[e.end]
    rise = after > before * (1 + e.tolerance)
    if rise.sum() < 2:
        return []
    step = float(np.median(after[rise] - before[rise]))
    probe = np.flatnonzero(rise)
    nxt = probe + 1 < e.end.size
    undone = probe[nxt][np.abs(after[probe[nxt] + 1] - before[probe[nxt]]) <= e.tolerance * before[probe[nxt]]]
    bounds = {"floor": float(e.prices.min()), "ceiling": float(e.prices.max())}
    rows = []
    for c in sorted(e.cadences, key=lambda c: -c.support)[:LEADER_CADENCES]:
        windows = _wake_counts(e, c, e.end[undone], e.end[undone + 1]) if undone.size else np.array([3])
        window = max(int(np.median(windows)), 1)
        after_revert = np.searchsorted(probe, undone + 1)
        known = after_revert < probe.size
        gaps = (_wake_counts(e, c, e.end[undone[known] + 1], e.end[probe[after_revert[known]]]) - 1
                if known.any() else np.array([6]))
        cooldown = max(int(np.median(gaps)), 0)
        for w in {max(window - 1, 1), window, window + 1}:
            for cool in {max(cooldown - 1, 0), cooldown, cooldown + 1}:
                values = {"step": step, "window": float(w), "cooldown": float(cool), "slack": 0.0, **bounds}
                rows += [_row("price_leadership", values, -1, c.period, c.phase, lag) for lag in LEADER_LAGS]
    return rows


def _best_response(e: Evidence) -> list[Row]:
    """Where the demand is known: no parameter to fit, every cadence and lag."""
    if e.demand is None:
        return []
    return [_row("best_response", {}, -1, c.period, c.phase, int(lag)) for c in e.cadences for lag in e.lags]


FITTERS: dict[str, Fitter] = {
    "fixed": _fixed, "cost_plus": _cost_plus, "match_lowest": _match_lowest, "match_platform": _match_platform,
    "undercut": _undercut, "edgeworth": _edgeworth, "resetting": _resetting, "price_leadership": _price_leadership,
    "best_response": _best_response,
}
ORDER = tuple(FITTERS)

r"""The warm-up: measure the settled market, not the start-up transient.

Every run starts at the scenario's initial prices (often the monopoly price), and rule markets take days
to settle. With a ``[measure]`` table (``market.scenario.MeasurePlan``) the market, once trained where it
has learners, runs a warm-up; then its books restart (``market.state.restart_books``), so the ``horizon``
measures the settled market. What the warm-up booked is kept aside (``WarmUp.carry``), so that the whole
run, warm-up included, can be measured too (:func:`whole`): reports set the two side by side.

**When prices have settled.** Let :math:`p_{it}` be seller :math:`i`'s price at tick :math:`t`, :math:`W`
the window (``Scenario.warm_up_spans``), :math:`\varepsilon` the tolerance (``measure.tolerance``) and
:math:`\tau` = ``market.changes.CHANGE_TOLERANCE``. Over the last :math:`W` ticks run, the market has
settled

* in a **cycle** of period :math:`L` when, for the smallest :math:`L \le W/2` that works,
  :math:`|p_{it} - p_{i,t-L}| \le \tau\, |p_{i,t-L}|` for every seller and every tick of the window from its
  :math:`(L+1)`-th on: the window repeats itself, at least twice (:math:`L = 1`: prices are constant);
* else with **no drift** when each seller's mean price over the first and the second half of the window
  (the last :math:`2h` ticks, :math:`h = \lfloor W/2 \rfloor`) differ by at most :math:`\varepsilon` of
  their average: :math:`|\bar p^{(2)}_i - \bar p^{(1)}_i| \le \varepsilon\, (|\bar p^{(1)}_i| +
  |\bar p^{(2)}_i|) / 2`.

``"auto"`` runs the market from the end of training and checks every :math:`\lceil W/4 \rceil` ticks
(``CHECKS_PER_WINDOW`` checks a window) once :math:`W` ticks have run; it stops at the first check that
finds the market settled, or at the cap (``max_warm_up``, default the horizon: settled = false). The
warm-up it reports is the ticks it ran, so a market whose last price move is at tick :math:`k` after
training, constant after, is found at the first check point :math:`T \ge k + W`. A fixed warm-up runs
its ticks and is checked once, at its end (settled = false when it is shorter than the window). A cycle
longer than :math:`W/2`, or a drift slower than :math:`\varepsilon` a half-window, is not told apart from
the settled market: widen the window or lower the tolerance.
"""

from dataclasses import dataclass, replace

import numpy as np

from market import engine
from market.changes import CHANGE_TOLERANCE
from market.outside import Pricers
from market.scenario import Scenario
from market.state import INVENTORY_BOOKS, State, restart_books

CHECKS_PER_WINDOW = 4
COLUMNS = ("warm_up_ticks", "settled", "settled_by", "cycle_ticks")  # what a result row says of the warm-up


@dataclass(frozen=True)
class WarmUp:
    """How the warm-up went: ticks run before the books restarted, whether prices had settled by then and how
    (``"cycle"`` of ``cycle`` ticks, or ``"drift"``), the check's window, the tick it started at (the end of
    training, or 0), and what it booked (``carry``: arrays to add to the books' to measure the whole run, by group
    and field)."""

    ticks: int
    settled: bool
    how: str | None
    cycle: int
    window: int
    start: int
    carry: dict


def columns(warm_up: WarmUp | None) -> dict[str, object]:
    """What a result row says of the warm-up: ``warm_up_ticks`` (0 without one), ``settled`` (None without a
    ``[measure]`` table), ``settled_by`` (``cycle`` or ``drift``; None when not settled) and ``cycle_ticks``
    (the cycle's period; 0 unless settled by a cycle)."""
    if warm_up is None:
        return {"warm_up_ticks": 0, "settled": None, "settled_by": None, "cycle_ticks": 0}
    return {"warm_up_ticks": warm_up.ticks, "settled": warm_up.settled, "settled_by": warm_up.how,
            "cycle_ticks": warm_up.cycle}


def describe(warm_up: WarmUp, ticks_per_day: int) -> str:
    """``warmed up 1,440 ticks (10 days): settled in a cycle of 288 ticks (2 days)``, or ``...: NOT settled (...)``."""
    def span(ticks):
        return f"{ticks:,} ticks ({ticks / ticks_per_day:.3g} days)"
    found = {"cycle": f"settled in a cycle of {span(warm_up.cycle)}" if warm_up.cycle > 1 else "settled at constant "
             "prices", "drift": f"settled: no drift across {span(warm_up.window)}"}.get(
        warm_up.how, f"NOT settled (no repeating cycle or drift-free window of {span(warm_up.window)} found)")
    return f"warmed up {span(warm_up.ticks)}: {found}"


def stationary(prices: np.ndarray, tolerance: float) -> tuple[str | None, int]:
    """``("cycle", L)``, ``("drift", 0)`` or ``(None, 0)``: whether the prices of a window (``float64[W, n]``,
    oldest first) have settled, by the rule of the module docstring."""
    window = prices.shape[0]
    if window < 2:
        return None, 0
    periods = np.arange(1, window // 2 + 1)
    for depth in (1, 32):  # most periods fail on the latest ticks: test those for every period at once first
        periods = periods[_repeats(prices, periods, min(depth, window - window // 2))]
    for period in periods:
        earlier, later = prices[:-period], prices[period:]
        if np.all(np.abs(later - earlier) <= CHANGE_TOLERANCE * np.abs(earlier)):
            return "cycle", int(period)
    half = window // 2
    first, second = prices[-2 * half:-half].mean(axis=0), prices[-half:].mean(axis=0)
    if np.all(np.abs(second - first) <= tolerance * (np.abs(first) + np.abs(second)) / 2):
        return "drift", 0
    return None, 0


def _repeats(prices: np.ndarray, periods: np.ndarray, depth: int) -> np.ndarray:
    """For each period L: whether each of the last ``depth`` ticks' prices is within ``CHANGE_TOLERANCE`` of those
    L ticks earlier (``depth`` at most the window less the longest period), all periods in one array operation."""
    ticks = np.arange(prices.shape[0] - depth, prices.shape[0])
    later, earlier = prices[ticks], prices[ticks[None, :] - periods[:, None]]
    return np.all(np.abs(later - earlier) <= CHANGE_TOLERANCE * np.abs(earlier), axis=(1, 2))


class _Recent:
    """The prices of the last ``window`` ticks run, read from the state's history after each chunk of ticks."""

    def __init__(self, window: int, n_sellers: int):
        self.window = window
        self.prices = np.zeros((0, n_sellers))

    def run(self, state: State, n_ticks: int, pricers: Pricers | None) -> None:
        """Advance ``n_ticks`` in chunks the history holds whole, keeping their prices."""
        rows = state.sellers.history.shape[0]
        while n_ticks > 0:
            chunk = min(n_ticks, rows)
            ticks = np.arange(state.t, state.t + chunk) % rows
            engine.advance(state, chunk, pricers)
            self.prices = np.concatenate((self.prices, state.sellers.history[ticks]))[-self.window:]
            n_ticks -= chunk

    def settled(self, tolerance: float) -> tuple[str | None, int]:
        """:func:`stationary` over the window, once a whole window has run."""
        return stationary(self.prices, tolerance) if self.prices.shape[0] == self.window else (None, 0)


def warm_up(state: State, scenario: Scenario, pricers: Pricers | None = None) -> WarmUp | None:
    """Run the scenario's warm-up on ``state`` (trained already, where it trains), then restart the books; None
    (and nothing run) without a ``[measure]`` table. ``pricers`` price the sellers priced from outside."""
    spans = scenario.warm_up_spans
    if spans is None:
        return None
    start = state.t
    recent = _Recent(spans.window, state.n_sellers)
    if spans.fixed is not None:
        unrecorded = max(spans.fixed - spans.window, 0)
        engine.advance(state, unrecorded, pricers)
        recent.run(state, spans.fixed - unrecorded, pricers)
        how, cycle = recent.settled(scenario.measure.tolerance)
    else:
        step = -(-spans.window // CHECKS_PER_WINDOW)
        how, cycle = None, 0
        while how is None and state.t - start < spans.cap:
            recent.run(state, min(step, spans.cap - (state.t - start)), pricers)
            how, cycle = recent.settled(scenario.measure.tolerance)
    return WarmUp(ticks=state.t - start, settled=how is not None, how=how, cycle=cycle, window=spans.window,
                  start=start, carry=_restart(state))


def extend(state: State, warm_up: WarmUp, ticks: int, pricers: Pricers | None = None) -> WarmUp:
    """Lengthen a warm-up already run on ``state`` to ``ticks`` (nothing if it ran as long): run the ticks missing
    and restart the books again. Whether and how prices had settled stays what the warm-up found."""
    missing = ticks - warm_up.ticks
    if missing <= 0:
        return warm_up
    engine.advance(state, missing, pricers)
    carry = _restart(state)
    return replace(warm_up, ticks=ticks, carry={key: warm_up.carry[key] + carry[key] for key in carry})


def _books(state: State) -> dict:
    """Copies of the arrays a book restart empties: the totals, and the inventory's books."""
    books = {("totals", name): array.copy() for name, array in zip(state.totals._fields, state.totals, strict=True)}
    if state.inventory is not None:
        books.update({("inventory", name): getattr(state.inventory, name).copy() for name in INVENTORY_BOOKS})
    return books


def _restart(state: State) -> dict:
    """Restart the books; return what the warm-up booked, less what the restart put in (the stock on hand counted
    as received), so that adding it to the books gives the whole run's."""
    before = _books(state)
    restart_books(state)
    after = _books(state)
    return {key: before[key] - after[key] for key in before}


def whole(state: State, warm_up: WarmUp | None) -> State:
    """``state`` with books covering the warm-up and the ticks since (the whole run after training): the
    state itself without a warm-up. Measure it as any state (``market.metrics``, ``market.results.outcomes``)."""
    if warm_up is None or not warm_up.ticks:
        return state
    def booked(name, group):
        return group._replace(**{field: getattr(group, field) + warm_up.carry[(name, field)]
                                 for (where, field) in warm_up.carry if where == name})
    inventory = None if state.inventory is None else booked("inventory", state.inventory)
    return state._replace(totals=booked("totals", state.totals), inventory=inventory,
                          origin=np.array([warm_up.start], dtype=np.int64))

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
A prediction *hits* when :math:`|\hat p_t - p_t| \le \tau p_t` (``tolerance`` :math:`\tau`). A rival's
price at a tick without an observation is known only as its last observed price or its next one
(:class:`Seen`): the candidate then predicts a price for each and hits if either does (skipping such
observations would score candidates on different observations; carrying the last price forward
would make every lag look a tick longer where data are missing).

A candidate may run only in some hours of the day (``active``: ticks of the day ``[from, until)``, wrapping
past midnight when ``from > until``, as a scenario's ``active_hours``): its wakes outside them do not happen,
as in the engine. A rule kernel reads the clock of its wake as the engine counts it: tick :math:`t` of the
panel's grid is minute :math:`t \cdot 1440 / T_d` after the first day's midnight (:math:`T_d` ticks a day;
the grid's offset from the clock is left out, as the scenario fragment leaves it out).

Each observation is a *change* (:math:`|p_t - p_s| > 10^{-6} p_s`) or not; ``counts[k, d]`` holds, for
candidate :math:`k` and day :math:`d`, (non-changes hit, non-changes, changes hit, changes), so a score
can be formed for any resample of days (:mod:`market.observed.infer`). The first ``first_scored``
observations are not scored (so that every lag sees ticks inside the panel), nor are those seen
before any rival was observed.

The kernels price through :func:`market.strategies.dispatch.rule_price` (so a strategy registered
tomorrow is replayed as the engine runs it) and allocate nothing: the caller passes every array. A
strategy with memory is run through every wake, memory kept, as the engine runs it: a rule that keeps memory
(``resetting``, which remembers when it last reset) from the first day's midnight on, seeing the rivals' prices
as last observed at the wakes between observations (``+inf`` where none is known); the price-leadership prober
(of the learner family) with its memory brought in line with each observation as it comes (:func:`_resync`).
A best response (the response family) needs the demand: a scenario whose sellers are the panel's
(:class:`Demand`).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from market.changes import CHANGE_TOLERANCE
from market.engine import _runs as runs
from market.jit import tick_kernel
from market.strategies import MAX_PARAMS, MEMORY_SLOTS
from market.strategies.dispatch import learner_price, response_price, rule_price
from market.strategies.learning import _HOLD as HOLD
from market.strategies.learning import _PROBE as PROBE
from market.strategies.registry import LEARNER, RESPONSE, select

NON_HIT, NON, CHANGE_HIT, CHANGE = range(4)


class Demand(NamedTuple):
    """The demand a best response needs: the engine's ``market`` and ``responses`` groups of a scenario whose
    sellers are in the panel, ``column[j]`` the panel's column of the scenario's seller ``j``, ``seller`` the
    scenario's index of the seller replayed, ``period`` every scenario seller's period, ``seen`` a work array,
    ``rule`` the scenario's rule vector (:data:`market.interventions.SLOTS`). The featured offer a best response
    weighs is not observed: it is taken as none (-1)."""

    market: object
    responses: object
    rule: np.ndarray
    column: np.ndarray
    seller: int
    period: np.ndarray
    seen: np.ndarray


class Seen(NamedTuple):
    """What a seller saw, per cell. A rival's price at a tick without an observation is its last observed
    price, or the next one when they differ (it changed somewhere between, and either may have been seen):
    ``before[t, j]`` and ``after[t, j]`` are the two (equal where known; NaN before j's first observation;
    the seller's own column is ignored), ``low_before`` and ``low_after`` the lowest of them (+inf where no
    rival is known yet). ``cost`` is the seller's own cost (NaN: unknown), ``day`` each cell's day (from 0), and
    observations before cell ``first_scored`` are not scored (every lag sees into the panel after it). Cell ``c``
    is tick ``first_tick + c`` counted from the first day's midnight, ``ticks_per_day`` to a day; a rule kernel
    reads the clock ``(first_tick + c) * tick_minutes`` there (module docstring)."""

    own: np.ndarray
    before: np.ndarray
    after: np.ndarray
    low_before: np.ndarray
    low_after: np.ndarray
    cost: np.ndarray
    day: np.ndarray
    first_tick: int
    first_scored: int
    ticks_per_day: int
    tick_minutes: float


ALWAYS = (0, 2**62)  # active ticks of the day [from, until): every one


@dataclass(frozen=True)
class Candidates:
    """Candidates as arrays, one row each: registry id, parameter row, tracked seller (-1: none), cadence, lag,
    the parameter slot set at the seller's cost at each wake (-1: none; a floor at cost), whether the strategy
    reads rivals' prices (if not, an unknown rival price does not keep an observation from being scored), its
    family, whether it is a rule that keeps memory from wake to wake, and the ticks of the day ``[from, until)``
    in which it runs (``active``; :data:`ALWAYS` by default)."""

    strategy: np.ndarray
    param: np.ndarray
    leader: np.ndarray
    period: np.ndarray
    phase: np.ndarray
    lag: np.ndarray
    at_cost: np.ndarray
    uses_rivals: np.ndarray
    family: np.ndarray
    stateful: np.ndarray
    active: np.ndarray

    @property
    def size(self) -> int:
        return self.strategy.shape[0]

    def arrays(self) -> tuple:
        """The arrays as one tuple, as the kernels take them."""
        return (self.strategy, self.param, self.leader, self.period, self.phase, self.lag, self.at_cost,
                self.uses_rivals, self.family, self.stateful, self.active)

    def within(self, first: int, until: int) -> "Candidates":
        """The same candidates, running only in the ticks of the day ``[first, until)``."""
        active = np.tile(np.array([first, until], dtype=np.int64), (self.size, 1))
        return Candidates(*self.arrays()[:-1], active)

    @classmethod
    def of(cls, rows: list[tuple[int, np.ndarray, int, int, int, int, int, bool, int]]) -> "Candidates":
        """From ``(strategy, param, leader, period, phase, lag, at_cost, uses_rivals, family)`` tuples."""
        if not rows:
            return cls(np.zeros(0, np.int64), np.zeros((0, MAX_PARAMS)), *(np.zeros(0, np.int64) for _ in range(5)),
                       np.zeros(0, np.bool_), np.zeros(0, np.int64), np.zeros(0, np.bool_), np.zeros((0, 2), np.int64))
        strategy, param, leader, period, phase, lag, at_cost, uses_rivals, family = zip(*rows, strict=True)
        as_int = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        keeps = {s.id for s in select(family="rule") if s.memory > 0}
        return cls(as_int(strategy), np.vstack(param).astype(np.float64), as_int(leader), as_int(period),
                   as_int(phase), as_int(lag), as_int(at_cost), np.asarray(uses_rivals, dtype=np.bool_),
                   as_int(family), np.array([s in keeps for s in strategy], dtype=np.bool_),
                   np.tile(np.array(ALWAYS, dtype=np.int64), (len(rows), 1)))


@njit(cache=True, inline="always")
def _last_wake(t, first_tick, period, phase):
    """The last tick ``w <= t`` with ``(first_tick + w) % period == phase``."""
    return t - ((first_tick + t - phase) % period)


@njit(cache=True, inline="always")
def _runs_at(w, k, seen, c):
    """Whether candidate ``k`` runs at cell ``w`` (within its active ticks of the day)."""
    active = c[10]
    return runs((seen.first_tick + w) % seen.ticks_per_day, active[k, 0], active[k, 1])


@tick_kernel
def _last_active_wake(t, after, k, seen, c):
    """The last wake of candidate ``k`` at or before ``t`` in its active hours; a tick ``<= after`` when none
    falls after ``after``."""
    period, phase = c[3], c[4]
    w = _last_wake(t, seen.first_tick, period[k], phase[k])
    while w > after and not _runs_at(w, k, seen, c):
        w -= period[k]
    return w


@tick_kernel
def _rule(k, w, low, tracked, seen, c, row, memory):
    """The price candidate ``k`` sets at wake ``w`` seeing ``low`` (lowest rival) and ``tracked``; a rule without
    memory starts from a blank one."""
    strategy, param, at_cost, stateful = c[0], c[1], c[6], c[9]
    if not stateful[k]:
        for s in range(memory.shape[0]):
            memory[s] = 0.0
    for s in range(row.shape[0]):
        row[s] = param[k, s]
    cost = seen.cost[w] if w >= 0 else np.nan
    if at_cost[k] >= 0:
        row[at_cost[k]] = cost
    return rule_price(strategy[k], cost, low, tracked, (seen.first_tick + w) * seen.tick_minutes, row, memory)


@tick_kernel
def _predict(t, prev_cell, prev, k, seen, c, work, demand):
    """``(a, b, seen tick)``: the two prices candidate ``k`` of ``c`` (the arrays of :class:`Candidates`) may
    have set by cell ``t`` (equal unless a price it saw is known only as one of two), and the tick whose prices
    it saw; ``prev`` twice and tick -1 when no wake fell after ``prev_cell``; NaN when nothing was known to see.
    ``work`` holds work arrays: the parameter row, the memory (a stateful strategy's, kept from call to call),
    an empty table and grid for learners that have none, a copy of the memory, and the last cell a stateful
    rule was stepped through. ``demand`` is None, or the demand best responses need (:class:`Demand`)."""
    row, memory = work[0], work[1]
    leader, lag, uses_rivals, family, stateful = c[2], c[5], c[7], c[8], c[9]
    if family[k] == LEARNER:
        return _step_learner(t, prev_cell, prev, k, seen, c, work)
    if demand is not None and family[k] == RESPONSE:
        return _respond(t, prev_cell, prev, k, seen, c, demand)
    w = _last_active_wake(t, prev_cell, k, seen, c)
    if stateful[k]:
        _step_rule(w if w > prev_cell else t + 1, k, seen, c, work)
    if w <= prev_cell:
        return prev, prev, -1
    tick = w - 1 - lag[k]
    if tick < 0 or (uses_rivals[k] and not seen.low_before[tick] < np.inf):
        return np.nan, np.nan, tick
    j = leader[k]
    tracked_before = seen.before[tick, j] if j >= 0 else np.inf
    tracked_after = seen.after[tick, j] if j >= 0 else np.inf
    if tracked_before != tracked_before:
        return np.nan, np.nan, tick
    if stateful[k]:
        work[5][0] = w
        _copy(memory, work[4])
    a = _rule(k, w, seen.low_before[tick], tracked_before, seen, c, row, memory)
    if seen.low_after[tick] == seen.low_before[tick] and tracked_after == tracked_before:
        return a, a, tick
    if stateful[k]:
        _copy(work[4], memory)
    return a, _rule(k, w, seen.low_after[tick], tracked_after, seen, c, row, memory), tick


@njit(cache=True, inline="always")
def _copy(source, target):
    for s in range(source.shape[0]):
        target[s] = source[s]


@tick_kernel
def _step_rule(until, k, seen, c, work):
    """Run a rule that keeps memory through its active wakes after ``work[5][0]`` (every wake up to that cell has
    run) and before ``until``, seeing the rivals' prices as last observed (``+inf`` where none is known); the prices
    it sets are not kept, its memory is."""
    period, phase, lag, leader = c[3], c[4], c[5], c[2]
    row, memory, stepped = work[0], work[1], work[5]
    w = stepped[0] + 1 + ((phase[k] - seen.first_tick - stepped[0] - 1) % period[k])
    while w < until:
        if _runs_at(w, k, seen, c):
            tick = w - 1 - lag[k]
            low = seen.low_before[tick] if tick >= 0 else np.inf
            tracked = np.inf
            if tick >= 0 and leader[k] >= 0 and seen.before[tick, leader[k]] == seen.before[tick, leader[k]]:
                tracked = seen.before[tick, leader[k]]
            _rule(k, w, low, tracked, seen, c, row, memory)
        w += period[k]
    stepped[0] = until - 1


@tick_kernel
def _respond(t, prev_cell, prev, k, seen, c, demand):
    """A response-family candidate (a best response), through :func:`market.strategies.dispatch.response_price`
    with the market of the demand given: at its last wake it sees every seller's price of its lag's tick
    (NaN when one is not known for sure)."""
    strategy, lag = c[0], c[5]
    w = _last_active_wake(t, prev_cell, k, seen, c)
    if w <= prev_cell:
        return prev, prev, -1
    tick = w - 1 - lag[k]
    if tick < 0:
        return np.nan, np.nan, tick
    for j in range(demand.column.shape[0]):
        price = seen.before[tick, demand.column[j]]
        if price != price or price != seen.after[tick, demand.column[j]]:
            return np.nan, np.nan, tick
        demand.seen[j] = price
    p = response_price(strategy[k], demand.seller, demand.seen, demand.period, demand.market, demand.rule, -1,
                       demand.responses)
    return p, p, tick


@tick_kernel
def _step_learner(t, prev_cell, prev, k, seen, c, work):
    """A stateful candidate (a learner's kernel, through :func:`market.strategies.dispatch.learner_price`) run
    through every active wake after ``prev_cell`` up to ``t``: its memory, kept between calls, is first brought
    in line with the price observed at ``prev_cell`` (:func:`_resync`); it reads the lowest rival price its lag
    lets it see. Returns its price twice and the last tick it read (``prev`` and -1 when no wake fell in
    between)."""
    strategy, param, period, phase, lag = c[0], c[1], c[3], c[4], c[5]
    memory, table, grid = work[1], work[2], work[3]
    w = prev_cell + 1 + ((phase[k] - seen.first_tick - prev_cell - 1) % period[k])
    tick = -1
    if _last_active_wake(t, prev_cell, k, seen, c) <= prev_cell:
        return prev, prev, tick
    _resync(memory, prev)
    while w <= t:
        if _runs_at(w, k, seen, c):
            tick = w - 1 - lag[k]
            low = seen.low_before[tick] if tick >= 0 else np.inf
            learner_price(strategy[k], table, grid, param[k], memory, 0, 0.0, low, 0, w, 0, False)
        w += period[k]
    return memory[2], memory[2], tick


@tick_kernel
def _resync(memory, observed):
    """Bring a price-leadership prober's memory (``market.strategies.learning.price_leadership``: mode, base price,
    price, repricings in mode) in line with the price last observed: fresh, it holds that price; when it shows a
    price its memory did not set, a rise is a probe from the old price and a fall a return to holding."""
    if memory[0] == 0.0:
        memory[0], memory[1], memory[2], memory[3] = HOLD, observed, observed, 0.0
    elif abs(memory[2] - observed) > CHANGE_TOLERANCE * observed:
        if observed > memory[2]:
            memory[0], memory[1], memory[2], memory[3] = PROBE, memory[2], observed, 0.0
        else:
            memory[0], memory[1], memory[2], memory[3] = HOLD, observed, observed, 0.0


@tick_kernel
def _score(seen, c, tolerance, margin, work, demand, counts, dropped):
    """Fill ``counts[k, day, :]`` (module docstring) for every candidate ``k`` of ``c``; drop (``dropped[k]``) a
    candidate as soon as its misses put it more than ``margin`` below the best complete score so far."""
    own = seen.own
    changes = 0.0
    stands = 0.0
    prev = np.nan
    for t in range(own.shape[0]):
        y = own[t]
        if y == y:
            if prev == prev and t >= seen.first_scored:
                if abs(y - prev) > CHANGE_TOLERANCE * prev:
                    changes += 1.0
                else:
                    stands += 1.0
            prev = y
    best = -1.0
    for k in range(c[0].shape[0]):
        _fresh(seen, work)
        prev = np.nan
        prev_cell = -1
        missed_changes = 0.0
        missed_stands = 0.0
        for t in range(own.shape[0]):
            y = own[t]
            if y != y:
                continue
            if prev_cell >= 0 and t >= seen.first_scored:
                a, b, _ = _predict(t, prev_cell, prev, k, seen, c, work, demand)
                if a == a:
                    slot = CHANGE if abs(y - prev) > CHANGE_TOLERANCE * prev else NON
                    counts[k, seen.day[t], slot] += 1
                    if abs(a - y) <= tolerance * y or abs(b - y) <= tolerance * y:
                        counts[k, seen.day[t], slot - 1] += 1
                    elif slot == CHANGE:
                        missed_changes += 1.0
                    else:
                        missed_stands += 1.0
                    if _at_most(missed_changes, changes, missed_stands, stands) < best - margin:
                        dropped[k] = True
                        break
            prev = y
            prev_cell = t
        if not dropped[k]:
            best = max(best, _at_most(missed_changes, changes, missed_stands, stands))


@tick_kernel
def _fresh(seen, work):
    """A blank memory, and a rule that keeps one not yet run since the first day's midnight."""
    for s in range(work[1].shape[0]):
        work[1][s] = 0.0
    work[5][0] = -seen.first_tick - 1


@njit(cache=True, inline="always")
def _at_most(missed_changes, changes, missed_stands, stands):
    """The highest balanced hit rate a candidate with these misses can reach (``market.observed.infer.scores``)."""
    if changes == 0.0:
        return 1.0 - missed_stands / max(stands, 1.0)
    if stands == 0.0:
        return 1.0 - missed_changes / changes
    return 1.0 - 0.5 * (missed_changes / changes + missed_stands / stands)


@tick_kernel
def _trace(seen, k, c, work, demand, predicted, tick):
    """For candidate ``k``: ``predicted[t]`` (of its two possible prices, the one nearer the observed price) and
    the ``tick[t]`` whose prices it used, at each observed cell (NaN and -1 elsewhere)."""
    own = seen.own
    _fresh(seen, work)
    prev = np.nan
    prev_cell = -1
    for t in range(own.shape[0]):
        predicted[t] = np.nan
        tick[t] = -1
        y = own[t]
        if y != y:
            continue
        if prev_cell >= 0:
            a, b, tick[t] = _predict(t, prev_cell, prev, k, seen, c, work, demand)
            predicted[t] = a if abs(a - y) <= abs(b - y) else b
        prev = y
        prev_cell = t


def _work() -> tuple:
    """The kernels' work arrays: a parameter row, a memory, an empty table and grid, a copy of the memory and the
    last cell through which a rule that keeps memory has run."""
    return (np.zeros(MAX_PARAMS), np.zeros(MEMORY_SLOTS), np.zeros((0, 0)), np.zeros(0), np.zeros(MEMORY_SLOTS),
            np.zeros(1, dtype=np.int64))


def score(seen: Seen, candidates: Candidates, tolerance: float, margin: float = np.inf,
          demand: "Demand | None" = None) -> np.ndarray:
    """int64[K, days, 4]: each candidate's hits and counts per day (module docstring). A candidate whose misses
    put it more than ``margin`` below the best complete score so far is dropped: its counts are all -1."""
    counts = np.zeros((candidates.size, int(seen.day[-1]) + 1, 4), dtype=np.int64)
    dropped = np.zeros(candidates.size, dtype=np.bool_)
    if candidates.size:
        _score(seen, candidates.arrays(), float(tolerance), float(margin), _work(), demand, counts, dropped)
    counts[dropped] = -1
    return counts


def trace(seen: Seen, candidates: Candidates, k: int, demand: "Demand | None" = None) -> tuple[np.ndarray, np.ndarray]:
    """``(predicted, tick)`` of candidate ``k`` at each cell (see ``_trace``)."""
    t = seen.own.shape[0]
    predicted, tick = np.empty(t), np.empty(t, dtype=np.int64)
    _trace(seen, int(k), candidates.arrays(), _work(), demand, predicted, tick)
    return predicted, tick


def seen_by(cells, i: int, first_scored: int = 0) -> Seen:
    """What seller ``i`` of ``cells`` (:class:`market.observed.grid.Cells`) saw: see :class:`Seen`."""
    from market.observed.grid import carry_backward, carry_forward

    before, after = carry_forward(cells.price), carry_backward(cells.price)
    after = np.where(np.isnan(after), before, after)
    others = np.ones(cells.n_sellers, dtype=bool)
    others[i] = False
    lowest = lambda x: np.where(np.isnan(x[:, others]), np.inf, x[:, others]).min(axis=1)  # noqa: E731
    cost = cells.cost[:, i].copy() if cells.cost is not None else np.full(cells.n_ticks, np.nan)
    day = (cells.first_tick + np.arange(cells.n_ticks, dtype=np.int64)) // cells.ticks_per_day
    return Seen(own=np.ascontiguousarray(cells.price[:, i]), before=before, after=after, low_before=lowest(before),
                low_after=lowest(after), cost=np.ascontiguousarray(cost), day=(day - day[0]).astype(np.int64),
                first_tick=cells.first_tick, first_scored=int(first_scored), ticks_per_day=cells.ticks_per_day,
                tick_minutes=1440.0 / cells.ticks_per_day)

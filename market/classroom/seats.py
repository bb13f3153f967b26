"""A market in which people price some sellers (*seats*), one repricing period at a time.

The seats' sellers are priced through the outside-seller door (:mod:`market.outside`): once the
market is ready (its learners trained and its warm-up run, as every door measures it:
:func:`market.training.ready`), :func:`hand_over` makes their strategy ``outside``, so the
algorithms meet the market an experiment measures, and a person's price goes through the rules
in force like any other. The engine runs (:func:`market.engine.advance_to_ask`) up to the next
tick at which a seat reprices and stops before it; the game then waits for the people's prices.
:meth:`SeatGame.play` gives each asked seat its price (where none came, its current price: the
seat *kept* it) and runs on to the next such tick.

A *period* of the game is one such stop and the ticks up to the next: in a repeated game, where
every seller reprices every tick (Calvano et al. 2020, Klein 2021), a period is a tick; in the
platform market it is a seat's repricing period (an hour for a rival web shop), and under a
daily-price rule a day. The books restart at the first period, so ``state.records`` row ``r``
is tick ``starts[0] + r`` of the game, and every figure of the scoreboard comes from them.
"""

from collections.abc import Sequence

import numpy as np

from market import engine, outside, training
from market.classroom.prices import PriceRefused, SeatPrices, read_price, seat_prices
from market.errors import OutsideError
from market.scenario import Scenario
from market.state import State, copy_state, outside_group, restart_books
from market.strategies.outside import OUTSIDE


def horizon(scenario: Scenario, seats: Sequence[str], periods: int) -> int:
    """Ticks of records a game of ``periods`` periods may need: each period lasts at most the slowest seat's
    repricing period, or a day (a daily-price rule switched on mid-game)."""
    slowest = max(s.period for s in scenario.sellers if s.name in seats)
    return periods * max(slowest, scenario.ticks_per_day) + 1


def ready_market(scenario: Scenario, seats: Sequence[str], periods: int) -> State:
    """The market the game starts from, with every seller still on its own strategy: learners trained and frozen,
    the warm-up run (where the scenario has a ``[training]`` or ``[measure]`` table), records for ``horizon``
    ticks, one row a tick. Copy it for each market of a room (:class:`SeatGame` does)."""
    return training.ready(scenario, horizon(scenario, seats, periods), record_stride=1).state


def hand_over(state: State, seats: Sequence[int]) -> State:
    """``state`` with the sellers ``seats`` (indices) priced from outside from its next tick: their strategy
    becomes ``outside`` (a learner's table stays, unused), and the state gains the group that asks them."""
    sellers = state.sellers
    for i in seats:
        sellers.strategy[i] = OUTSIDE.id
        sellers.family[i] = OUTSIDE.family_code
        sellers.rival_conditioned[i] = OUTSIDE.uses_rival_prices
    return state._replace(outside=outside_group(sellers.family))


class SeatGame:
    """One market of ``periods`` periods in which the sellers ``seats`` are priced by people.

    Parameters
    ----------
    scenario : Scenario
        The market (its seed included).
    seats : sequence of str
        The sellers people price, by name.
    periods : int
        Periods in the game (at least 1).
    start : State, optional
        The market to start from (``ready_market(scenario, seats, periods)``, which is built when left out); it
        is copied, so one trained market can start every market of a room.
    """

    def __init__(self, scenario: Scenario, seats: Sequence[str], periods: int, start: State | None = None):
        names = [s.name for s in scenario.sellers]
        seats = list(seats)
        for name in seats:
            if name not in names:
                raise OutsideError(f"seats: {name!r} is not a seller; the sellers are {', '.join(names)}")
        if not seats or len(set(seats)) < len(seats):
            raise OutsideError(f"seats = {seats!r}: name at least one seller, each once")
        if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
            raise OutsideError(f"periods = {periods!r}: must be an integer >= 1")
        self.scenario, self.seats, self.periods = scenario, seats, int(periods)
        self.names = tuple(names)
        self.index = {name: names.index(name) for name in seats}
        start = ready_market(scenario, seats, periods) if start is None else start
        self.state = hand_over(copy_state(start), [self.index[name] for name in seats])
        self._slot = {name: int(self.state.outside.slot[i]) for name, i in self.index.items()}
        self.end = self.state.t + self.state.records.price.shape[0]
        self.starts: list[int] = []
        self.pending: dict[str, float] = {}
        self.answers: list[tuple[int, str, bool]] = []  # (period, seat, kept) of every asked seat's price
        self.played = 0
        self._run()
        restart_books(self.state)
        self.end = self.state.t + self.state.records.price.shape[0]
        self.regimes: list[tuple[int, Scenario]] = [(0, scenario)]  # (first record row, the market with its rules)

    @property
    def over(self) -> bool:
        """Whether the game has ended: every period played, or no seat reprices before the records run out."""
        return not self._asking or self.played >= self.periods

    def asked(self) -> list[str]:
        """The seats whose price the market waits for now (none once the game is over)."""
        if self.over:
            return []
        asked = self.state.outside.asked
        return [name for name in self.seats if asked[self._slot[name]]]

    @property
    def kept(self) -> list[tuple[int, str]]:
        """(period, seat) of each price kept for want of one."""
        return [(period, seat) for period, seat, kept in self.answers if kept]

    def waiting(self) -> list[str]:
        """The asked seats that have not given their price yet."""
        return [name for name in self.asked() if name not in self.pending]

    def prices(self, seat: str) -> SeatPrices:
        """The grid and range of prices ``seat`` may set now (the legal bounds in force narrow it)."""
        i = self.index[seat]
        return seat_prices(self.scenario, i, float(self.state.rules.floor[i]), float(self.state.rules.ceiling[i]))

    def price(self, seller: str) -> float:
        """``seller``'s current price (the one kept if its seat gives none)."""
        return float(self.state.sellers.price[self.names.index(seller)])

    def submit(self, seat: str, text) -> float:
        """Take ``seat``'s price for this period (read from ``text``: ``market.classroom.prices.read_price``);
        ``PriceRefused`` in plain words when the game is over, the seat is not asked now, or the price is no price
        or out of range. A second price in the same period replaces the first."""
        if self.over:
            raise PriceRefused("the game is over: no more prices are taken")
        if seat not in self.asked():
            raise PriceRefused(f"{seat} does not set a price this period: wait for the next one")
        self.pending[seat] = read_price(text, self.prices(seat))
        return self.pending[seat]

    def play(self, keep: bool = False) -> bool:
        """Run the period if every asked seat has priced, or, with ``keep``, in any case (the seats that have not
        keep their current price); then stop before the next period. Returns whether the period ran."""
        if self.over or (self.waiting() and not keep):
            return False
        state = self.state
        for seat in self.asked():
            price = self.pending.get(seat)
            if price is None:
                price = self.price(seat)
            self.answers.append((self.played, seat, seat not in self.pending))
            outside.give(state, self._slot[seat], price, seat)
        state.outside.answered[0] = state.t
        self.pending.clear()
        self.played += 1
        self._run()
        return True

    def _run(self) -> None:
        """Advance to the next tick at which a seat reprices (or to the end of the records)."""
        self._asking = engine.advance_to_ask(self.state, self.end)
        if self._asking:
            self.starts.append(self.state.t)

    def period_of(self, ticks: np.ndarray) -> np.ndarray:
        """The period (from 0) each of ``ticks`` (of the game) belongs to."""
        return np.searchsorted(np.asarray(self.starts), ticks, side="right") - 1

    @property
    def recorded_ticks(self) -> np.ndarray:
        """The ticks of the records filled so far (row r: tick ``origin + r``)."""
        return int(self.state.origin[0]) + np.arange(self.state.n_records)

    def switch_rules(self, scenario: Scenario) -> None:
        """Put the interventions of ``scenario`` (this market with other rules) in force from the next tick (the
        next record row: ``regimes`` says which rules held at each row, for the scoreboard's benchmarks)."""
        engine.set_interventions(self.state, scenario)
        self.scenario = scenario
        row = self.state.n_records
        self.regimes = [(first, held) for first, held in self.regimes if first < row] + [(row, scenario)]

    def regime_of(self, rows: int) -> np.ndarray:
        """For each of the first ``rows`` record rows, the index in ``regimes`` of the rules in force."""
        return np.searchsorted([first for first, _ in self.regimes], np.arange(rows), side="right") - 1

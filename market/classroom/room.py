"""A classroom room: students who each price a seller, in one shared market or in a market each, and its pace.

The room is server-side state (one server process serves it: ``pricelab classroom``). The teacher
opens it with a scenario, a mode and a pace; students join with a name (the join code is checked by
:class:`market.classroom.rooms.Rooms`) and get a seller and a secret token, which is how a reloaded
page finds its seat again. ``shared``: the students take sellers of one market (each seller once;
the others stay algorithms); ``each``: every student prices the same seller (the teacher's choice)
in a market of their own against the algorithms, all on the room's seed, so that their results
differ only by their prices.

The room plays in *rounds*: in each, every market waits for its seats' prices for one period
(:class:`market.classroom.seats.SeatGame`). A round runs when every asked student has priced
(``wait_for_all``), or when the teacher presses advance, or ``every`` seconds (a timer); students
who have not priced then keep their last price. A rule of the engine's catalog
(``market.interventions.CATALOG``) switched on mid-game applies to every market from its next tick.
Every change raises ``version`` and wakes those waiting on ``changed`` (the pages).
"""

import math
import secrets
import threading
import time
from dataclasses import dataclass

from market import interventions
from market.classroom.prices import PriceRefused
from market.classroom.seats import SeatGame, ready_market
from market.errors import InterventionError
from market.scenario import Scenario

MODES = ("shared", "each")
TOKEN_BYTES = 16


class RoomError(ValueError):
    """A request the room refuses; the message says why in plain words."""


@dataclass
class Student:
    """A student: the name they joined with, their secret token, their seller and the market it is in (None
    before the game starts)."""

    name: str
    token: str
    seller: str
    market: int | None = None


class Room:
    """One class's game (module docstring).

    Parameters
    ----------
    scenario : Scenario
        The market every student plays (its seed included).
    mode : {"shared", "each"}
        One market for the room, or one market per student.
    seller : str, optional
        In ``each`` mode, the seller every student prices (default: the scenario's first seller).
    periods : int
        Periods in the game.
    every : float, optional
        Seconds after which a round runs anyway (None: no timer).
    wait_for_all : bool
        Run a round as soon as every asked student has priced.
    """

    def __init__(self, scenario: Scenario, mode: str = "each", seller: str | None = None, periods: int = 20,
                 every: float | None = None, wait_for_all: bool = True):
        names = [s.name for s in scenario.sellers]
        if mode not in MODES:
            raise RoomError(f"mode = {mode!r}: must be one of {', '.join(MODES)}")
        if seller is not None and seller not in names:
            raise RoomError(f"seller = {seller!r}: not a seller of {scenario.name}; the sellers are {', '.join(names)}")
        if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= 1000:
            raise RoomError(f"periods = {periods!r}: must be a whole number from 1 to 1000")
        if every is not None and not (isinstance(every, int | float) and math.isfinite(every) and every >= 1):
            raise RoomError(f"every = {every!r}: must be a number of seconds >= 1, or none")
        self.id = secrets.token_hex(6)
        self.scenario, self.mode, self.periods = scenario, mode, periods
        self.seller = seller or names[0]
        self.every, self.wait_for_all = every, wait_for_all
        self.students: dict[str, Student] = {}
        self.markets: list[SeatGame] = []
        self.opened: list[int] = []  # the round at which each market's game began (a late joiner's: later)
        self.rules: list[str] = []
        self.switches: list[tuple[str, dict[int, int]]] = []  # each rule switched on, and its first tick per market
        self.rounds = 0
        self.started = self.closed = False
        self.deadline: float | None = None
        self.changed = threading.Condition(threading.RLock())
        self.version = 0
        self._start = None

    # -- joining ------------------------------------------------------------------------------------------------

    @property
    def sellers(self) -> list[str]:
        return [s.name for s in self.scenario.sellers]

    def taken(self) -> dict[str, str]:
        """In ``shared`` mode, the sellers taken, with the student's name."""
        return {s.seller: s.name for s in self.students.values()} if self.mode == "shared" else {}

    def join(self, name: str, seller: str | None = None) -> Student:
        """Seat a student called ``name`` (on ``seller`` in ``shared`` mode: default the first free one);
        ``RoomError`` in plain words for an empty or taken name, a taken or unknown seller, a closed room, or a
        shared game already started."""
        name = " ".join(str(name).split())[:40]
        with self.changed:
            if self.closed:
                raise RoomError("this room is closed: ask your teacher for a new code")
            if not name:
                raise RoomError("type your name to join")
            if any(s.name == name for s in self.students.values()):
                raise RoomError(f"someone in this room is already called {name}: add an initial")
            if self.mode == "shared":
                seller = self._free_seller(seller)
            elif seller not in (None, self.seller):
                raise RoomError(f"in this room everyone prices {self.seller}")
            student = Student(name, secrets.token_urlsafe(TOKEN_BYTES), seller or self.seller)
            self.students[student.token] = student
            if self.started:
                self._seat(student)
            self._bump()
            return student

    def _free_seller(self, seller: str | None) -> str:
        if self.started:
            raise RoomError("the game has started and every seat was handed out: ask your teacher")
        taken = self.taken()
        if seller is None:
            free = [name for name in self.sellers if name not in taken]
            if not free:
                raise RoomError("every seller is taken: ask your teacher")
            return free[0]
        if seller not in self.sellers:
            raise RoomError(f"{seller} is not a seller here; the sellers are {', '.join(self.sellers)}")
        if seller in taken:
            raise RoomError(f"{seller} is already taken by {taken[seller]}: choose another seller")
        return seller

    def student(self, token: str | None) -> Student:
        """The student with ``token``; ``RoomError`` if none has it."""
        student = self.students.get(token or "")
        if student is None:
            raise RoomError("this link does not belong to anyone in the room: join again with the code")
        return student

    # -- playing ------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the game: build the markets (the trained market is built once and copied to each)."""
        with self.changed:
            if self.closed:
                raise RoomError("this room is closed")
            if self.started:
                return
            if not self.students:
                raise RoomError("no student has joined yet")
            if self.mode == "shared":
                market = self._open([name for name in self.sellers if name in self.taken()])
                for student in self.students.values():
                    student.market = market
            else:
                for student in self.students.values():
                    self._seat(student)
            self.started = True
            self._arm()
            self._bump()
        if self.every is not None:
            threading.Thread(target=self._timer, name=f"room-{self.id}", daemon=True).start()

    def _open(self, seats: list[str]) -> int:
        """A new market (its game from the next round, with the rules on now) with people on ``seats``; its index."""
        if self._start is None:  # every market of the room has the same seats: one seller each, or the shared ones
            self._start = ready_market(self.scenario, seats, self.periods)
        game = SeatGame(self.scenario, seats, self.periods, self._start)
        if self.rules:
            game.switch_rules(self._with_rules(self.rules))
        self.markets.append(game)
        self.opened.append(self.rounds)
        return len(self.markets) - 1

    def _seat(self, student: Student) -> None:
        """A market of the student's own (``each`` mode, also for a student joining after the start: their game
        has every period too, and the room plays on until it ends)."""
        student.market = self._open([student.seller])

    def game(self, student: Student) -> SeatGame | None:
        return None if student.market is None else self.markets[student.market]

    def submit(self, token: str, text) -> float:
        """Take a student's price for this period (``PriceRefused``/``RoomError`` in plain words); run the round
        if everyone asked has now priced and the room waits for all."""
        with self.changed:
            student = self.student(token)
            if self.closed:
                raise RoomError("the teacher has closed the room: the game is over and your prices are saved")
            game = self.game(student)
            if game is None:
                raise PriceRefused("the game has not started yet: wait for your teacher")
            price = game.submit(student.seller, text)
            if self.wait_for_all and not self.waiting():
                self._advance()
            self._bump()
            return price

    def waiting(self) -> list[Student]:
        """The students whose price their market waits for now."""
        return [s for s in self.students.values()
                if s.market is not None and s.seller in self.markets[s.market].waiting()]

    @property
    def total_rounds(self) -> int:
        """Rounds until every market has played its periods: more than ``periods`` when a student joined late."""
        return max(self.opened, default=0) + self.periods

    @property
    def over(self) -> bool:
        """Whether every market has played its game (the room stays open for the results)."""
        return self.started and all(game.over for game in self.markets)

    def advance(self) -> None:
        """Run the round now: students who have not priced keep their price (the teacher's button, the timer)."""
        with self.changed:
            if self.started and not self.closed:
                self._advance()
                self._bump()

    def _advance(self) -> None:
        played = [game.play(keep=True) for game in self.markets]
        if any(played):
            self.rounds += 1
        self._arm()

    def _arm(self) -> None:
        self.deadline = time.monotonic() + self.every if self.every is not None and not self.over else None

    def _timer(self) -> None:
        """Run a round every ``every`` seconds until the game is over or the room closed."""
        with self.changed:
            while not self.closed and not self.over:
                left = (self.deadline or 0.0) - time.monotonic()
                if left > 0:
                    self.changed.wait(left)
                    continue
                self._advance()
                self._bump()

    def switch_rule(self, name: str) -> None:
        """Switch the catalog's rule ``name`` on for every market of the room from its next tick; ``RoomError``
        in plain words for an unknown rule, one already on, or one the market does not allow."""
        with self.changed:
            if name not in interventions.CATALOG:
                raise RoomError(f"{name!r} is not a rule of the catalog")
            if name in self.rules:
                raise RoomError(f"{name} is already on")
            try:
                scenario = self._with_rules([*self.rules, name])
            except (InterventionError, ValueError) as err:
                raise RoomError(f"{name} cannot apply to this market: {err}") from None
            for game in self.markets:
                game.switch_rules(scenario)
            self.rules.append(name)
            self.switches.append((name, {m: game.state.t for m, game in enumerate(self.markets)}))
            self._bump()

    def _with_rules(self, names: list[str]) -> Scenario:
        return self.scenario.with_interventions([*self.scenario.interventions,
                                                 *(interventions.named(name) for name in names)])

    def close(self) -> None:
        """Close the room: no more joining or pricing; the markets and their records stay for the export."""
        with self.changed:
            self.closed = True
            self.deadline = None
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def wait_change(self, version: int, timeout: float) -> int:
        """Block until the room's version differs from ``version`` (or ``timeout`` seconds pass); the version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout)
            return self.version

    # -- results ------------------------------------------------------------------------------------------------

    def rules_at(self, market: int, ticks) -> list[str]:
        """The rules the teacher had switched on at each of ``ticks`` of market ``market`` (comma-separated
        names; a market opened after a switch had the rule from its start)."""
        return [",".join(name for name, first in self.switches if t >= first.get(market, -1)) for t in ticks]

    def students_of(self, market: int) -> dict[str, str]:
        """The students of market ``market``: seller -> name."""
        return {s.seller: s.name for s in self.students.values() if s.market == market}

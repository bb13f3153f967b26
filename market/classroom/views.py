"""What each page of a room shows, as plain data: the student's view of their seat and the teacher's of the room.

The pages (``dashboard/classroom``) draw these and nothing else, and the benchmark
(``experiments/bench/classroom.py``) times them: a round's round trip is the last price in, the
markets run, and every view computed afresh. Figures come from the scoreboard
(``market.classroom.scoreboard``), which reads the engine's records.
"""

from dataclasses import dataclass, field

import polars as pl

from market.classroom.room import Room
from market.classroom.scoreboard import scoreboard


@dataclass
class StudentView:
    """A student's page: who and where they are, what the market waits for, their scoreboard."""

    name: str
    seller: str
    status: str
    period: int = 0
    periods: int = 0
    asked: bool = False
    pending: float | None = None
    price: float | None = None
    low: float = 0.0
    high: float = 0.0
    grid: list[float] = field(default_factory=list)
    rules: str = ""
    over: bool = False
    closed: bool = False
    board: list[dict] = field(default_factory=list)


@dataclass
class TeacherView:
    """The teacher's page: the room's state, who has not priced, every market and the leaderboard."""

    status: str
    students: list[dict]
    waiting: list[str]
    markets: list[dict]
    leaderboard: list[dict]
    rounds: int
    rules: list[str]
    started: bool
    over: bool
    closed: bool


def student_view(room: Room, token: str) -> StudentView:
    """``token``'s view of ``room`` (``RoomError`` for a token of nobody in it)."""
    with room.changed:
        student = room.student(token)
        game = room.game(student)
        view = StudentView(name=student.name, seller=student.seller, status="", rules=", ".join(room.rules),
                           closed=room.closed, periods=room.periods)
        if game is None:
            view.status = "The room is closed." if room.closed else "Waiting for your teacher to start the game."
            return view
        prices = game.prices(student.seller)
        view.period, view.over = min(game.played + 1, game.periods), game.over
        view.asked = student.seller in game.asked()
        view.pending = game.pending.get(student.seller)
        view.price = game.price(student.seller)
        view.low, view.high, view.grid = prices.low, prices.high, [round(float(p), 4) for p in prices.grid]
        view.board = scoreboard(game).to_dicts()
        view.status = _student_status(room, game, view)
        return view


def _student_status(room: Room, game, view: StudentView) -> str:
    if room.closed:
        return "The teacher has closed the room: the game is over. Your prices and results are saved."
    if game.over:
        return f"The game is over after {game.played} periods: see how the algorithms answered your prices below."
    if not view.asked:
        return "Your seller does not set a price this period: waiting for the others."
    if view.pending is not None:
        return f"Your price {view.pending:.2f} is in: waiting for the others."
    return f"Period {view.period} of {game.periods}: set your price."


def teacher_view(room: Room) -> TeacherView:
    """The teacher's view of ``room``."""
    with room.changed:
        waiting = {s.token for s in room.waiting()}
        boards = [scoreboard(game) for game in room.markets]
        students = [{"name": s.name, "seller": s.seller, "market": s.market,
                     "priced": s.market is not None and s.token not in waiting}
                    for s in room.students.values()]
        markets = [{"market": m, "period": min(game.played + 1, game.periods), "played": game.played,
                    "over": game.over, "prices": {name: round(game.price(name), 4) for name in game.names},
                    "seats": room.students_of(m)} for m, game in enumerate(room.markets)]
        return TeacherView(status=_teacher_status(room, len(waiting)), students=students,
                           waiting=[room.students[t].name for t in waiting], markets=markets,
                           leaderboard=leaderboard(room, boards), rounds=room.rounds, rules=list(room.rules),
                           started=room.started, over=room.over, closed=room.closed)


def _teacher_status(room: Room, waiting: int) -> str:
    if room.closed:
        return "The room is closed; its data is kept: export it below."
    if not room.started:
        return f"{len(room.students)} joined. Start the game when everyone is in."
    if room.over:
        return f"The game is over after {room.rounds} rounds."
    late = (f" (a market opened for a late joiner plays its {room.periods} periods after the others end)"
            if room.total_rounds > room.periods else "")
    return f"Round {room.rounds + 1} of {room.total_rounds}{late}: {waiting} still to price."


def leaderboard(room: Room, boards: list[pl.DataFrame]) -> list[dict]:
    """One row per student, from their market's scoreboard: name, seller, market, profit, profit per tick, share,
    Delta and the periods they have played, best profit per tick first (the same order as total profit when all
    have played as long; fair to a late joiner whose game is shorter so far)."""
    rows = []
    for s in room.students.values():
        if s.market is None:
            continue
        row = boards[s.market].row(by_predicate=pl.col("seller") == s.seller, named=True)
        rows.append({"name": s.name, "seller": s.seller, "market": s.market, "profit": row["profit"],
                     "profit_per_tick": row["profit_per_tick"], "share": row["share"], "delta": row["delta"],
                     "periods": room.markets[s.market].played})
    return sorted(rows, key=lambda r: -r["profit_per_tick"] if r["profit_per_tick"] == r["profit_per_tick"] else 0.0)

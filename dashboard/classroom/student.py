"""The student's pages: join a room with its code and a name, then price a seller period by period.

The seat's address holds the room's code and the student's secret token (``/play?code=...&seat=...``),
so a reload, or the same link opened again, finds the same seller at the period where it was. A
price is typed (or set with the slider over the seat's grid) and sent; what the room refuses is
said in plain words under the field. After the game, the page replays what the algorithms did in
response (``market.classroom.replay``).
"""

from urllib.parse import parse_qs, urlencode

import solara

from dashboard.chart import Chart
from dashboard.classroom.live import ROOMS, Heading, Table, use_room_version
from market.classroom.prices import PriceRefused
from market.classroom.replay import replay
from market.classroom.room import Room, RoomError
from market.classroom.views import student_view

BOARD = {"seller": "seller", "who": "priced by", "profit": "profit", "share": "share", "delta": "Delta"}
BOARD_FORMATS = {"profit": ".2f", "share": ".0%", "delta": ".2f"}


def query(search: str | None) -> dict[str, str]:
    """The first value of each parameter of an address' query string."""
    return {key: values[0] for key, values in parse_qs(search or "").items()}


def seat_path(code: str, token: str) -> str:
    return "/play?" + urlencode({"code": code, "seat": token})


def plain(err: Exception) -> str:
    """An error's message as a sentence."""
    text = str(err)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@solara.component
def JoinPage():
    """Join a room: its code, your name (and, in a shared market, the seller you take)."""
    router = solara.use_router()
    code = solara.use_reactive(query(router.search).get("code", ""))
    name = solara.use_reactive("")
    seller = solara.use_reactive("")
    error = solara.use_reactive("")
    room = None
    try:
        room = ROOMS.find(code.value) if code.value.strip() else None
    except RoomError:
        room = None

    def join():
        try:
            found = ROOMS.find(code.value)
            student = found.join(name.value, seller.value or None)
        except RoomError as err:
            error.set(plain(err))
            return
        router.push(seat_path(code.value.strip().upper(), student.token))

    with solara.Card("Join your class's market", classes=["classroom-join"]):
        solara.InputText("Room code", value=code, continuous_update=True, classes=["classroom-code"])
        solara.InputText("Your name", value=name, continuous_update=True, classes=["classroom-name"])
        if room is not None and room.mode == "shared":
            taken = room.taken()
            free = [s for s in room.sellers if s not in taken]
            solara.Select("Your seller (leave empty for the first free one)", values=["", *room.sellers],
                          value=seller, classes=["classroom-seller"])
            solara.Text(f"Free: {', '.join(free) or 'none'}", style={"font-size": "0.9em"})
        solara.Button("Join", on_click=join, color="primary", classes=["classroom-join-button"])
        if error.value:
            solara.Error(error.value, classes=["classroom-error"])


@solara.component
def PlayPage():
    """A student's seat, found from the address (``/play?code=...&seat=...``)."""
    router = solara.use_router()
    params = query(router.search)
    try:
        room, student = ROOMS.seat(params.get("code", ""), params.get("seat"))
    except RoomError as err:
        solara.Error(f"{plain(err)} Join again with your room's code.", classes=["classroom-error"])
        solara.Button("Join a room", on_click=lambda: router.push("/join"), color="primary")
        return
    Seat(room, student.token)


@solara.component
def Seat(room: Room, token: str):
    """The seat: the period, the price field and slider, the scoreboard; the replay once the game is over."""
    use_room_version(room)
    view = student_view(room, token)
    typed = solara.use_reactive("")
    error = solara.use_reactive("")

    def send():
        try:
            price = room.submit(token, typed.value)
        except (PriceRefused, RoomError) as err:
            error.set(f"Not taken: {plain(err)}")
            return
        error.set("")
        typed.set(f"{price:.2f}")

    with solara.Div(classes=["classroom-seat"]):
        solara.Text(f"{view.name}: you are {view.seller}", classes=["classroom-title"])
        solara.Text(f"Period {view.period} of {view.periods}" if view.period else "", classes=["classroom-period"])
        kind = solara.Warning if view.closed else solara.Success if view.over else solara.Info
        kind(view.status, classes=["classroom-status"], dense=True)
        if view.rules:
            solara.Text(f"Rules in force since the teacher switched them on: {view.rules}",
                        classes=["classroom-rules"])
        if view.asked and not view.over and not view.closed:
            PriceField(view, typed, send)
        if error.value:
            solara.Error(error.value, classes=["classroom-error"], dense=True)
        if view.board:
            Heading("Scoreboard", "(since the game started; profit after fees, share of units sold, "
                            "Delta: 0 = competitive, 1 = joint monopoly)")
            rows = [{**row, "who": "you" if row["seller"] == view.seller else
                     ("a student" if row["seat"] else "algorithm")} for row in view.board]
            Table(rows, BOARD, "classroom-board", BOARD_FORMATS)
        if view.over or view.closed:
            Replay(room, token)


@solara.component
def PriceField(view, typed: solara.Reactive[str], send):
    """The price: typed, or chosen on the slider over the grid; the range it must lie in."""
    grid = view.grid
    step = round(grid[1] - grid[0], 4) if len(grid) > 1 else 0.01
    current = view.pending if view.pending is not None else view.price

    def slide(value: float):
        typed.set(f"{value:.2f}")

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText(f"Your price ({view.low:.2f} to {view.high:.2f}; now {current:.2f})", value=typed,
                         continuous_update=True, classes=["classroom-price"])
        solara.Button("Send price", on_click=send, color="primary", classes=["classroom-send"])
    solara.SliderFloat("", value=min(max(current, grid[0]), grid[-1]), min=grid[0], max=grid[-1], step=step,
                       on_value=slide, thumb_label=False)


@solara.component
def Replay(room: Room, token: str):
    """What the algorithms did: every seller's price at each period's start, and their moves after yours."""
    with room.changed:
        student = room.student(token)
        game = room.game(student)
        frame = replay(game) if game is not None else None
    if frame is None or frame.is_empty():
        return
    periods = sorted(set(frame["period"].to_list()))
    series = [{"name": name, "type": "line", "step": "end", "symbol": "circle" if name == student.seller else "none",
               "lineStyle": {"width": 3 if name == student.seller else 1.5},
               "data": frame.filter(frame["seller"] == name)["price"].to_list()}
              for name in game.names]
    option = {"title": {"text": "Replay: prices at each period's start"}, "tooltip": {"trigger": "axis"},
              "legend": {"bottom": 0}, "grid": {"left": 60, "right": 20, "top": 40, "bottom": 60},
              "xAxis": {"type": "category", "name": "period", "nameLocation": "middle", "nameGap": 26,
                        "data": [p + 1 for p in periods]},
              "yAxis": {"type": "value", "name": "price", "scale": True}, "series": series}
    Chart.element(option=option)
    rows = []
    for period in periods:
        now = frame.filter(frame["period"] == period)
        mine = now.filter(now["seller"] == student.seller).row(0, named=True)
        others = now.filter(~now["seat"])
        moves = ", ".join(f"{r['seller']} {r['price']:.2f} → {r['price'] + r['change']:.2f}"
                          for r in others.iter_rows(named=True))
        rows.append({"period": period + 1, "price": mine["price"], "moves": moves or "-"})
    Heading("What the algorithms did next", "(their price at the period's start → at the next one)")
    Table(rows, {"period": "period", "price": "your price", "moves": "algorithms"}, "classroom-replay",
          {"price": ".2f"})

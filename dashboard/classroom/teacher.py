"""The teacher's page: open a room, hand out its code, run the game, switch a rule on, export the data.

Opening a room gives a join code and a teacher's address (``/teacher?key=...``, a secret of its
own: a reload finds the room again). Until the start the page lists who has joined; then it shows
who has not priced yet, every market's period and prices, the leaderboard (from each market's
scoreboard, which reads the engine's records), the pace (advance now; the room's settings say
whether a round waits for everyone and whether a timer runs it), a rule of the engine's catalog
switched on for the whole room, the export (Parquet, with the codebook in its metadata) and Close.
"""

import os
from urllib.parse import urlencode

import solara

from dashboard.classroom.live import ROOMS, Heading, Table, base_url, use_room_version
from dashboard.classroom.student import plain, query
from market import catalog, interventions
from market.classroom.export import room_parquet
from market.classroom.room import MODES, Room, RoomError
from market.classroom.views import teacher_view

DEFAULT_SCENARIO_VAR = "PRICELAB_CLASSROOM_SCENARIO"  # ``pricelab classroom --scenario``
LEADERBOARD = {"rank": "#", "name": "student", "seller": "seller", "market": "market", "profit": "profit",
               "share": "share", "delta": "Delta", "periods": "periods played"}
FORMATS = {"profit": ".2f", "share": ".0%", "delta": ".2f"}


def default_scenario() -> str:
    """The scenario the form proposes (``--scenario``; else calvano2020)."""
    return os.environ.get(DEFAULT_SCENARIO_VAR) or "calvano2020"


@solara.component
def TeacherPage():
    """The teacher's room (``?key=``), or the form that opens one."""
    router = solara.use_router()
    found = ROOMS.teacher(query(router.search).get("key"))
    if found is None:
        OpenRoom()
    else:
        code, room = found
        RoomPanel(code, room)


@solara.component
def OpenRoom():
    """Choose the game and open the room."""
    router = solara.use_router()
    scenario = solara.use_reactive(default_scenario())
    mode = solara.use_reactive("each")
    seller = solara.use_reactive("")
    periods = solara.use_reactive(20)
    every = solara.use_reactive(0)
    wait_for_all = solara.use_reactive(True)
    error = solara.use_reactive("")
    sellers = solara.use_memo(lambda: [s.name for s in catalog.load(scenario.value).sellers], [scenario.value])

    def open_room():
        try:
            room = Room(catalog.load(scenario.value), mode.value, seller.value or None, int(periods.value),
                        float(every.value) if every.value else None, wait_for_all.value)
        except (RoomError, ValueError) as err:
            error.set(plain(err))
            return
        _, key = ROOMS.open(room)
        router.push("/teacher?" + urlencode({"key": key}))

    with solara.Card("Open a room", classes=["classroom-open"]):
        solara.Select("Scenario", values=catalog.scenario_names(), value=scenario, classes=["classroom-scenario"])
        solara.ToggleButtonsSingle(value=mode, values=list(MODES), classes=["classroom-mode"])
        solara.Text("shared: the students take sellers of one market; each: every student prices the same seller "
                    "in a market of their own against the algorithms.", style={"font-size": "0.9em"})
        if mode.value == "each":
            solara.Select("Seller the students price", values=["", *sellers], value=seller)
        solara.InputInt("Periods", value=periods)
        solara.Checkbox(label="Run a period as soon as everyone has priced", value=wait_for_all)
        solara.InputInt("Run a period every N seconds anyway (0: never; who has not priced keeps their price)",
                        value=every)
        solara.Button("Open the room", on_click=open_room, color="primary", classes=["classroom-open-button"])
        if error.value:
            solara.Error(error.value, classes=["classroom-error"])


@solara.component
def RoomPanel(code: str, room: Room):
    """The open room: code and link, controls, who has not priced, the markets and the leaderboard."""
    use_room_version(room)
    view = teacher_view(room)
    error = solara.use_reactive("")
    rule = solara.use_reactive("")

    def act(action):
        def run():
            try:
                action()
            except RoomError as err:
                error.set(plain(err))
                return
            error.set("")
        return run

    with solara.Div(classes=["classroom-teacher"]):
        with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
            solara.Text(f"Room code: {code}", classes=["classroom-room-code"])
            solara.Text(f"Students join at {base_url()}/join", classes=["classroom-link"])
        solara.Text(f"{room.scenario.name} · {room.mode} · {room.periods} periods"
                    + (f" · every {room.every:g} s" if room.every else ""), style={"color": "#555"})
        kind = solara.Warning if view.closed else solara.Info
        kind(view.status, dense=True, classes=["classroom-teacher-status"])
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            if not view.started and not view.closed:
                solara.Button("Start the game", on_click=act(room.start), color="primary",
                              classes=["classroom-start"])
            if view.started and not view.over and not view.closed:
                solara.Button("Advance now", on_click=act(room.advance), classes=["classroom-advance"])
                solara.Select("Rule", values=["", *interventions.CATALOG], value=rule, style={"max-width": "260px"},
                              classes=["classroom-rule-select"])
                solara.Button("Switch on for the room", on_click=act(lambda: room.switch_rule(rule.value)),
                              disabled=not rule.value, classes=["classroom-rule"])
            solara.FileDownload(lambda: room_parquet(room), filename=f"room-{room.id}.parquet",
                                label="Export the room's data (Parquet)")
            if not view.closed:
                solara.Button("Close the room", on_click=act(room.close), color="error", outlined=True,
                              classes=["classroom-close"])
        if error.value:
            solara.Error(error.value, classes=["classroom-error"], dense=True)
        if view.rules:
            solara.Text(f"Rules switched on: {', '.join(view.rules)}", classes=["classroom-rules"])
        if view.started:
            with solara.Div(classes=["classroom-waiting"]):
                Heading(f"Not priced yet ({len(view.waiting)}):", ", ".join(view.waiting) or "nobody")
        Heading("Leaderboard", "(profit after fees since each student's game started; ranked by profit per tick, "
                               "so that a late joiner's shorter game so far compares fairly)")
        ranked = [{"rank": k + 1, **row} for k, row in enumerate(view.leaderboard)]
        Table(ranked, LEADERBOARD, "classroom-leaderboard", FORMATS)
        Markets(view)
        Heading("Students")
        rows = [{**s, "state": "priced" if s["priced"] else "to price" if s["market"] is not None else "joined"}
                for s in view.students]
        Table(rows, {"name": "student", "seller": "seller", "market": "market", "state": "this period"},
              "classroom-students")


@solara.component
def Markets(view):
    """Every market: its period and current prices."""
    if not view.markets:
        return
    names = list(view.markets[0]["prices"])
    columns = {"market": "market", "period": "period", **{name: name for name in names}}
    rows = [{"market": m["market"], "period": "over" if m["over"] else m["period"], **m["prices"]}
            for m in view.markets]
    Heading("Markets", "(current prices)")
    Table(rows, columns, "classroom-markets", dict.fromkeys(names, ".2f"))

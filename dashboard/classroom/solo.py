"""Solo play: "you are this seller" against the algorithms, without a teacher (a room of one).

The page opens a room in ``each`` mode, joins it as the one student and starts it, a period running
as soon as the price is in. Its address keeps the room's code and the seat's token, so a reload
finds the same game (``dashboard.classroom.student``).
"""

import solara

from dashboard.classroom.live import ROOMS
from dashboard.classroom.student import plain, seat_path
from market import catalog
from market.classroom.room import Room, RoomError

PERIODS = 20


@solara.component
def SoloPage():
    """Choose a scenario and a seller, then play it."""
    router = solara.use_router()
    scenario = solara.use_reactive("calvano2020")
    seller = solara.use_reactive("")
    error = solara.use_reactive("")
    sellers = solara.use_memo(lambda: [s.name for s in catalog.load(scenario.value).sellers], [scenario.value])

    def play():
        try:
            room = Room(catalog.load(scenario.value), "each", seller.value or None, PERIODS)
            code, _ = ROOMS.open(room)
            student = room.join("you")
            room.start()
        except RoomError as err:
            error.set(plain(err))
            return
        router.push(seat_path(code, student.token))

    with solara.Card("You are this seller: price against the algorithms", classes=["classroom-solo"]):
        solara.Select("Scenario", values=catalog.scenario_names(), value=scenario)
        solara.Select("Your seller", values=["", *sellers], value=seller)
        solara.Text(f"{PERIODS} periods; the market waits for your price each period.")
        solara.Button("Play", on_click=play, color="primary", classes=["classroom-play"])
        if error.value:
            solara.Error(error.value, classes=["classroom-error"])

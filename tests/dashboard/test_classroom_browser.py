"""The classroom in a real headless Chromium: a teacher and ten students, each in a browser context of their own.

``pricelab classroom`` serves the pages on a free loopback port. The teacher opens a room
(calvano2020, a market each against the trained algorithm); a wrong code is refused; ten students
join and price firm1 for 20 periods (typed prices, some refused: text, a price out of range); the
teacher switches the monopoly price cap on for the room after period 5; a student reloads after
period 10 and is back on their seller; after the game the students see the replay. The
leaderboard and the exported Parquet agree with a seat game replayed in this process with the same
prices (the engine's records, bit for bit); closing the room tells the students and keeps the data.
Screenshots of the teacher's and a student's view at 1280x800 go to ``tests/artifacts/``. A shared market
(klein2021): a second student asking for a seller already taken is told so, and a teacher closing the room
mid-game leaves the students a page that says so, and the data.
"""

import io
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from market import catalog
from market.classroom.prices import seat_prices
from market.classroom.room import Room
from market.classroom.scoreboard import scoreboard
from tests.dashboard.serving import ARTIFACTS, chromium, served
from tests.dashboard.test_browser import SMALL

pytestmark = pytest.mark.browser

STUDENTS, PERIODS, RULE, RULE_AFTER, RELOAD_AFTER = 10, 20, "price_cap_monopoly", 5, 10


@pytest.fixture(scope="module")
def server():
    with served("classroom", "classroom_server.log") as url:
        yield url


def typed_price(grid: np.ndarray, student: int, period: int) -> str:
    """What student ``student`` types in period ``period`` (from 0): a grid price below the monopoly cap."""
    return f"{grid[(student + 3 * period) % 13]:.2f}"


def choose(page, select: str, option: str) -> None:
    """Pick ``option`` in the page's Vuetify select of class ``select``."""
    page.locator(f".{select}").click()
    page.get_by_role("option", name=option, exact=True).click()


def join(page, server: str, code: str, name: str, seller: str | None = None) -> None:
    page.goto(server + "/join")
    page.locator(".classroom-code input").fill(code)
    page.locator(".classroom-name input").fill(name)
    if seller is not None:
        choose(page, "classroom-seller", seller)
    page.locator(".classroom-join-button").click()


def new_page(browser):
    context = browser.new_context(viewport=SMALL, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    return page


def period_shown(page, period: int) -> None:
    """Wait for the seat's page to show ``period``; on a timeout, keep a screenshot of what it showed instead."""
    try:
        page.locator(".classroom-period").filter(has_text=f"Period {period} of {PERIODS}").wait_for()
    except Exception:
        page.screenshot(path=ARTIFACTS / f"classroom_failed_period_{period}.png")
        raise


def test_a_room_of_ten_students(server):
    scenario = catalog.load("calvano2020")
    grid = seat_prices(scenario, 0).grid
    with chromium() as browser:
        teacher = new_page(browser)
        errors = []
        teacher.on("pageerror", lambda error: errors.append(str(error)))
        teacher.goto(server + "/teacher")
        teacher.locator(".classroom-open-button").click()
        code = teacher.locator(".classroom-room-code").inner_text().split(":")[1].strip()
        assert re.fullmatch(r"[A-Z2-9]{8}", code)

        students = [new_page(browser) for _ in range(STUDENTS)]
        wrong = students[0]
        wrong.goto(server + "/join")
        wrong.locator(".classroom-code input").fill("WRONGCODE")
        wrong.locator(".classroom-name input").fill("S0")
        wrong.locator(".classroom-join-button").click()
        assert "no room has the code" in wrong.locator(".classroom-error").inner_text().lower()
        for k, page in enumerate(students):
            page.on("pageerror", lambda error: errors.append(str(error)))
            join(page, server, code.lower(), f"S{k}")
            page.wait_for_url("**/play?**")
        teacher.locator(".classroom-students").filter(has_text=f"S{STUDENTS - 1}").wait_for()
        teacher.locator(".classroom-start").click()

        bad = {students[1]: "abc", students[2]: "9.99"}
        for page, text in bad.items():
            page.locator(".classroom-price input").fill(text)
            page.locator(".classroom-send").click()
        assert "is not a price" in students[1].locator(".classroom-error").inner_text()
        assert "outside the prices you may set" in students[2].locator(".classroom-error").inner_text()
        for period in range(PERIODS):
            for page in students:
                period_shown(page, period + 1)
            if period == RULE_AFTER:
                choose(teacher, "classroom-rule-select", RULE)
                teacher.locator(".classroom-rule").click()
                teacher.locator(".classroom-rules").filter(has_text=RULE).wait_for()
            if period == RELOAD_AFTER:
                students[0].reload()
                assert "S0: you are firm1" in students[0].locator(".classroom-title").inner_text()
                period_shown(students[0], period + 1)
            for k, page in enumerate(students):
                page.locator(".classroom-price input").fill(typed_price(grid, k, period))
                page.locator(".classroom-send").click()
        for page in students:
            page.locator(".classroom-status").filter(has_text="The game is over").wait_for()
            page.locator(".classroom-replay").wait_for()
        teacher.locator(".classroom-teacher-status").filter(has_text="over").wait_for()
        students[3].locator(".pricelab-chart canvas").wait_for()
        students[3].wait_for_timeout(1000)  # let ECharts draw the replay before the screenshot
        teacher.screenshot(path=ARTIFACTS / "classroom_teacher.png")
        students[3].screenshot(path=ARTIFACTS / "classroom_student.png", full_page=False)

        with teacher.expect_download() as download:
            teacher.get_by_text("Export the room's data").click()
        export = pl.read_parquet(io.BytesIO(Path(download.value.path()).read_bytes()))
        board = teacher.locator(".classroom-leaderboard").inner_text()
        teacher.locator(".classroom-close").click()
        students[4].locator(".classroom-status").filter(has_text="closed the room").wait_for()
        with teacher.expect_download() as kept:
            teacher.get_by_text("Export the room's data").click()
        assert pl.read_parquet(io.BytesIO(Path(kept.value.path()).read_bytes())).equals(export)
    assert not errors

    # The same game replayed here: the export is the engine's records, bit for bit, and so is the leaderboard.
    room = Room(scenario, "each", periods=PERIODS)
    for k in range(STUDENTS):
        room.join(f"S{k}")
    room.start()
    tokens = list(room.students)
    for period in range(PERIODS):
        if period == RULE_AFTER:
            room.switch_rule(RULE)
        for k, token in enumerate(tokens):
            room.submit(token, typed_price(grid, k, period))
    assert export["run_id"].n_unique() == STUDENTS and set(export["scenario"]) == {"calvano2020"}
    for k in range(STUDENTS):
        game = room.markets[k]
        mine = export.filter(pl.col("student") == f"S{k}")
        market = export.filter(pl.col("room_market") == mine["room_market"][0]).sort("tick", "seller")
        rows = game.state.n_records
        assert np.array_equal(market["price"].to_numpy().reshape(rows, 2), game.state.records.price[:rows])
        assert np.array_equal(market["profit"].to_numpy().reshape(rows, 2), game.state.records.profit[:rows])
        assert market["game_period"].max() == PERIODS - 1
        assert (market.filter(pl.col("game_period") >= RULE_AFTER)["rules"] == RULE).all()
        profit = scoreboard(game).row(0, named=True)["profit"]
        assert re.search(rf"S{k}\s+firm1\s+\d+\s+{profit:.2f}", board), (k, profit, board)


def test_a_shared_market_a_taken_seller_and_a_room_closed_mid_game(server):
    with chromium() as browser:
        teacher, ana, bo = (new_page(browser) for _ in range(3))
        teacher.goto(server + "/teacher")
        choose(teacher, "classroom-scenario", "klein2021")
        teacher.locator(".classroom-scenario").filter(has_text="klein2021").wait_for()
        teacher.get_by_role("button", name="shared").click()
        teacher.get_by_text("Seller the students price").wait_for(state="detached")  # the form is redrawn
        teacher.locator(".classroom-open-button").click()
        code = teacher.locator(".classroom-room-code").inner_text().split(":")[1].strip()
        join(ana, server, code, "Ana", "firm1")
        ana.wait_for_url("**/play?**")
        join(bo, server, code, "Bo", "firm1")
        assert "Firm1 is already taken by Ana: choose another seller." in bo.locator(".classroom-error").inner_text()
        choose(bo, "classroom-seller", "firm2")
        bo.locator(".classroom-join-button").click()
        bo.wait_for_url("**/play?**")
        teacher.locator(".classroom-students").filter(has_text="Bo").wait_for()
        teacher.locator(".classroom-start").click()
        # Klein's sellers alternate: firm1 prices in period 1, firm2 in period 2.
        period_shown(bo, 1)
        bo.locator(".classroom-status").filter(has_text="does not set a price this period").wait_for()
        for page, price, period in ((ana, "1.6", 1), (bo, "1.7", 2)):
            period_shown(page, period)
            page.locator(".classroom-price input").fill(price)
            page.locator(".classroom-send").click()
        period_shown(ana, 3)
        teacher.locator(".classroom-close").click()
        for page in (ana, bo):
            page.locator(".classroom-status").filter(has_text="The teacher has closed the room").wait_for()
            assert page.locator(".classroom-price").count() == 0
        teacher.locator(".classroom-teacher-status").filter(has_text="closed").wait_for()
        with teacher.expect_download() as download:
            teacher.get_by_text("Export the room's data").click()
        export = pl.read_parquet(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert set(export["student"].drop_nulls()) == {"Ana", "Bo"} and export["room_market"].n_unique() == 1
    assert export["game_period"].max() == 1 and export.height == 2 * 2
    assert export.filter(pl.col("seat") & pl.col("kept").is_not_null())["price"].to_list() == [1.6, 1.7]

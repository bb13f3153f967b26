"""The screens card: the scores of the running market, refreshed while the page is open."""

import asyncio

import ipyvuetify as v
import solara

from dashboard import app, screens_panel
from dashboard.lab import Lab
from market.screens import catalog


def test_too_few_ticks_are_a_message_not_an_error():
    lab = Lab()
    lab.step(3)
    heading, rows = screens_panel.scores_table(screens_panel.market_frame(lab.model), None)
    assert "need at least" in heading and rows == []


def test_scores_of_the_last_ticks_of_market_a(lab):
    frame = screens_panel.market_frame(lab.model)
    assert frame["tick"].n_unique() == 200 and {"cost", "nash_price"} <= set(frame.columns)
    heading, rows = screens_panel.scores_table(frame, None)
    assert heading == "Last 200 ticks of A."
    assert [row[0] for row in rows] == ["screen", *map(screens_panel.title, catalog.NAMES)]
    assert all(row[1] != "n/a" and row[2] == "" for row in rows[1:])  # the run has costs and Nash prices
    assert [row[3] for row in rows[1:]] == [s.sentence for s in catalog.SCREENS]  # each screen in a sentence


def test_flags_against_the_shipped_calibration(lab):
    calibration = screens_panel.shipped_calibration()
    assert calibration is not None, "experiments/reports/screens/calibration.json is part of the project"
    heading, rows = screens_panel.scores_table(screens_panel.market_frame(lab.model), calibration)
    assert [row[0] for row in rows][-2:] == ["All screens combined", "Price-only screens combined"]
    assert all(row[2] in ("YES", "no", "inert") for row in rows[1:])
    assert all(row[3].endswith(".") for row in rows[1:])
    assert "not evidence of collusion" in heading


def _card_text(rc) -> str:
    tables = rc.find(v.Html, class_="pricelab-screens").widgets
    notes = rc.find(v.Html, class_="pricelab-screens-note").widgets
    return " ".join(str(w.children) for w in tables + notes)


def test_the_page_shows_the_card_and_refreshes_it_as_the_market_runs():
    async def session():
        rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]
        await asyncio.sleep(0.1)
        assert "need at least" in _card_text(rc)
        for _ in range(2):
            rc.find(v.Btn, children=["Step"]).widget.click()
        for _ in range(60):
            await asyncio.sleep(0.1)
            if "Price variance" in _card_text(rc):
                return
        raise AssertionError(f"the screens card did not refresh: {_card_text(rc)[:300]}")
    asyncio.run(session())

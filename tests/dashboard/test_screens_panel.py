"""The screens card: the scores of the running market, refreshed while the page is open."""

import asyncio

import ipyvuetify as v
import solara

from dashboard import app, screens_panel
from dashboard.lab import Lab
from experiments.screens import catalog


def test_too_few_ticks_are_a_message_not_an_error():
    lab = Lab()
    lab.step(3)
    text = screens_panel.scores_markdown(screens_panel.market_frame(lab.model), None)
    assert "need at least" in text


def test_scores_of_the_last_ticks_of_market_a(lab):
    frame = screens_panel.market_frame(lab.model)
    assert frame["tick"].n_unique() == 200 and {"cost", "nash_price"} <= set(frame.columns)
    text = screens_panel.scores_markdown(frame, None)
    assert "Last 200 ticks of A." in text
    for name in catalog.NAMES:
        assert f"| {name} |" in text
    assert "n/a" not in text  # the run has costs and Nash prices


def test_flags_against_the_shipped_calibration(lab):
    calibration = screens_panel.shipped_calibration()
    assert calibration is not None, "experiments/reports/screens/calibration.json is part of the project"
    text = screens_panel.scores_markdown(screens_panel.market_frame(lab.model), calibration)
    assert "| combined |" in text and ("| no |" in text or "**yes**" in text)
    assert "not evidence of collusion" in text


def _card_text(rc) -> str:
    templates = [w.template for w in rc.find(v.VuetifyTemplate).widgets if isinstance(w.template, str)]
    return " ".join(t for t in templates if "solara-markdown" in t)


def test_the_page_shows_the_card_and_refreshes_it_as_the_market_runs():
    async def session():
        rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]
        await asyncio.sleep(0.1)
        assert "need at least" in _card_text(rc)
        for _ in range(2):
            rc.find(v.Btn, children=["Step"]).widget.click()
        for _ in range(60):
            await asyncio.sleep(0.1)
            if "variance" in _card_text(rc):
                return
        raise AssertionError(f"the screens card did not refresh: {_card_text(rc)[:300]}")
    asyncio.run(session())

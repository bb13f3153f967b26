"""Teaching material: the glossary's terms, and worksheets whose every page place exists on the page."""

import asyncio

import ipyvuetify as v
import pytest
import solara

from dashboard import app, charts, glossary
from experiments.configs import scenario_names

WORKSHEETS = ("calvano2020", "amazon_10min", "dma_self_preferencing")


def test_the_glossary_has_the_terms_and_every_screen_in_a_sentence():
    entries = glossary.entries()
    for term in ("Nash price", "Monopoly price", "Delta", "Buy Box"):
        assert entries[term].endswith(".")
    screens = [k for k in entries if k.startswith("Screen: ")]
    assert len(screens) == 11 and all(entries[k].endswith(".") for k in screens)


@pytest.mark.parametrize("scenario", WORKSHEETS)
def test_every_page_place_a_worksheet_names_exists_on_the_page(scenario):
    assert scenario in scenario_names()
    text = glossary.worksheet(scenario)
    named = set(glossary.places(text))
    assert len(named) >= 5 and "?" in text, "questions, each with where to read the answer"
    assert named <= set(glossary.PLACES), f"places the page does not know: {named - set(glossary.PLACES)}"

    async def session():
        rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]
        rc.find(v.Select, label="Scenario").widget.v_model = scenario
        learners = rc.find(v.Checkbox, label="watch them learn from scratch").widgets
        if learners:
            learners[0].v_model = True  # the worksheet starts from scratch: Train first shows
        for place in sorted(named):
            kind, key = glossary.PLACES[place]
            if kind == "chart":
                assert key in charts.BUILDERS, place
            elif key == "clock":
                assert rc.find(v.Html, class_="pricelab-clock").widgets, place
            elif kind == "card":
                assert rc.find(v.Card, title=key).widgets or rc.find(v.CardTitle, children=[key]).widgets, place
            else:
                found = [[b for b in rc.find(v.Btn).widgets if key in b.children]] + [
                    rc.find(kind_, label=key).widgets for kind_ in (v.TextField, v.Checkbox, v.Switch, v.Select)]
                assert any(found), f"{scenario}: [[{place}]] is not on the page"
        worksheet = [w for w in rc.find(v.CardTitle).widgets if f"Worksheet: {scenario}" in str(w.children)]
        assert worksheet, "the page offers the scenario's worksheet"
    asyncio.run(session())


def test_the_page_shows_a_worksheet_with_its_places_in_bold():
    shown = glossary.shown("Read the [[Prices chart]].")
    assert shown == "Read the **Prices chart**."

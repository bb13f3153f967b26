"""The page, rendered in-process: controls drive the session's Lab and bad input shows a message."""

import asyncio
import re

import ipyvuetify as v
import pytest
import solara

from dashboard import app, rules
from dashboard.chart import Chart
from dashboard.lab import RESPONSE_TICKS


def render():
    return solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]


def clock(rc) -> str:
    return rc.find(v.Html, class_="pricelab-clock").widget.children[0]


def tick(rc) -> int:
    return int(re.search(r"(?:tick|period) (\d+) of", clock(rc)).group(1))


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def field(rc, label: str) -> v.TextField:
    return rc.find(v.TextField, label=label).widgets[0]


def enter(widget: v.TextField, text: str) -> None:
    widget.v_model = text
    widget.fire_event("keyup.enter", None)


def test_step_advances_an_hour_and_redraws_the_charts():
    async def session():
        rc = render()
        charts = rc.find(Chart).widgets
        assert len(charts) == 6 and "tick 0 of 4320" in clock(rc)
        assert charts[0].option["graphic"]["style"]["text"].startswith("No ticks yet")
        before = charts[0].option["series"][0]["data"]
        button(rc, "Step").click()
        await asyncio.sleep(0)
        assert "tick 6 of 4320 after a warm-up (to tick 1,008) · d8 01:00" in clock(rc)  # amazon_10min settles
        assert charts[0].option["series"][0]["data"] != before
    asyncio.run(session())


def test_play_runs_frames_until_paused():
    async def session():
        rc = render()
        button(rc, "Play").click()
        for _ in range(2000):  # until two frames are drawn, however busy the machine
            await asyncio.sleep(0.01)
            if tick(rc) >= 12:
                break
        button(rc, "Pause").click()
        await asyncio.sleep(0.05)
        paused_at = tick(rc)
        assert paused_at >= 12
        await asyncio.sleep(0.2)
        assert tick(rc) == paused_at
    asyncio.run(session())


def test_bad_input_is_refused_in_plain_words_and_marked_in_the_field_which_keeps_the_typing():
    async def session():
        rc = render()
        button(rc, "Step").click()
        cost = field(rc, "cost")
        for text, message in (("-1", "must be at least 0"), ("", "empty"), ("abc", "not a number")):
            enter(cost, text)
            alert = rc.find(v.Alert).widget
            assert message in str(alert.children) and "last valid model keeps running" in str(alert.children)
            assert "platform: cost" in str(alert.children) and "sellers[0]" not in str(alert.children)
            assert "Input should" not in str(alert.children), "the validator's wording, not the page's"
            assert field(rc, "cost") is cost, "a refusal must not replace the field (typing on would be lost)"
            note = str(cost.messages)
            assert cost.error and message in note and "not applied" in note and "in force: 1" in note
            assert "tick 6 of" in clock(rc)
        enter(cost, "1.2")  # typed straight after a refusal, into the same field
        alert = rc.find(v.Alert).widget
        assert alert.type == "info" and "Restarted at tick 0 because platform: cost changed to 1.2" in alert.children[0]
        assert "tick 0 of" in clock(rc) and not field(rc, "cost").error and field(rc, "cost").v_model == "1.2"
    asyncio.run(session())


def test_a_redraw_between_typing_and_enter_keeps_what_is_being_typed():
    """The browser reports each keystroke; a redraw before Enter (here Step's) must not send refused text back."""
    async def session():
        rc = render()
        cost = field(rc, "cost")
        enter(cost, "abc")
        assert cost.error
        cost.v_model = "1.5"  # typed, not yet entered
        button(rc, "Step").click()
        await asyncio.sleep(0)
        assert "tick 6 of" in clock(rc) and cost.v_model == "1.5", "the redraw put the refused text back"
        cost.fire_event("keyup.enter", None)
        assert "Restarted at tick 0 because platform: cost changed to 1.5" in rc.find(v.Alert).widget.children[0]
        cost = field(rc, "cost")
        cost.fire_event("focusout", None)  # leaving the field after Enter applies nothing twice
        assert "tick 0 of" in clock(rc) and not cost.error and cost.v_model == "1.5"
    asyncio.run(session())


def test_a_rule_adds_run_b_charts_and_the_scenario_picker_loads_another_market():
    async def session():
        rc = render()
        button(rc, "Step").click()
        rc.find(v.Switch, label="once a day").widget.v_model = True
        assert len(rc.find(Chart).widgets) == 7
        assert "B: once a day · tick 6 of 4320" in rc.find(v.Html, class_="pricelab-clock-b").widget.children[0]
        rc.find(v.Select, label="Scenario").widget.v_model = "klein2021"
        assert "klein2021 · period 0 of" in clock(rc)
        assert len(rc.find(Chart).widgets) == 5  # no platform: no Buy Box
        assert rc.find(v.Switch, label="once a day").widget.v_model is False
        assert len(rc.find(v.Select, label="strategy").widgets) == 2
        assert rc.find(v.Select, label="strategy").widgets[0].v_model == "klein_qlearning"
    asyncio.run(session())


def test_the_rules_group_searches_names_first_then_descriptions():
    async def session():
        rc = render()
        assert len(rc.find(v.Switch).widgets) == len(rules.catalog())
        summary = rc.find(v.ExpansionPanelHeader, children=[f"Rules for run B (0 of {len(rules.catalog())} on)"])
        assert summary.widgets
        search = rc.find(v.TextField, label="search rules").widget
        search.v_model = "price"
        assert [w.label for w in rc.find(v.Switch).widgets] == ["price floor nash", "price cap monopoly"]
        search.v_model = "prominence"  # in no name: the descriptions that say it
        assert [w.label for w in rc.find(v.Switch).widgets] == ["pdp", "dynamic pdp"]
        rc.find(v.Switch, label="pdp").widget.v_model = True
        title = f"Rules for run B (1 of {len(rules.catalog())} on)"
        assert rc.find(v.ExpansionPanelHeader, children=[title]).widgets, "the title keeps its length"
    asyncio.run(session())


def test_a_repeated_game_offers_periods_and_step_runs_one():
    async def session():
        rc = render()
        assert rc.find(v.Select, label="ticks per frame").widget.items[-1] == "1 day"
        assert rc.find(v.Btn, children=["Skip a day"]).widgets
        rc.find(v.Select, label="Scenario").widget.v_model = "calvano2020"
        frame = rc.find(v.Select, label="periods per frame").widget
        assert frame.items == ["1 period", "10 periods", "100 periods"]
        assert rc.find(v.Select, label="chart window").widget.items == ["100 periods", "1,000 periods", "all"]
        assert not rc.find(v.Btn, children=["Skip a day"]).widgets and rc.find(v.Btn, children=["Skip 1,000 periods"])
        button(rc, "Step").click()
        assert "calvano2020 · period 1 of" in clock(rc)
        button(rc, "Skip 1,000 periods").click()
        assert "calvano2020 · period 1,001 of" in clock(rc) or "calvano2020 · period 1001 of" in clock(rc)
    asyncio.run(session())


@pytest.mark.slow  # trains calvano2020 (about a second on a quiet machine)
def test_train_first_trains_chunk_by_chunk_and_then_goes():
    async def session():
        rc = render()
        rc.find(v.Select, label="Scenario").widget.v_model = "calvano2020"
        rc.find(v.Checkbox, label="watch them learn from scratch").widget.v_model = True
        rc.find(v.Switch, label="price cap monopoly").widget.v_model = True  # B splits from A once trained
        button(rc, "Step").click()
        button(rc, "Train first").click()
        titles = set()
        for _ in range(600):
            await asyncio.sleep(0.05)
            titles |= {c.option["title"]["text"] for c in rc.find(Chart).widgets if c.option}
            if "Trained: converged" in str(rc.find(v.Alert).widget.children):
                break
        learning = sorted(t for t in titles if t.startswith("Learning:"))
        assert len(learning) >= 3, f"the learning chart was drawn chunk by chunk: {learning}"
        assert not rc.find(v.Btn, children=["Train first"]).widgets, "trained: the button goes"
        assert "period 0 of" in clock(rc) and "after training" in clock(rc)
        b_clock = rc.find(v.Html, class_="pricelab-clock-b").widget.children[0]
        assert b_clock.startswith("B: price cap monopoly · period 0 of")
    asyncio.run(session())


def test_the_side_panel_shows_platform_terms_only_with_a_platform_and_each_strategy_with_its_parameters():
    async def session():
        rc = render()
        assert rc.find(v.TextField, label="referral fee").widgets
        docs = [w.children[0] for w in rc.find(v.Html, class_="pricelab-strategy-doc").widgets]
        assert docs[0].startswith("Charge the lowest rival price minus a step") and "Source: Chen, Mislove" in docs[0]
        assert rc.find(v.TextField, label="step (>= 0)").widgets
        assert rc.find(v.TextField, label="floor (>= 0 or cost, nash, monopoly)").widgets
        enter(rc.find(v.TextField, label="step (>= 0)").widgets[0], "0.05")
        assert "Restarted at tick 0 because platform: step changed to 0.05" in str(rc.find(v.Alert).widget.children)
        rc.find(v.Select, label="Scenario").widget.v_model = "calvano2020"
        assert not rc.find(v.TextField, label="referral fee").widgets, "no seller on a platform: no platform terms"
        assert rc.find(v.TextField, label="alpha (1e-09-1)").widgets
    asyncio.run(session())


@pytest.mark.slow  # a few seconds (training a market)
def test_a_deviation_plays_one_tick_a_frame_and_pauses_with_the_response_in_view():
    async def session():
        rc = render()
        rc.find(v.Select, label="Scenario").widget.v_model = "calvano2020"
        button(rc, "Force a deviation").click()
        assert rc.find(v.Select, label="periods per frame").widget.v_model == "1 period"
        button(rc, "Play").click()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if "Paused" in str(rc.find(v.Alert).widget.children):
                break
        assert tick(rc) == 1 + RESPONSE_TICKS and button(rc, "Play")
    asyncio.run(session())

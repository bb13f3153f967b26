"""The live dashboard: watch the repricers, change the rules, compare. ``pricelab dashboard`` serves it.

Each browser session gets its own ``Lab`` (its own ``PricingModel``, and a twin B while rules
are on), kept across a reload (``dashboard.sessions``). The bar at the top holds the clock, Step /
Play / Reset, the speed, the chart window, the downloads and the latest message; the charts
scroll below it, never under it (a chart scrolled to the top shows its title). The side panel
holds the scenario, learning, the rules for run B and the sellers. Play advances the
market ``speed`` ticks per frame through ``PricingModel.step`` and redraws the charts in the
browser (ECharts), at most ``1 / FRAME_SECONDS`` frames a second. Served by ``pricelab
dashboard``, the page first compiles the engine in the background (``dashboard.warmup``) and
says so until the first Step can run.
"""

import asyncio
import time
from collections.abc import Callable
from functools import partial

import solara
import solara.server.settings

from dashboard import charts, timeline, warmup
from dashboard.chart import Chart
from dashboard.classroom.live import Styled
from dashboard.classroom.solo import SoloPage
from dashboard.classroom.student import PlayPage
from dashboard.controls import (
    ExportControls,
    LearningControls,
    MarketControls,
    RuleControls,
    RunControls,
    ScenarioControls,
    SellerControls,
)
from dashboard.glossary import Teaching
from dashboard.lab import Lab
from dashboard.pacer import Pacer, wait_for_paint
from dashboard.screens_panel import ScreensPanel
from dashboard.sessions import Address, open_run

FRAME_SECONDS = 0.05  # at most 20 frames a second, and never faster than the browser paints them
POLL_SECONDS = 0.2
TITLE = "pricelab: live market"
PREPARING = "Preparing the engine: numba is compiling it for this machine (only the first start takes this long)."
CSS = """
.pricelab-page { display: flex; height: 100vh; overflow: hidden; }
.pricelab-side { flex: 0 0 340px; overflow-y: auto; padding: 8px 12px; border-right: 1px solid #ddd;
                 background: #fafafa; }
.pricelab-column { flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column; }
.pricelab-bar { flex: none; z-index: 5; background: white; padding: 6px 12px 4px;
                border-bottom: 1px solid #ddd; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.08); }
.pricelab-main { flex: 1 1 auto; min-height: 0; overflow-y: auto; }
.pricelab-bar .v-alert { margin: 4px 0 0; padding: 4px 12px; font-size: 0.9em; }
.pricelab-clock { font-size: 1.15em; font-weight: 500; }
.pricelab-clock-b { font-size: 0.95em; color: #e65100; margin-left: 12px; }
.pricelab-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 10px;
                 padding: 10px 12px; }
.pricelab-cell { border: 1px solid #e3e3e3; border-radius: 4px; padding: 2px 4px 6px; background: white; }
.pricelab-caption { font-size: 0.85em; color: #444; padding: 0 6px; }
@media (min-width: 1700px) {  /* a projector: two wide columns, taller charts (their text grows with them) */
  .pricelab-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .pricelab-chart { height: 420px !important; }
  .pricelab-caption { font-size: 1em; }
  .pricelab-clock { font-size: 1.4em; }
}
"""
solara.server.settings.theme.show_banner = False  # Solara's badge would cover the bottom-right chart
if warmup.requested():
    warmup.start()


def clock(lab: Lab) -> str:
    """``amazon_10min · tick 150 of 4320 · d2 01:00``: ticks played (periods, in a repeated game, since training
    and the warm-up, if any), the horizon, and the day and time."""
    model = lab.model
    return f"{lab.config.name} · {_played(lab, model)}" + (
        "" if timeline.repeated_game(lab.config) else f" · {timeline.when(model, model.tick)}")


def clock_b(lab: Lab) -> str:
    """Run B's clock (``B: once a day · tick 150 of 4320``), the same as A's by construction; empty without B."""
    return f"{lab.b_name} · {_played(lab, lab.twin)}" if lab.twin is not None else ""


def _played(lab: Lab, model) -> str:
    unit = timeline.unit(lab.config)
    origin = int(model.state.origin[0])
    before = " and ".join(what for what, ran in (("training", model.training is not None),
                                                 ("a warm-up", model.warm_up_ticks > 0)) if ran)
    after = f" after {before} (to {unit} {origin:,})" if origin else ""
    return f"{unit} {model.state.counted} of {lab.horizon}{after}"


def figures(lab: Lab, window: int) -> dict[str, Callable[[], dict]]:
    """The charts of one frame that apply to the market, by name, as functions giving their options (while A
    trains chunk by chunk, A's charts and the learning curve: run B is split from A when training ends)."""
    with lab.lock:
        twin = None if lab.is_training else lab.twin  # B splits from A once trained
        view = charts.view(lab.model, window, twin, lab.b_name, lab.marks, lab.since,
                           lab.curve.points if lab.curve is not None else ())
        shown = charts.names(lab.model, twin is not None, lab.curve is not None,
                             any(m.kind == "deviation" for m in lab.marks))
    return {name: partial(charts.BUILDERS[name], view) for name in shown}


def draw(lab: Lab, window: int, widgets: dict) -> None:
    """Draw one frame straight into the page's widgets: the clocks and every chart.

    Setting the widgets directly, rather than re-rendering the page, spares the renderer a
    walk through the whole page (every control in the side panel) on every frame.
    """
    with lab.lock:
        options = {name: build() for name, build in figures(lab, window).items()}
        texts = {"clock": clock(lab), "clock_b": clock_b(lab)}
    for name, option in options.items():
        if name in widgets:
            widgets[name].option = option
    for name, text in texts.items():
        if name in widgets:
            widgets[name].children = [text]
    if "pacer" in widgets:
        widgets["pacer"].frame += 1


@solara.component
def Registered(name: str, element, widgets: dict):
    """``element``, with its widget kept in ``widgets[name]`` while it is on the page."""
    def register():
        widgets[name] = solara.get_widget(element)
        return lambda: widgets.pop(name, None)
    solara.use_effect(register, [])
    return element


@solara.component
def Bar(lab: Lab, playing: solara.Reactive[bool], speed: solara.Reactive[int], window: solara.Reactive[int],
        settings: solara.Reactive[int], widgets: dict, done: Callable[[], None]):
    """The pinned bar: the clocks (drawn by ``draw``), the run's controls, the downloads and the latest message."""
    settings.value  # noqa: B018 -- read to lay out again after a change
    with solara.Div(classes=["pricelab-bar"]):
        with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
            Registered("clock", solara.v.Html(tag="span", class_="pricelab-clock"), widgets)
            Registered("clock_b", solara.v.Html(tag="span", class_="pricelab-clock-b"), widgets)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "justify-content": "space-between"}):
            RunControls(lab, lab.config, lab.finished, lab.is_training, playing, speed, window, done)
            ExportControls(lab, lab.config)
        if lab.error:
            solara.Error(f"Not applied: {lab.error}. The last valid model keeps running.", dense=True)
        elif lab.message:
            solara.Info(lab.message, dense=True)


@solara.component
def Live(lab: Lab, window: int, settings: solara.Reactive[int], widgets: dict):
    """The charts with their captions, laid out again after a change and drawn by ``draw`` every frame (no
    task of its own: ``experiments/bench/dashboard.py`` renders it alone, outside an event loop).

    The clocks' text and the charts' options are not element arguments: ``draw`` alone sets
    them, so a later render cannot put back an older frame.
    """
    settings.value  # noqa: B018 -- read to lay out again after a change
    Registered("pacer", Pacer.element(), widgets)
    with solara.Div(classes=["pricelab-grid"]):
        for name in figures(lab, window):
            with solara.Div(classes=["pricelab-cell", f"pricelab-cell-{name}"]).key(f"cell-{name}"):
                Registered(name, Chart.element(), widgets).key(name)
                solara.Text(charts.caption(name, lab.model), classes=["pricelab-caption"])
    solara.use_effect(lambda: draw(lab, window, widgets), None)


@solara.component
def Controls(lab: Lab, playing: solara.Reactive[bool], speed: solara.Reactive[int], settings: solara.Reactive[int],
             done: Callable[[], None]):
    """The side panel, redrawn after every change of the settings (a new scenario has other sellers)."""
    settings.value  # noqa: B018 -- read to redraw after a change
    solara.Text(TITLE, style={"font-size": "1.25em", "font-weight": "500"})
    ScenarioControls(lab, lab.config, done)
    LearningControls(lab, lab.config, playing, lab.trainable, lab.learn_live, speed, done)
    RuleControls(lab, lab.rules, done)
    refused = dict(lab.rejected)
    MarketControls(lab, lab.config, done, refused, lab.has_platform)
    for seller in lab.config.sellers:
        SellerControls(lab, seller, done, refused)
    solara.Button("You are this seller: play against the algorithms", href="/solo", target="_blank", text=True,
                  color="primary", classes=["pricelab-solo"])


@solara.component
def Notes(lab: Lab, settings: solara.Reactive[int]):
    """The glossary and the worksheet of the scenario on show (``dashboard.glossary``), below the charts."""
    settings.value  # noqa: B018 -- read to follow a change of scenario
    Teaching(lab.name)


@solara.component
def Page():
    """The market, once the engine is ready; until then, a message that it is being prepared."""
    ready = solara.use_reactive(warmup.ready())

    async def wait():
        while not warmup.ready():
            await asyncio.sleep(POLL_SECONDS)
        ready.set(True)
    solara.lab.use_task(wait, dependencies=[], prefer_threaded=False)
    solara.Title(TITLE)
    if ready.value:
        Market()
    else:
        solara.Info(PREPARING)


@solara.component
def Market():
    router = solara.use_router()
    run, lab = solara.use_memo(lambda: open_run(router.search), [])
    widgets = solara.use_memo(dict, [])
    settings = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(6)
    window = solara.use_reactive(144)

    seen = solara.use_memo(lambda: {"layout": lab.layout, "revision": lab.revision}, [])

    def done():
        seen["layout"] = lab.layout
        settings.value += 1

    async def follow():
        """Follow what another page on this run (a shared ``?run=`` link) does: lay out again after its changes,
        draw after its steps. This page's own play loop draws its frames itself."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if lab.layout != seen["layout"]:
                done()
            elif lab.revision != seen["revision"] and not playing.value:
                draw(lab, window.value, widgets)
            seen["revision"] = lab.revision

    async def play():
        lab.paused = False
        while playing.value and (lab.is_training or not lab.finished):
            started = time.perf_counter()
            if lab.is_training:
                lab.paused = lab.train_chunk()  # trained: stop, at period 0 of the trained play
            else:
                lab.step(speed.value)
            draw(lab, window.value, widgets)
            if lab.paused:
                lab.paused = False
                break
            await wait_for_paint(widgets.get("pacer"), started, FRAME_SECONDS)
        playing.set(False)
        done()

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=False)
    solara.lab.use_task(follow, dependencies=[], prefer_threaded=False)
    solara.Style(CSS)
    Address.element(run=run)
    with solara.Div(classes=["pricelab-page"]):
        with solara.Div(classes=["pricelab-side"]):
            Controls(lab, playing, speed, settings, done)
        with solara.Div(classes=["pricelab-column"]):
            Bar(lab, playing, speed, window, settings, widgets, done)
            with solara.Div(classes=["pricelab-main"]):
                Live(lab, window.value, settings, widgets)
                with solara.Div(style={"padding": "0 12px 12px"}):
                    ScreensPanel(lab).key("screens")
                    Notes(lab, settings)


@solara.component
def Layout(children=()):
    """Solara's own layout, without route tabs: the dashboard and solo play are pages of their own."""
    solara.AppLayout(children=list(children), navigation=False)


# ``/solo``: one person prices a seller against the algorithms, a room of one (``dashboard.classroom.solo``), whose
# seat is ``/play?...`` (a reload comes back to it).
routes = [solara.Route(path="/", component=Page, layout=Layout),
          solara.Route(path="solo", component=SoloPage, layout=Styled),
          solara.Route(path="play", component=PlayPage, layout=Styled)]

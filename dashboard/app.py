"""The live dashboard: watch the repricers, change the rules, compare. ``pricelab dashboard`` serves it.

Each browser session gets its own ``Lab`` (its own ``PricingModel``, and a twin B while rules
are on). Play advances the market ``speed`` ticks per frame through ``PricingModel.step``
and redraws the charts in the browser (ECharts), at most ``1 / FRAME_SECONDS`` frames a second.
Served by ``pricelab dashboard``, the page first compiles the engine in the background
(``dashboard.warmup``) and says so until the first Step can run.
"""

import asyncio
import time
from collections.abc import Callable
from functools import partial

import solara

from dashboard import charts, warmup
from dashboard.chart import Chart
from dashboard.controls import (
    ExportControls,
    LearningControls,
    RuleControls,
    RunControls,
    ScenarioControls,
    SellerControls,
)
from dashboard.lab import Lab
from dashboard.pacer import Pacer, wait_for_paint
from dashboard.screens_panel import ScreensPanel

FRAME_SECONDS = 0.05  # at most 20 frames a second, and never faster than the browser paints them
POLL_SECONDS = 0.2
PREPARING = "Preparing the engine: numba is compiling it for this machine (only the first start takes this long)."
if warmup.requested():
    warmup.start()


def clock(lab: Lab) -> str:
    """``tick 150 of 4320 · d2 01:00``: ticks played (since training, if any), the horizon, and the day and time."""
    trained = f" after training (to tick {lab.model.state.origin[0]:,})" if lab.model.state.origin[0] else ""
    return f"tick {lab.played} of {lab.horizon}{trained} · {charts.tick_label(lab.model, lab.tick)}"


def figures(lab: Lab, window: int) -> dict[str, Callable[[], dict]]:
    """The charts of one frame by name, as functions giving their options: A's charts, and B's with rules on."""
    model, twin = lab.model, lab.twin
    names = ["price", "delta", "profit", "shares", "featured", "events"]
    builders = {"price": partial(charts.price, model, window, "Prices (A)" if twin else "Prices"),
                "delta": partial(charts.delta, model, window, twin),
                "profit": partial(charts.profit, model, window), "shares": partial(charts.shares, model, window),
                "featured": partial(charts.featured, model, window), "events": partial(charts.events, model, window)}
    if model.state.inventory is not None:
        names.append("stock")
        builders["stock"] = partial(charts.stock, model, window)
    if twin is not None:
        names[1:1] = ["price_b", "difference"]
        builders.update(price_b=partial(charts.price, twin, window, "Prices (B: with rules)"),
                        difference=partial(charts.difference, model, twin, window))
    return {name: builders[name] for name in names}


def heading(lab: Lab) -> str:
    return f"{lab.config.name} · {clock(lab)}"


def draw(lab: Lab, window: int, widgets: dict) -> None:
    """Draw one frame straight into the page's widgets: the clock and every chart.

    Setting the widgets directly, rather than re-rendering the page, spares the renderer a
    walk through the whole page (every control in the sidebar) on every frame.
    """
    with lab.lock:
        options = {name: build() for name, build in figures(lab, window).items()}
        text = heading(lab)
    for name, option in options.items():
        if name in widgets:
            widgets[name].option = option
    if "clock" in widgets:
        widgets["clock"].children = [text]
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
def Live(lab: Lab, window: int, settings: solara.Reactive[int], widgets: dict):
    """The clock, the message and the charts: laid out again after a change, drawn by ``draw`` every frame.

    The clock's text and the charts' options are not element arguments: ``draw`` alone sets
    them, so a later render cannot put back an older frame.
    """
    settings.value  # noqa: B018 -- read to lay out again after a change
    Registered("pacer", Pacer.element(), widgets)
    Registered("clock", solara.v.Html(tag="span", class_="pricelab-clock", style_="font-size: 1.2em; font-weight: 500"),
               widgets)
    if lab.error:
        solara.Error(f"Not applied: {lab.error}. The last valid model keeps running.")
    elif lab.message:
        solara.Info(lab.message)
    with solara.GridFixed(columns=2):
        for name in figures(lab, window):
            Registered(name, Chart.element(), widgets).key(name)
    ScreensPanel(lab).key("screens")
    solara.use_effect(lambda: draw(lab, window, widgets), None)


@solara.component
def Controls(lab: Lab, playing: solara.Reactive[bool], speed: solara.Reactive[int], window: solara.Reactive[int],
             settings: solara.Reactive[int], done: Callable[[], None]):
    """The sidebar, redrawn after every change of the settings (a new scenario has other sellers)."""
    settings.value  # noqa: B018 -- read to redraw after a change
    RunControls(lab, lab.finished, playing, speed, window, done)
    LearningControls(lab, lab.config, playing.value, done)
    ScenarioControls(lab, lab.config, done)
    RuleControls(lab, lab.rules, done)
    for seller in lab.config.sellers:
        SellerControls(lab, seller, done)
    ExportControls(lab, lab.config)


@solara.component
def Page():
    """The market, once the engine is ready; until then, a message that it is being prepared."""
    ready = solara.use_reactive(warmup.ready())

    async def wait():
        while not warmup.ready():
            await asyncio.sleep(POLL_SECONDS)
        ready.set(True)
    solara.lab.use_task(wait, dependencies=[], prefer_threaded=False)
    if ready.value:
        Market()
    else:
        solara.Title("pricelab: live market")
        solara.Info(PREPARING)


@solara.component
def Market():
    lab = solara.use_memo(Lab, [])
    widgets = solara.use_memo(dict, [])
    settings = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(6)
    window = solara.use_reactive(144)

    def done():
        settings.value += 1

    async def play():
        while playing.value and not lab.finished:
            started = time.perf_counter()
            lab.step(speed.value)
            draw(lab, window.value, widgets)
            await wait_for_paint(widgets.get("pacer"), started, FRAME_SECONDS)
        playing.set(False)
        done()

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=False)
    solara.Title("pricelab: live market")
    with solara.Sidebar():
        Controls(lab, playing, speed, window, settings, done)
    Live(lab, window.value, settings, widgets)

"""The live dashboard: watch the repricers, change the rules, compare. ``pricelab dashboard`` serves it.

Each browser session gets its own ``Lab`` (its own ``PricingModel``, and a twin B while rules
are on). Play advances the market ``speed`` ticks per frame through ``PricingModel.step``
and redraws the charts in the browser (ECharts), about ``1 / FRAME_SECONDS`` frames a second.
"""

import asyncio
from collections.abc import Callable
from functools import partial

import numpy as np
import solara
from solara.components.echarts import EchartsWidget

from dashboard import charts
from dashboard.controls import ExportControls, RuleControls, RunControls, ScenarioControls, SellerControls
from dashboard.lab import Lab

FRAME_SECONDS = 0.02
CHART_STYLE = {"style": "height: 270px; width: 100%;"}


def clock(lab: Lab) -> str:
    """``tick 150 of 4320 · d2 01:00``: ticks run, the horizon, and the simulated day and time."""
    return f"tick {lab.tick} of {lab.horizon} · {charts.time_labels(lab.model, np.array([lab.tick]))[0]}"


def figures(lab: Lab, window: int) -> dict[str, Callable[[], dict]]:
    """The charts of one frame by name, as functions giving their options: A's charts, and B's with rules on."""
    model, twin = lab.model, lab.twin
    names = ["price", "delta", "profit", "shares", "featured", "events"]
    builders = {"price": partial(charts.price, model, window, "Prices (A)" if twin else "Prices"),
                "delta": partial(charts.delta, model, window, twin),
                "profit": partial(charts.profit, model, window), "shares": partial(charts.shares, model, window),
                "featured": partial(charts.featured, model, window), "events": partial(charts.events, model, window)}
    if twin is not None:
        names[1:1] = ["price_b", "difference"]
        builders.update(price_b=partial(charts.price, twin, window, "Prices (B: with rules)"),
                        difference=partial(charts.difference, model, twin, window))
    return {name: builders[name] for name in names}


@solara.component
def Chart(lab: Lab, build: Callable[[], dict]):
    """An ECharts figure whose options are set on the widget after each render.

    Handing the options to the widget directly, rather than as an element argument, spares
    the renderer a walk through every number of every series on every frame.
    """
    element = EchartsWidget.element(attributes=CHART_STYLE)

    def update():
        with lab.lock:
            option = build()
        solara.get_widget(element).option = option
    solara.use_effect(update, None)
    return element


@solara.component
def Live(lab: Lab, window: int, frame: solara.Reactive[int]):
    """The part of the page that changes every frame: the clock, the message and the charts."""
    frame.value  # noqa: B018 -- read to redraw on every frame
    solara.Text(f"{lab.config.name} · {clock(lab)}", style={"font-size": "1.2em", "font-weight": "500"},
                classes=["pricelab-clock"])
    if lab.error:
        solara.Error(f"Not applied: {lab.error}. The last valid model keeps running.")
    with solara.GridFixed(columns=2):
        for name, build in figures(lab, window).items():
            Chart(lab, build).key(name)


@solara.component
def Controls(lab: Lab, playing: solara.Reactive[bool], speed: solara.Reactive[int], window: solara.Reactive[int],
             settings: solara.Reactive[int], done: Callable[[], None]):
    """The sidebar, redrawn after every change of the settings (a new scenario has other sellers)."""
    settings.value  # noqa: B018 -- read to redraw after a change
    RunControls(lab, lab.finished, playing, speed, window, done)
    ScenarioControls(lab, lab.config, done)
    RuleControls(lab, lab.rules, done)
    for seller in lab.config.sellers:
        SellerControls(lab, seller, done)
    ExportControls(lab, lab.config)


@solara.component
def Page():
    lab = solara.use_memo(Lab, [])
    frame = solara.use_reactive(0)
    settings = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(6)
    window = solara.use_reactive(144)

    def done():
        settings.value += 1
        frame.value += 1

    async def play():
        while playing.value and not lab.finished:
            lab.step(speed.value)
            frame.value += 1
            await asyncio.sleep(FRAME_SECONDS)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=False)
    solara.Title("pricelab: live market")
    with solara.Sidebar():
        Controls(lab, playing, speed, window, settings, done)
    Live(lab, window.value, frame)

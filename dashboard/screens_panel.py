"""The collusion screens' current scores for the running market: a self-contained card for the page.

The card reads market A's recorded prices through ``market.results`` (the same panel a user's
file gives ``pricelab screen``), scores the last ``WINDOW`` ticks every ``REFRESH_SECONDS``,
and, where the shipped calibration exists (``experiments/reports/screens``), says which screens
would flag the market at their 5% false-positive threshold.
"""

import asyncio
import math
from pathlib import Path

import polars as pl
import solara

from experiments.screens import apply, catalog
from experiments.screens.panel import MIN_POINTS, PanelError, panel_from_frame
from experiments.screens.report import CAVEAT
from market import results
from market.model import PricingModel

WINDOW = 2016
REFRESH_SECONDS = 2.0
SHIPPED_CALIBRATION = Path(__file__).resolve().parents[1] / "experiments" / "reports" / "screens"


def shipped_calibration() -> dict | None:
    """The calibration committed with the project, or None if it is not there."""
    try:
        return apply.load_calibration(SHIPPED_CALIBRATION)
    except ValueError:
        return None


def market_frame(model: PricingModel) -> pl.DataFrame:
    """The last ``WINDOW`` recorded ticks of ``model`` as a panel frame, with costs and Nash prices."""
    series = results.timeseries(model.state, model.config).select("tick", "seller", "price")
    series = series.filter(pl.col("tick") > pl.col("tick").max() - WINDOW)
    sellers = results.sellers(model.state, model.config).select("seller", "cost", "nash_price")
    return series.join(sellers, on="seller", how="left", maintain_order="left")


def scores_markdown(frame: pl.DataFrame, calibration: dict | None) -> str:
    """A Markdown table of the screens' scores (and flags, against ``calibration``) for the panel in ``frame``."""
    if frame["tick"].n_unique() < MIN_POINTS:
        return f"The screens need at least {MIN_POINTS} recorded ticks: press Step or Play."
    try:
        panel = panel_from_frame(frame, where="market A")
    except PanelError as err:
        return f"Not screened: {err}"
    scores = catalog.score(panel)
    flags = apply.flags(scores, calibration) if calibration else {}
    lines = [f"Last {panel.n_times:,} ticks of A.", "", "| screen | score | flags? |", "|---|---:|---|"]
    for name in (*scores, *(n for n in flags if n not in scores)):
        score = flags[name]["score"] if name in flags else scores[name]
        flagged = flags.get(name, {}).get("flagged")
        verdict = "-" if not flags or flagged is None else "**yes**" if flagged else "no"
        lines.append(f"| {name} | {'n/a' if math.isnan(score) else f'{score:.4g}'} | {verdict} |")
    if flags:
        lines += ["", f"Flags at the 5% false-positive thresholds of {calibration['markets']} simulated markets. "
                      f"{CAVEAT}"]
    return "\n".join(lines)


@solara.component
def ScreensPanel(lab):
    """The card: scores of market A, refreshed every ``REFRESH_SECONDS`` while the page is open."""
    text = solara.use_reactive("Screening...")
    calibration = solara.use_memo(shipped_calibration, [])

    async def refresh():
        while True:
            with lab.lock:
                frame = market_frame(lab.model)
            text.set(scores_markdown(frame, calibration))
            await asyncio.sleep(REFRESH_SECONDS)

    solara.lab.use_task(refresh, dependencies=[lab], prefer_threaded=False)
    with solara.Card("Collusion screens", margin=0):
        solara.Markdown(text.value)

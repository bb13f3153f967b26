"""The collusion screens' current scores for the running market: a self-contained card for the page.

The card reads market A's recorded prices through ``market.results`` (the same panel a user's
file gives ``pricelab screen``), scores the last ``WINDOW`` ticks every ``REFRESH_SECONDS``,
and, where the shipped calibration exists (``experiments/reports/screens``), says which screens
would flag the market at their false-positive threshold, which are inert there, and where the market
lies outside what the calibration covered. Each row names its screen in words (``TITLES``), gives
its score to three decimals (``score_text``) and says in a sentence what the screen looks at.
"""

import asyncio
import math

import polars as pl
import solara

from market import results
from market.errors import PanelError
from market.model import PricingModel
from market.observed.grid import MIN_POINTS, panel_from_frame
from market.screens import apply, catalog
from market.screens.apply import CAVEAT

COMBINED = {"combined": "All the screens weighed together by a logistic regression fitted on the simulated markets.",
            "combined_prices_only": "The screens that need prices only, weighed together: what a case team with "
                                    "scraped prices has."}

TITLES = {"variance": "Price variance", "cv": "Coefficient of variation", "change_frequency": "How often prices change",
          "change_size": "Size of price changes", "parallelism": "Prices moving together",
          "lead_follow": "Leader and follower", "asymmetry": "Rises followed more than cuts",
          "edgeworth": "Edgeworth cycle", "markup_over_nash": "Markup over Nash", "lerner": "Lerner index",
          "structural_break": "A break in the price level", "combined": "All screens combined",
          "combined_prices_only": "Price-only screens combined"}
WINDOW = 2016
REFRESH_SECONDS = 2.0


def shipped_calibration() -> dict | None:
    """The calibration committed with the project, or None if it is not there."""
    try:
        return apply.load_calibration(apply.SHIPPED_CALIBRATION)
    except ValueError:
        return None


def market_frame(model: PricingModel) -> pl.DataFrame:
    """The last ``WINDOW`` recorded ticks of ``model`` as a panel frame, with costs and Nash prices."""
    series = results.timeseries(model.state, model.config).select("tick", "seller", "price")
    series = series.filter(pl.col("tick") > pl.col("tick").max() - WINDOW)
    sellers = results.sellers(model.state, model.config).select("seller", "cost", "nash_price")
    return series.join(sellers, on="seller", how="left", maintain_order="left")


def title(name: str) -> str:
    """A screen's name in words (``Price variance`` for ``variance``); a screen without a title, its name spaced."""
    return TITLES.get(name, name.replace("_", " ").capitalize())


def score_text(score: float) -> str:
    """A score as a reader takes it in: three decimals (``0.000`` for a variance of 3.4e-30), thousands
    separated above 1,000, ``n/a`` where the screen has nothing to score."""
    if math.isnan(score):
        return "n/a"
    if math.isinf(score):
        return "infinite" if score > 0 else "minus infinite"
    text = f"{score:,.0f}" if abs(score) >= 1000 else f"{score:.3f}"
    return "0.000" if text == "-0.000" else text


def scores_table(frame: pl.DataFrame, calibration: dict | None) -> tuple[str, list[tuple[str, str, str, str]]]:
    """A heading and one row per screen (name, score, whether the calibration flags it: YES, no, inert or -, and
    what it looks at) for the panel in ``frame``."""
    if frame["tick"].n_unique() < MIN_POINTS:
        return f"The screens need at least {MIN_POINTS} recorded ticks: press Step or Play.", []
    try:
        panel = panel_from_frame(frame, where="market A")
    except PanelError as err:
        return f"Not screened: {err}", []
    scores = catalog.score(panel)
    flags = apply.flags(scores, calibration) if calibration else {}
    rows = [("screen", "score", "flags?" if flags else "", "what it looks at")]
    for name in (*scores, *(n for n in flags if n not in scores)):
        score = flags[name]["score"] if name in flags else scores[name]
        verdict = "" if not flags else "-" if flags[name]["status"] == "n/a" else flags[name]["status"]
        sentence = catalog.BY_NAME[name].sentence if name in catalog.BY_NAME else COMBINED[name]
        rows.append((title(name), score_text(score), verdict, sentence))
    heading = f"Last {panel.n_times:,} ticks of A."
    if flags:
        heading += (f" Flags at the false-positive thresholds of {calibration['markets']} simulated markets (inert: "
                    f"the threshold leaves nothing to flag). {CAVEAT}")
        outside = apply.coverage_warnings(panel, scores, calibration)
        if outside:
            heading += f" Outside what the calibration covered: {'; '.join(outside)}."
    return heading, rows


@solara.component
def ScreensPanel(lab):
    """The card: scores of market A, refreshed every ``REFRESH_SECONDS`` while the page is open."""
    table = solara.use_reactive(("Screening...", []))
    calibration = solara.use_memo(shipped_calibration, [])

    async def refresh():
        while True:
            with lab.lock:
                frame = market_frame(lab.model)
            table.set(scores_table(frame, calibration))
            await asyncio.sleep(REFRESH_SECONDS)

    solara.lab.use_task(refresh, dependencies=[lab], prefer_threaded=False)
    heading, rows = table.value
    with solara.Card("Collusion screens", margin=0):
        solara.Text(heading, classes=["pricelab-screens-note"], style={"font-size": "0.85em"})
        cells = [solara.v.Html(tag="tr", children=[solara.v.Html(tag="th" if k == 0 else "td", children=[cell],
                                                                 style_="padding: 0 12px 0 0")
                                                    for cell in row]) for k, row in enumerate(rows)]
        solara.v.Html(tag="table", class_="pricelab-screens", children=cells)

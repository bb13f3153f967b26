"""Teaching material on the page: a short glossary and the worksheet of the scenario on show.

The glossary says in a sentence each what Nash, monopoly, Delta and the Buy Box are, and what each
collusion screen looks at (its sentence from ``market.screens.catalog``). The worksheets are
Markdown files beside the scenarios (``experiments/configs/worksheets/<scenario>.md``): questions
for a class, each saying where on the page to read the answer as ``[[place]]``, a name from
``PLACES``. The page shows the worksheet of the scenario on show and offers it as a download;
``tests/dashboard/test_glossary.py`` checks that every place a worksheet names is on the page.
"""

import html
import re
from pathlib import Path

import markdown
import solara

from dashboard.screens_panel import title
from market.screens import catalog

WORKSHEETS = Path(__file__).resolve().parents[1] / "experiments" / "configs" / "worksheets"
PLACE = re.compile(r"\[\[([^\]]+)\]\]")
TERMS = {
    "Nash price": "The price each seller would charge if it simply did its best against the others' prices, in a "
                  "one-shot game: the competitive benchmark (the green band on the Prices chart).",
    "Monopoly price": "The price that maximises the sellers' joint profit, as if one firm owned them all: what a "
                      "perfect cartel would charge (the red band).",
    "Delta": "Calvano's profit gain: the sellers' profit scaled so that 0 is the Nash profit and 1 the joint-"
             "monopoly profit; above 0 the algorithms earn more than competition would give them.",
    "Buy Box": "The featured offer on the platform: most shoppers who buy there take it, and the platform's rule "
               "decides which seller's offer wins it.",
    "Run B": "The same market and seed as A with the rules you switch on, run in lockstep beside A, so that any "
             "difference is the rule's.",
    "Period": "In a repeated game (Calvano, Klein) one round of play in which the sellers set prices; on the clock, "
              "a tick of 10 minutes.",
}
# Where on the page a worksheet may send a reader: place -> ("chart", a chart's name in dashboard.charts) or
# ("control", the label of a button, field, switch or select on the page) or ("card", a card's title).
PLACES = {
    "Prices chart": ("chart", "price"), "Delta chart": ("chart", "delta"), "B minus A chart": ("chart", "difference"),
    "Learning chart": ("chart", "learning"), "Deviation zoom": ("chart", "deviation"),
    "Profit chart": ("chart", "profit"), "Market shares chart": ("chart", "shares"),
    "Buy Box chart": ("chart", "featured"), "Price changes chart": ("chart", "events"),
    "clock": ("control", "clock"), "Step": ("control", "Step"), "Play": ("control", "Play"),
    "Reset": ("control", "Reset"), "watch them learn from scratch": ("control", "watch them learn from scratch"),
    "Force a deviation": ("control", "Force a deviation"), "deviation price": ("control", "deviation price"),
    "search rules": ("control", "search rules"), "once a day": ("control", "once a day"),
    "neutral buybox": ("control", "neutral buybox"), "CSV": ("control", "CSV"),
    "Collusion screens": ("card", "Collusion screens"), "Glossary": ("card", "Glossary"),
}


def worksheet(scenario: str) -> str | None:
    """The Markdown worksheet shipped for ``scenario``, or None."""
    path = WORKSHEETS / f"{scenario}.md"
    return path.read_text() if path.is_file() else None


def places(text: str) -> list[str]:
    """The page places a worksheet names (``[[Prices chart]]``), in order."""
    return PLACE.findall(text)


def shown(text: str) -> str:
    """A worksheet as the page shows it: places in bold instead of in brackets."""
    return PLACE.sub(lambda m: f"**{m[1]}**", text)


def as_html(text: str) -> str:
    """A shipped worksheet's Markdown as HTML, rendered on the server (solara's Markdown component would fetch a
    script from a CDN, which an offline classroom cannot reach)."""
    return markdown.markdown(shown(text))


def entries() -> dict[str, str]:
    """The glossary: the terms, then each collusion screen in its sentence."""
    return {**TERMS, **{f"Screen: {title(s.name)}": s.sentence for s in catalog.SCREENS}}


@solara.component
def Teaching(scenario: str):
    """The glossary and the scenario's worksheet (shown, and as a download), below the charts."""
    with solara.Card("Glossary", margin=0, classes=["pricelab-glossary"]):
        with solara.Details(summary="Nash, monopoly, Delta, the Buy Box and the collusion screens, in a sentence each",
                            expand=False):
            for term, sentence in entries().items():
                solara.HTML(tag="p", unsafe_innerHTML=f"<b>{html.escape(term)}.</b> {html.escape(sentence)}",
                            style="margin: 2px 0; font-size: 0.9em")
    text = worksheet(scenario)
    if text is None:
        return
    with solara.Card(f"Worksheet: {scenario}", margin=0, classes=["pricelab-worksheet"]):
        button = solara.Button("Worksheet (Markdown)", icon_name="mdi-download", small=True, outlined=True)
        solara.FileDownload(text.encode(), filename=f"pricelab_worksheet_{scenario}.md", children=[button])
        with solara.Details(summary="The questions, and where on this page to read each answer", expand=False):
            solara.HTML(tag="div", unsafe_innerHTML=as_html(text), classes=["pricelab-worksheet-text"])

"""The server's open rooms, and the hook that redraws a page when its room changes.

Every page of one server process reads the same ``ROOMS`` (``market.classroom.rooms``): that is the
room's server-side state. A page redraws when the room's ``version`` moves (a price in, a round
run, a student joined, a rule on, the room closed): ``use_room_version`` checks it every
``POLL_SECONDS`` in the page's own event loop, which costs one integer comparison, until the room is
closed and its last state shown.
"""

import asyncio
import html
import os
import re

import solara

from market.classroom.room import Room
from market.classroom.rooms import Rooms

ROOMS = Rooms()
POLL_SECONDS = 0.1
CSS = """
.classroom-page { max-width: 1100px; margin: 0 auto; padding: 12px 16px; }
.classroom-room-code { font-size: 2em; font-weight: 600; letter-spacing: 0.08em; margin-right: 24px; }
.classroom-link { font-size: 1.1em; color: #1565c0; }
.classroom-title { font-size: 1.5em; font-weight: 500; display: block; }
.classroom-period { font-size: 1.1em; display: block; margin-bottom: 4px; }
.classroom-page table { border-collapse: collapse; margin: 0 0 12px 0; }
.classroom-page th, .classroom-page td { border: 1px solid #ddd; padding: 3px 10px; text-align: right; }
.classroom-page th:first-child, .classroom-page td:first-child { text-align: left; }
"""
NEGATIVE_ZERO = re.compile(r"-0(\.0*)?%?")
URL_VAR = "PRICELAB_CLASSROOM_URL"  # set by ``pricelab classroom``: the address students open


def base_url() -> str:
    """The server's address as students reach it (without a trailing slash)."""
    return os.environ.get(URL_VAR, "http://127.0.0.1:8766").rstrip("/")


def use_room_version(room: Room | None) -> int:
    """The room's version, kept current: the calling component redraws whenever it changes."""
    version = solara.use_reactive(room.version if room is not None else 0)

    async def watch():
        while room is not None:
            if room.version != version.value:
                version.set(room.version)
            elif room.closed:
                return  # a closed room changes no more
            await asyncio.sleep(POLL_SECONDS)

    solara.lab.use_task(watch, dependencies=[room], prefer_threaded=False)
    return version.value


def html_table(rows: list[dict], columns: dict[str, str], formats: dict[str, str] | None = None) -> str:
    """An HTML table of ``rows`` with ``columns`` (key -> heading), numbers formatted by ``formats``, text escaped."""
    formats = formats or {}

    def cell(row, key):
        value = row.get(key)
        if value is None or (isinstance(value, float) and value != value):
            return "-"
        text = format(value, formats[key]) if key in formats else str(value)
        return html.escape(text[1:] if NEGATIVE_ZERO.fullmatch(text) else text)  # -0.004 shows as 0.00

    head = "".join(f"<th>{html.escape(title)}</th>" for title in columns.values())
    body = "".join("<tr>" + "".join(f"<td>{cell(r, k)}</td>" for k in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@solara.component
def Table(rows: list[dict], columns: dict[str, str], name: str, formats: dict[str, str] | None = None):
    """``html_table`` in a box of class ``name`` (tests and styles find it by that class)."""
    solara.HTML(tag="div", unsafe_innerHTML=html_table(rows, columns, formats), classes=[name])


@solara.component
def Heading(title: str, note: str = ""):
    """A bold title and a note in plain text."""
    with solara.Div(style={"margin": "10px 0 4px"}):
        solara.Text(title, style={"font-weight": "600"})
        solara.Text(f" {note}" if note else "", style={"color": "#555"})


@solara.component
def Styled(children=()):
    """The classroom's pages in their style: a centred column, tables with rules (``CSS``)."""
    solara.Style(CSS)
    solara.Div(classes=["classroom-page"], children=list(children))

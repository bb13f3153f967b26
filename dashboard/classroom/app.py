"""The classroom server's pages, by address: ``pricelab classroom`` serves this module.

* ``/`` and ``/teacher``: the teacher opens a room (``/teacher?key=...`` is the open room);
* ``/join``: a student joins with the room's code and a name;
* ``/play?code=...&seat=...``: the student's seat (a reload comes back to it);
* ``/solo``: one person against the algorithms, without a teacher.

One server process holds every room (``dashboard.classroom.live.ROOMS``).
"""

import solara
import solara.server.settings

from dashboard.classroom.solo import SoloPage
from dashboard.classroom.student import JoinPage, PlayPage
from dashboard.classroom.teacher import TeacherPage

TITLE = "pricelab: classroom"
CSS = """
.classroom-page { max-width: 1100px; margin: 0 auto; padding: 12px 16px; }
.classroom-room-code { font-size: 2em; font-weight: 600; letter-spacing: 0.08em; margin-right: 24px; }
.classroom-link { font-size: 1.1em; color: #1565c0; }
.classroom-title { font-size: 1.5em; font-weight: 500; display: block; }
.classroom-period { font-size: 1.1em; display: block; margin-bottom: 4px; }
.classroom-page table { margin-left: 0; }
.classroom-page table { border-collapse: collapse; margin-bottom: 12px; }
.classroom-page th, .classroom-page td { border: 1px solid #ddd; padding: 3px 10px; text-align: right; }
.classroom-page th:first-child, .classroom-page td:first-child { text-align: left; }
"""
solara.server.settings.theme.show_banner = False




@solara.component
def Layout(children=()):
    """Every page: the title, the style and the page itself (no navigation bar: each person sees only theirs)."""
    solara.Title(TITLE)
    solara.Style(CSS)
    solara.Div(classes=["classroom-page"], children=list(children))


# The root route's layout wraps its siblings too (solara.autorouting): every page gets ``Layout``.
routes = [solara.Route(path="/", component=TeacherPage, layout=Layout),
          solara.Route(path="teacher", component=TeacherPage), solara.Route(path="join", component=JoinPage),
          solara.Route(path="play", component=PlayPage), solara.Route(path="solo", component=SoloPage)]

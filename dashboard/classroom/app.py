"""The classroom server's pages, by address: ``pricelab classroom`` serves this module.

* ``/`` and ``/teacher``: the teacher opens a room (``/teacher?key=...`` is the open room);
* ``/join``: a student joins with the room's code and a name;
* ``/play?code=...&seat=...``: the student's seat (a reload comes back to it);
* ``/solo``: one person against the algorithms, without a teacher.

One server process holds every room (``dashboard.classroom.live.ROOMS``).
"""

import solara
import solara.server.settings

from dashboard.classroom.live import Styled
from dashboard.classroom.solo import SoloPage
from dashboard.classroom.student import JoinPage, PlayPage
from dashboard.classroom.teacher import TeacherPage

TITLE = "pricelab: classroom"
solara.server.settings.theme.show_banner = False


@solara.component
def Layout(children=()):
    """Every page: the title and the classroom's style (no navigation bar: each person sees only their page)."""
    solara.Title(TITLE)
    Styled(children=children)


# The root route's layout wraps its siblings too (solara.autorouting): every page gets ``Layout``.
routes = [solara.Route(path="/", component=TeacherPage, layout=Layout),
          solara.Route(path="teacher", component=TeacherPage), solara.Route(path="join", component=JoinPage),
          solara.Route(path="play", component=PlayPage), solara.Route(path="solo", component=SoloPage)]

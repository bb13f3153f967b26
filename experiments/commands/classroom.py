"""Start the classroom server: a teacher's room and the students' seats (``dashboard/classroom/app.py``).

One Solara server process serves the teacher's page (``/``), the students' join page (``/join``),
their seats (``/play``) and solo play (``/solo``), and holds every room's state. Like ``pricelab
dashboard`` it binds to 127.0.0.1 unless ``--host`` says otherwise (then with the same warning),
and serves Solara's front-end files from the local assets folder, so a classroom without
internet works. ``--scenario`` is the scenario the teacher's form proposes.
"""

from experiments import flags
from experiments.commands.dashboard import (
    ROOT,
    WARM_UP_VAR,
    serve,
    server_command,
    server_env,
    warn_beyond_loopback,
)
from experiments.errors import UsageError

NAME = "classroom"
HELP = "start the classroom server: students price sellers against the algorithms"
APP = ROOT / "dashboard" / "classroom" / "app.py"
URL_VAR = "PRICELAB_CLASSROOM_URL"  # read by dashboard.classroom.live (experiments imports nothing from dashboard)
SCENARIO_VAR = "PRICELAB_CLASSROOM_SCENARIO"  # read by dashboard.classroom.teacher


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=flags.port, default=8766, help="port to listen on (default: 8766)")
    parser.add_argument("--scenario", default="calvano2020",
                        help="the scenario the teacher's form proposes (a shipped name; default: calvano2020)")


def main(args) -> int:
    from market import catalog
    names = catalog.scenario_names()
    if args.scenario not in names:
        raise UsageError(f"--scenario {args.scenario}: not a shipped scenario; choose one of {', '.join(names)}")
    warn_beyond_loopback(NAME, args.host)
    env = server_env()
    env.pop(WARM_UP_VAR, None)
    env[URL_VAR] = f"http://{args.host}:{args.port}"
    env[SCENARIO_VAR] = args.scenario
    return serve(NAME, args.host, args.port, server_command(args.host, args.port, APP), env)

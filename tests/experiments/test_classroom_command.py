"""``pricelab classroom``: a loopback server for the classroom's pages, the dashboard's warning beyond loopback, and
one line with status 2 for an unknown scenario."""

import sys

import pytest

from experiments.cli import build_parser, main
from experiments.commands import classroom


def test_the_server_serves_the_classroom_pages_on_loopback():
    args = build_parser().parse_args(["classroom"])
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", 8766, "calvano2020")
    command = classroom.server_command(args.host, args.port, classroom.APP)
    assert command[:4] == [sys.executable, "-m", "solara", "run"]
    assert command[4].endswith("dashboard/classroom/app.py") and command[command.index("--host") + 1] == "127.0.0.1"


def test_an_unknown_scenario_is_one_line_and_status_2(capsys):
    assert main(["classroom", "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--scenario nope: not a shipped scenario; choose one of" in err


def test_the_classroom_warns_beyond_loopback(monkeypatch, capsys):
    monkeypatch.setattr(classroom, "server_env", lambda: (_ for _ in ()).throw(SystemExit(0)))
    with pytest.raises(SystemExit):
        main(["classroom", "--host", "0.0.0.0"])
    assert "pricelab classroom: warning: --host 0.0.0.0" in capsys.readouterr().err

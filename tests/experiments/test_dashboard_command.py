"""``pricelab dashboard``: a loopback server by default, local assets, a clear error for a bad port."""

import sys

from experiments.cli import build_parser, main
from experiments.commands import dashboard


def test_the_server_binds_loopback_unless_told_otherwise():
    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    command = dashboard.server_command(args.host, args.port)
    assert command[:4] == [sys.executable, "-m", "solara", "run"]
    assert command[command.index("--host") + 1] == "127.0.0.1" and "--no-open" in command
    assert command[4].endswith("dashboard/app.py")


def test_assets_come_from_the_local_folder_and_reporting_is_off(monkeypatch, tmp_path):
    monkeypatch.delenv(dashboard.ASSETS_VAR, raising=False)
    env = dashboard.server_env()
    assert env[dashboard.ASSETS_VAR].endswith(".solara-assets")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    monkeypatch.setenv(dashboard.ASSETS_VAR, str(tmp_path))
    assert dashboard.server_env()[dashboard.ASSETS_VAR] == str(tmp_path)


def test_a_bad_port_is_one_line_and_status_2(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == ("pricelab: error: pricelab dashboard: argument --port: 70000: must be a "
                                               "port from 1 to 65535 (see pricelab dashboard --help)")

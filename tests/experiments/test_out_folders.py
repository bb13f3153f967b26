"""A user's files are never lost: ``--out`` into a folder pricelab did not write is refused for every command that
writes one (``experiments.atomic``), a results folder is replaced only while it holds nothing but what pricelab
wrote, and no name taken from input leads outside the results folder."""

from pathlib import Path

import pytest

from experiments.atomic import MARKER, safe_name
from experiments.cli import main

SWEEP = """name = "tiny"
base = "amazon_10min"
seeds = [1]
[set]
horizon = 12
[grid]
"sellers.platform.period" = [1, 6]
"""


def users_folder(tmp_path: Path) -> tuple[Path, dict[Path, bytes]]:
    """A folder of the user's own: a thesis and a raw data file; with their contents."""
    mine = tmp_path / "mine"
    (mine / "data").mkdir(parents=True)
    files = {mine / "thesis.tex": b"\\documentclass{article}\n", mine / "data" / "raw.csv": b"a,b\n1,2\n"}
    for path, data in files.items():
        path.write_bytes(data)
    return mine, files


def untouched(mine: Path, files: dict[Path, bytes]) -> None:
    assert sorted(p for p in mine.rglob("*") if p.is_file()) == sorted(files)
    assert all(path.read_bytes() == data for path, data in files.items())


def commands(tmp_path: Path, out: Path) -> dict[str, list[str]]:
    spec = tmp_path / "tiny.toml"
    spec.write_text(SWEEP)
    return {
        "run": ["run", "amazon_10min", "--horizon", "12", "--out", str(out)],
        "compare": ["compare", "amazon_10min", "--intervention", "once_a_day", "--seeds", "2", "--horizon", "12",
                    "--out", str(out)],
        "replicate": ["replicate", "calvano2020", "--sessions", "1", "--out", str(out)],
        "sweep": ["sweep", str(spec), "--out", str(out)],
        "screen": ["screen", "--calibrate", "--markets", "44", "--workers", "1", "--out", str(out)],
    }


@pytest.mark.parametrize("command", ["run", "compare", "replicate", "sweep", "screen"])
def test_a_folder_of_the_users_own_is_refused_and_untouched(command, tmp_path, capsys):
    mine, files = users_folder(tmp_path)
    assert main(commands(tmp_path, mine)[command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pricelab: error: --out ") and err.count("\n") == 1, err
    assert "not" in err and ("pricelab did not write" in err or "not a sweep folder" in err), err
    untouched(mine, files)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["mine", "tiny.toml"])


def test_a_results_folder_is_replaced_but_not_once_the_user_added_a_file(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["run", "amazon_10min", "--horizon", "12", "--out", str(out)]
    assert main(argv) == 0
    written = set((out / MARKER).read_text().split())
    assert {"timeseries.parquet", "summary.parquet", "scenario.toml"} <= written
    assert main(argv) == 0, "a folder pricelab wrote is replaced"
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "'notes.txt', which pricelab did not write" in err, err
    assert (out / "notes.txt").read_text() == "mine"
    (out / "notes.txt").unlink()
    (out / "sub").mkdir()
    assert main(argv) == 2, "an empty folder the user made counts as theirs"


def test_an_empty_folder_and_dot(tmp_path, capsys, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["run", "amazon_10min", "--horizon", "12", "--out", str(empty)]) == 0
    assert (empty / "summary.parquet").is_file()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thesis.tex").write_text("x")
    capsys.readouterr()
    assert main(["run", "amazon_10min", "--horizon", "12", "--out", "."]) == 2
    assert "holds files pricelab did not write" in capsys.readouterr().err
    assert (tmp_path / "thesis.tex").read_text() == "x"


@pytest.mark.parametrize("name", ["../../../victim", "../../x", "/tmp/x", ".hidden", "a/../../b"])
def test_an_intervention_named_like_a_path_writes_inside_results(name, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep")
    monkeypatch.chdir(work)
    rule = work / "x.toml"
    rule.write_text(f'[[interventions]]\nkind = "min_lag"\nticks = 6\nname = {name!r}\n'.replace("'", '"'))
    assert main(["compare", "amazon_10min", "--intervention", str(rule), "--seeds", "2", "--horizon", "12"]) == 0
    made = [p for p in (work / "results").iterdir()]
    assert len(made) == 1 and made[0].name.startswith("compare_amazon_10min_") and made[0].parent == work / "results"
    assert (victim / "precious.txt").read_text() == "keep" and sorted(victim.iterdir()) == [victim / "precious.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim", "work"]


@pytest.mark.parametrize("text, expected", [("../../x", "_.._x"), ("a/b", "a_b"), ("..", "_"), ("ok-1+2", "ok-1+2"),
                                            ("é\x00", "__")])
def test_safe_name_is_one_path_component(text, expected):
    name = safe_name(text)
    assert name == expected and "/" not in name and not name.startswith(".")


@pytest.mark.slow  # a subprocess that loads the engine
def test_ctrl_c_stops_a_long_run_between_chunks_and_leaves_the_old_results(tmp_path):
    """A run of a billion ticks shows its progress with the time left and stops cleanly on Ctrl-C (SIGINT):
    exit 130, the old results as they were, no temporary folder left."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    assert main(["run", "amazon_10min", "--horizon", "12", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    command = [sys.executable, "-m", "experiments.cli", "run", "amazon_10min", "--horizon", "1000000000",
               "--out", str(out)]
    with open(tmp_path / "scenario.toml", "w") as handle:  # a stride that keeps the records small
        handle.write((out / "scenario.toml").read_text().replace("record_stride = ", "record_stride = 100000 #"))
    command[4] = str(tmp_path / "scenario.toml")
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    deadline = time.monotonic() + 600
    while not list(tmp_path.glob(".out.*.tmp")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    lines = [process.stderr.readline() for _ in range(2)]  # progress lines, every 5 s; the first may come before
    assert "ticks in" in lines[0] and "left" in lines[1], lines  # any chunk is done (a busy machine), not the second
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    assert "interrupted" in process.stderr.read()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".out.*"))

"""Hostile input, case by case (issue 14's examples): one line and exit 2 (or a correct run), quickly, with no folder
or temporary file left behind."""

import json
import os
from pathlib import Path

import pytest

from experiments.cli import main
from market import catalog

AMAZON = catalog.resolve("amazon_10min").read_text()


def refused(argv: list[str], capsys, message: str, out: Path | None = None) -> str:
    """Run ``argv``: exit 2, one line on stderr containing ``message``, ``out`` not created (no wall-clock bound:
    a loaded machine can be slow; a hang would stop the suite)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pricelab: error: ") and err.count("\n") == 1 and message in err, err
    if out is not None:
        assert not out.exists() and not list(out.parent.glob(f".{out.name}.*"))
    return err


def scenario(tmp_path: Path, old: str, new: str) -> str:
    assert old in AMAZON
    path = tmp_path / "bad.toml"
    path.write_text(AMAZON.replace(old, new, 1))
    return str(path)


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01\x02\xff\xfe binary", "not UTF-8 text (byte 0xff at offset 3)"),
    ("name = \"café\"\n".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 11)"),
])
def test_files_that_are_not_text(data, message, tmp_path, capsys):
    path = tmp_path / "odd.toml"
    path.write_bytes(data)
    out = tmp_path / "out"
    refused(["run", str(path), "--out", str(out)], capsys, message, out)
    refused(["compare", "amazon_10min", "--intervention", str(path), "--out", str(out)], capsys, message, out)


def test_a_folder_a_deep_array_and_a_huge_file(tmp_path, capsys):
    out = tmp_path / "out"
    refused(["run", str(tmp_path), "--out", str(out)], capsys, "is a folder; need a file", out)
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    refused(["run", str(deep), "--out", str(out)], capsys, "nested more than 100 levels deep", out)
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (17 * 2**20) + "\n")
    refused(["run", str(big), "--out", str(out)], capsys, "a scenario file is at most", out)


@pytest.mark.parametrize("old, new, message", [
    ("horizon = 4320", "horizon = 1000000000", "need"),
    ("cost = 1.0", "cost = 1e308", "less than or equal to 1000000"),
    ("period = 6", "period = 99999999999999999999999", "less than or equal to 1000000000000"),
    ("horizon = 4320", "horizon = true", "horizon = True: Input should be a valid integer"),
    ("shoppers_per_tick = 100.0", "shoppers_per_tick = 1e19", "less than or equal to 1000000000"),
    ('name = "amazon_10min"', 'name = "../../x"', "name = '../../x': String should match pattern"),
    ("period = 6", "period = 6.5", "period = 6.5: Input should be a valid integer"),
])
def test_scenario_values_the_engine_cannot_run(old, new, message, tmp_path, capsys):
    out = tmp_path / "out"
    err = refused(["run", scenario(tmp_path, old, new), "--out", str(out)], capsys, message, out)
    if new == "horizon = 1000000000":
        assert "raise record_stride to at least" in err and "GiB" in err


def test_counts_beyond_memory_are_refused_before_work(tmp_path, capsys):
    out = tmp_path / "out"
    refused(["compare", "amazon_10min", "--intervention", "once_a_day", "--seeds", "1000000000000", "--out", str(out)],
            capsys, "--seeds 1,000,000,000,000: the seeds' results need", out)
    refused(["replicate", "calvano2020", "--sessions", "1000000000000", "--out", str(out)], capsys,
            "--sessions 1,000,000,000,000", out)
    refused(["run", "amazon_10min", "--max-memory", "1MiB", "--out", str(out)], capsys, "the budget is 1.0 MiB", out)


@pytest.mark.parametrize("flags, message", [
    (["--seed", "-1"], "argument --seed: -1: must be in [0, 2**63)"),
    (["--xi", "nan"], "argument --xi: must be a finite number, not 'nan'"),
    (["--alpha", "inf"], "argument --alpha: must be a finite number, not 'inf'"),
    (["--sessions", "x"], "argument --sessions: must be a whole number, not 'x'"),
])
def test_replicate_flags(flags, message, tmp_path, capsys):
    out = tmp_path / "out"
    refused(["replicate", "calvano2020", *flags, "--out", str(out)], capsys, message, out)


def test_argparse_errors_are_one_line(capsys):
    refused(["run", "--horizon"], capsys, "argument --horizon: expected one argument")
    refused(["frobnicate"], capsys, "invalid choice: 'frobnicate'")
    refused([], capsys, "the following arguments are required: COMMAND")


def test_an_intervention_file_of_the_wrong_shape(tmp_path, capsys):
    rules = tmp_path / "rules.toml"
    rules.write_text("interventions = 5\n")
    out = tmp_path / "out"
    refused(["compare", "amazon_10min", "--intervention", str(rules), "--out", str(out)], capsys,
            "interventions = 5: must be a non-empty array of tables", out)


@pytest.mark.parametrize("text, message", [("{not json", "invalid JSON"), ("{}", "damaged (missing spec_hash"),
                                           ("[1, 2]", "must hold a table of fields, not a list")])
def test_a_damaged_manifest(text, message, tmp_path, capsys):
    folder = tmp_path / "sweep"
    (folder / "runs").mkdir(parents=True)
    (folder / "manifest.json").write_text(text)
    for command in ("status", "report", "results"):
        refused([command, str(folder)], capsys, message)


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"),
                                   OSError("No space left on device (os error 28)")])
def test_a_failed_write_reports_the_path_and_leaves_the_old_results(error, tmp_path, capsys, monkeypatch):
    import polars as pl

    out = tmp_path / "out"
    assert main(["run", "amazon_10min", "--horizon", "20", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full_disk(self, file, **kwargs):
        Path(file).write_bytes(b"PAR1 half a file")
        raise error

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full_disk)
    capsys.readouterr()
    assert main(["run", "amazon_10min", "--horizon", "30", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "timeseries.parquet'" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old results, whole
    assert not [p for p in tmp_path.rglob("*") if ".tmp" in p.name]


def test_an_unexpected_error_is_one_line_and_a_log(tmp_path, capsys, monkeypatch):
    from market import engine

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine, "advance", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    assert main(["run", "amazon_10min", "--horizon", "20", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: boom" in err and "pricelab-error.log" in err
    assert "Traceback" in (tmp_path / "pricelab-error.log").read_text()
    assert not (tmp_path / "out").exists()
    with pytest.raises(RuntimeError, match="boom"):
        main(["run", "amazon_10min", "--horizon", "20", "--out", str(tmp_path / "out"), "--debug"])


def test_the_dashboard_warns_beyond_loopback(monkeypatch, capsys):
    from experiments.commands import dashboard

    monkeypatch.setattr(dashboard, "server_env", lambda: (_ for _ in ()).throw(SystemExit(0)))
    with pytest.raises(SystemExit):
        main(["dashboard", "--host", "0.0.0.0"])
    assert "no authentication" in capsys.readouterr().err


def test_json_manifest_written_by_a_sweep_reads_back(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "s"\nbase = "amazon_10min"\n[set]\nhorizon = 10\n[grid]\n"demand.mu" = [0.2, 0.3]\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s")]) == 0
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["sessions"][0]["status"] == "finished"
    assert (tmp_path / "s" / ".lock").is_file() and os.path.getsize(tmp_path / "s" / ".lock") > 0


def test_an_out_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.name.startswith(".out."):
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    out = tmp_path / "out"
    refused(["run", "amazon_10min", "--horizon", "20", "--out", str(out)], capsys,
            "cannot create a folder there (Permission denied)", out)

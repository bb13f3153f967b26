import json
import os
import subprocess
import sys

import polars as pl
import pytest

from experiments.cli import main
from experiments.sweep import spec
from experiments.sweep.runs import expand, run_seeds
from market import engine


@pytest.fixture
def swept(write_spec, tmp_path):
    """A finished serial sweep of 8 runs: (spec path, folder)."""
    path, out = write_spec(), tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    return path, out


def test_layout_and_manifest(swept, read_folder):
    path, out = swept
    manifest = json.loads((out / "manifest.json").read_text())
    loaded = spec.load(path)
    assert manifest["spec_hash"] == loaded.hash and manifest["runs"] == 8
    assert manifest["spec_source"] == path.read_text() and manifest["spec"] == loaded.canonical()
    assert {"python", "numpy", "numba", "polars", "dask"} <= set(manifest["versions"])
    assert "git_commit" in manifest
    (session,) = manifest["sessions"]
    assert session["started"] <= session["ended"] and session["done"] == 8 and session["executor"] == "serial"
    assert session["versions"] == manifest["versions"] and session["git_commit"] == manifest["git_commit"]
    runs = read_folder(out)
    assert runs["run_id"].to_list() == [run.run_id for run in expand(loaded)]
    assert runs.columns == ["scenario", "seed", "run_id", "run_index", "replicate", "sellers.platform.period",
                            "demand.mu", "ticks", "learners", "trained", "converged", "training_ticks",
                            "warm_up_ticks", "settled", "settled_by", "cycle_ticks", "delta", "mean_price",
                            "consumer_surplus"]
    assert runs.schema["sellers.platform.period"] == pl.Int64 and runs.schema["demand.mu"] == pl.Float64
    assert read_folder(out, "timeseries").height == 8 * 5 * 2
    assert not list(out.rglob("*.tmp"))


def test_rerun_resumes_and_skips_finished_runs(swept, read_folder, capsys):
    path, out = swept
    before = read_folder(out)
    files = sorted((out / "runs").glob("*.parquet"))
    for lost in files[:3]:
        lost.unlink()
    kept = {f.name: f.stat().st_mtime_ns for f in files[3:]}
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    assert "3 runs done, 0 failed, 5 skipped" in capsys.readouterr().out
    assert {f.name: f.stat().st_mtime_ns for f in files[3:]} == kept
    assert read_folder(out).equals(before)
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 2
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    assert "all 8 runs already finished" in capsys.readouterr().out


def test_a_failing_run_is_recorded_and_the_rest_finish(write_spec, tmp_path, monkeypatch, capsys, read_folder):
    path, out = write_spec(), tmp_path / "out"
    bad_seed = run_seeds(spec.load(path))[1]
    advance = engine.advance

    def failing_advance(state, n_ticks, pricers=None):
        if state.market.seed == bad_seed:
            raise RuntimeError("boom\nat tick 3")
        return advance(state, n_ticks, pricers)

    monkeypatch.setattr(engine, "advance", failing_advance)
    assert main(["sweep", str(path), "--out", str(out)]) == 1
    assert "4 runs failed" in capsys.readouterr().err
    failures = read_folder(out, "failures")
    assert failures["error"].to_list() == ["RuntimeError: boom at tick 3"] * 4
    assert failures["seed"].to_list() == [bad_seed] * 4
    assert json.loads(failures["values"][0]) == {"sellers.platform.period": 1, "demand.mu": 0.2}
    assert main(["status", str(out)]) == 0
    assert "4 done, 4 failed, 0 remaining of 8 runs" in capsys.readouterr().out

    monkeypatch.setattr(engine, "advance", advance)
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    assert "4 runs done, 0 failed, 4 skipped" in capsys.readouterr().out
    assert not list((out / "failures").glob("*.parquet"))
    assert read_folder(out).height == 8


def test_a_damaged_run_file_is_done_again_on_resume(swept, read_folder, capsys):
    """A run file cut short (a full disk before atomic writes, a partial copy) is deleted and run again."""
    path, out = swept
    before = read_folder(out)
    damaged = sorted((out / "runs").glob("*.parquet"))[2]
    damaged.write_bytes(damaged.read_bytes()[:40])
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"{damaged}: damaged" in captured.err and "1 runs done, 0 failed, 7 skipped" in captured.out
    assert read_folder(out).equals(before)


def test_temporary_files_are_never_read_and_dead_writers_ones_are_removed(swept, read_folder, capsys):
    path, out = swept
    before = read_folder(out)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = [out / kind / f"{'f' * 16}.parquet.{int(dead.stdout)}.tmp" for kind in ("runs", "timeseries", "failures")]
    live = out / "runs" / f"{'e' * 16}.parquet.{os.getpid()}.tmp"
    for temp in [*stale, live]:
        temp.write_bytes(b"half a parquet file")
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    assert "8 done, 0 failed, 0 remaining of 8 runs" in capsys.readouterr().out
    assert main(["results", str(out), "--format", "csv"]) == 0
    assert pl.read_csv(capsys.readouterr().out.encode()).height == before.height
    next((out / "runs").glob("*.parquet")).unlink()
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    assert read_folder(out).equals(before)
    assert not any(temp.exists() for temp in stale) and live.exists()


def test_a_path_with_mixed_values_is_one_string_column(write_spec, tmp_path, capsys):
    text = 'base = "market.toml"\n[set]\nhorizon = 144\n[grid]\n"sellers.platform.params.floor" = ["nash", 1.2]\n'
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec(text=text)), "--out", str(out)]) == 0
    assert main(["results", str(out), "--format", "parquet", "--output", str(tmp_path / "all.parquet")]) == 0
    frame = pl.read_parquet(tmp_path / "all.parquet")
    assert frame.schema["sellers.platform.params.floor"] == pl.String
    assert frame["sellers.platform.params.floor"].to_list() == ["nash", "1.2"]

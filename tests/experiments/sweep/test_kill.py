"""A sweep killed with SIGKILL and rerun gives the results of an uninterrupted sweep."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import polars as pl
import psutil
import pytest

from experiments.cli import main
from tests.experiments.sweep.conftest import start_sweep, wait_for_runs

TOTAL = 24


def gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_sigkill_then_rerun_equals_an_uninterrupted_sweep(write_spec, tmp_path, read_folder, capsys):
    spec = write_spec(seeds=TOTAL // 4, horizon=5_000, stride=2_000)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    assert main(["sweep", str(spec), "--out", str(clean)]) == 0  # also fills numba's cache for the workers
    process = subprocess.Popen([sys.executable, "-m", "tests.experiments.sweep.hold", "sweep", str(spec), "--out",
                                str(killed), "--executor", "processes", "--workers", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PRICELAB_HOLD_FROM": "3"})  # runs 3, 4, ... never end
    wait_for_runs(killed, 3, process)
    workers = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    finished_when_killed = len(list((killed / "runs").glob("*.parquet")))
    assert finished_when_killed == 3
    deadline = time.monotonic() + 120  # a loaded machine reaps them late
    while not all(gone(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2 and all(gone(worker) for worker in workers), "workers outlived the killed sweep"

    assert main(["sweep", str(spec), "--out", str(killed)]) == 0
    assert f"{TOTAL - finished_when_killed} runs done, 0 failed, {finished_when_killed} skipped" in (
        capsys.readouterr().out)
    for kind in ("runs", "timeseries"):
        got, expected = read_folder(killed, kind), read_folder(clean, kind)
        assert got.equals(expected), kind
    runs = read_folder(killed)
    assert runs.height == runs["run_id"].n_unique() == TOTAL
    dead, resumed = json.loads((killed / "manifest.json").read_text())["sessions"]
    assert dead["status"] == "killed (closed on resume)" and dead["started"] <= dead["ended"] <= resumed["started"]
    assert resumed["status"] == "finished" and resumed["done"] == TOTAL - finished_when_killed
    assert read_folder(killed, "timeseries").height == TOTAL * 5 * 3


def test_ctrl_c_closes_the_session_with_its_counts(long_runs, tmp_path):
    spec, _ = long_runs
    out = tmp_path / "interrupted"
    sweep = start_sweep(spec, out)
    wait_for_runs(out, 1, sweep)
    sweep.send_signal(signal.SIGINT)
    _, stderr = sweep.communicate(timeout=60)
    assert sweep.returncode == 130 and "pricelab: interrupted" in stderr
    (session,) = json.loads((out / "manifest.json").read_text())["sessions"]
    assert session["status"] == "stopped: interrupted" and session["ended"] is not None
    assert session["done"] == len(list((out / "runs").glob("*.parquet"))) >= 1


@pytest.mark.slow
def test_five_kills_at_random_moments_then_a_rerun_equal_an_uninterrupted_serial_sweep(write_spec, tmp_path,
                                                                                        read_folder, capsys):
    spec = write_spec(seeds=6, horizon=20_000, stride=5_000)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert main(["sweep", str(spec), "--out", str(clean)]) == 0
    delays = random.Random(14).sample(range(5, 60), 5)  # tenths of a second after the first result
    for delay in delays:
        sweep = start_sweep(spec, killed)
        if len(list((killed / "runs").glob("*.parquet"))) < TOTAL:
            try:
                wait_for_runs(killed, 1, sweep)
            except AssertionError:
                pass  # it finished before it could be killed
        time.sleep(delay / 100)
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
    assert main(["sweep", str(spec), "--out", str(killed)]) == 0
    for kind in ("runs", "timeseries"):
        assert read_folder(killed, kind).equals(read_folder(clean, kind)), kind
    assert not [p for p in killed.rglob("*") if p.name.endswith(".tmp")]
    sessions = json.loads((killed / "manifest.json").read_text())["sessions"]
    assert all(s["ended"] is not None for s in sessions) and sessions[-1]["status"] == "finished"


@pytest.mark.slow
def test_two_sweeps_started_together_into_one_folder_one_runs_one_is_refused(write_spec, tmp_path, read_folder):
    spec = write_spec(seeds=4, horizon=20_000, stride=5_000)
    out = tmp_path / "shared"
    first, second = start_sweep(spec, out), start_sweep(spec, out)
    results = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted(p.returncode for p in (first, second))
    assert codes == [0, 2], results
    refusal = next(err for (_, err), p in zip(results, (first, second), strict=True) if p.returncode == 2)
    assert "another sweep (pid" in refusal and refusal.count("\n") == 1
    assert read_folder(out).height == TOTAL // 6 * 4 and len(json.loads((out / "manifest.json").read_text())
                                                               ["sessions"]) == 1


@pytest.mark.slow
def test_a_run_killed_while_it_writes_leaves_the_old_results_or_the_new_ones(tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-m", "experiments.cli", "run", "amazon_10min", "--out", str(out)]
    assert subprocess.run([*command, "--horizon", "50"], capture_output=True).returncode == 0
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4):
        run = subprocess.Popen([*command, "--horizon", "4320"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait()
        ticks = {pl.read_parquet(out / name)["tick"].max() for name in ("timeseries.parquet",
                                                                        "market_timeseries.parquet")}
        row = pl.read_parquet(out / "summary.parquet").row(0, named=True)
        summary = row["ticks"]  # the records count from the end of the warm-up (amazon_10min has [measure])
        assert summary in (50, 4320) and ticks == {row["warm_up_ticks"] + summary - 1}, (delay, summary, ticks)
        assert f"horizon = {summary}" in (out / "scenario.toml").read_text()
        assert sorted(p.name for p in out.iterdir()) == [".pricelab-results", "market_timeseries.parquet",
                                                         "scenario.toml",
                                                         "sellers.parquet", "summary.parquet", "timeseries.parquet"]

"""A sweep killed with SIGKILL and rerun gives the results of an uninterrupted sweep."""

import json
import os
import signal
import subprocess
import sys
import time

import psutil

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
    process = subprocess.Popen([sys.executable, "-m", "experiments.cli", "sweep", str(spec), "--out", str(killed),
                                "--executor", "processes", "--workers", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    wait_for_runs(killed, 3, process)
    workers = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    finished_when_killed = len(list((killed / "runs").glob("*.parquet")))
    assert 3 <= finished_when_killed < TOTAL
    deadline = time.monotonic() + 10
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

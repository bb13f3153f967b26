"""Sweeps on a separate ``dask scheduler`` with ``dask worker`` processes: deaths, departures, bad workers."""

import json
import sysconfig
from pathlib import Path

import polars as pl
import pytest

from experiments.cli import main
from tests.experiments.sweep.conftest import serial_folder, start_sweep, wait_for_runs

POISON = Path(__file__).with_name("poison.py")


@pytest.mark.slow
def test_a_run_that_kills_its_workers_is_recorded_as_failed_and_the_others_finish(
        dask_processes, write_spec, tmp_path, read_folder, capsys):
    spec = write_spec(seeds=2, horizon=576, stride=144)
    serial = serial_folder(spec, tmp_path)
    dask_processes.add_workers(2, env={"PRICELAB_POISON_RUN": "5"}, preload=POISON)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "dask", "--scheduler", dask_processes.address,
                 "--worker-deaths", "2"]) == 1
    failures = read_folder(out, "failures")
    assert failures["run_index"].to_list() == [5]
    assert failures["error"][0].startswith("KilledWorker: the run ended its worker 2 times")
    for kind in ("runs", "timeseries"):
        expected = read_folder(serial, kind).filter(pl.col("run_id") != failures["run_id"][0])
        assert read_folder(out, kind).equals(expected), kind
    assert "7 runs done, 1 failed" in capsys.readouterr().out


@pytest.mark.slow
def test_a_sweep_without_workers_stops_after_its_timeout_and_a_rerun_completes(
        dask_processes, long_runs, tmp_path, read_folder):
    spec, serial = long_runs
    out = tmp_path / "out"
    flags = ["--executor", "dask", "--scheduler", dask_processes.address, "--worker-timeout", "3"]
    dask_processes.add_workers(1)
    sweep = start_sweep(spec, out, *flags)
    wait_for_runs(out, 1, sweep)
    dask_processes.kill_workers()
    _, stderr = sweep.communicate(timeout=120)
    assert sweep.returncode == 3, stderr
    assert "no Dask worker for" in stderr and "rerun the same command to resume" in stderr
    finished = len(list((out / "runs").glob("*.parquet")))
    assert 1 <= finished < 8
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["status"].startswith("stopped: no Dask worker") and session["ended"] is not None

    dask_processes.add_workers(1)
    rerun = start_sweep(spec, out, *flags)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"{8 - finished} runs done, 0 failed, {finished} skipped" in stdout
    for kind in ("runs", "timeseries"):
        assert read_folder(out, kind).equals(read_folder(serial, kind)), kind


def start_bad_worker(dask_processes, problem: str, folder: Path) -> None:
    """A worker that cannot import pricelab (its packages but not the pricelab install), or that has pricelab 9.9."""
    if problem == "import":  # -S: no site, so no editable install of pricelab; dask and numpy from PYTHONPATH
        dask_processes.add_workers(1, env={"PYTHONPATH": sysconfig.get_paths()["purelib"]}, python_options=["-S"])
        return
    (folder / "pricelab-9.9.dist-info").mkdir(parents=True)
    (folder / "pricelab-9.9.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: pricelab\n"
                                                                "Version: 9.9\n")
    dask_processes.add_workers(1, env={"PYTHONPATH": str(folder)})


@pytest.mark.slow
@pytest.mark.parametrize(("problem", "message"), [
    ("import", "cannot import pricelab (ModuleNotFoundError: No module named 'experiments')"),
    ("version", "runs pricelab 9.9, sources ")])
def test_a_worker_without_this_pricelab_stops_the_sweep_with_one_line(
        problem, message, dask_processes, write_spec, tmp_path, capsys):
    start_bad_worker(dask_processes, problem, tmp_path / "shadow")
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec()), "--out", str(out), "--executor", "dask",
                 "--scheduler", dask_processes.address]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and stderr.startswith("pricelab: error: worker "), stderr
    assert message in stderr and dask_processes.address.rpartition(":")[0] in stderr
    assert not list(out.glob("*/*.parquet"))


@pytest.mark.slow
def test_an_external_scheduler_is_left_as_found_and_its_workers_load_the_given_numba_cache(
        dask_processes, write_spec, tmp_path, capsys):
    """A shared scheduler serves others: the settings the sweep changes (allowed failures, worker saturation,
    time-to-live) are put back at its end; ``--numba-cache`` fills a folder the external workers then use."""
    from distributed import Client

    def settings(dask_scheduler):
        return dask_scheduler.allowed_failures, dask_scheduler.WORKER_SATURATION, dask_scheduler.worker_ttl

    dask_processes.add_workers(1)
    with Client(dask_processes.address, timeout=30) as client:
        before = client.run_on_scheduler(settings)
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec(seeds=1, horizon=144, stride=144)), "--out", str(out), "--executor", "dask",
                 "--scheduler", dask_processes.address, "--worker-deaths", "1", "--numba-cache", str(cache)]) == 0
    with Client(dask_processes.address, timeout=30) as client:
        assert client.run_on_scheduler(settings) == before
        assert set(client.run(lambda: __import__("os").environ.get("NUMBA_CACHE_DIR")).values()) == {str(cache)}
    assert any(cache.rglob("*.nbi")), "the cache was filled"


def test_workers_with_several_threads_are_named(capsys):
    from experiments.sweep.executors import warn_threads

    warn_threads({"tcp://a:1": 1, "tcp://b:2": 8})
    err = capsys.readouterr().err
    assert err.startswith("pricelab: 1 worker(s) run several threads (e.g. tcp://b:2: 8)") and "--nthreads 1" in err
    warn_threads({"tcp://a:1": 1})
    assert capsys.readouterr().err == ""

"""Small sweeps on the seed market: short horizons so every test runs in about a second.

Specs are written next to a copy of the seed market taken when the test starts (``market.toml``),
so that runs compared within a test share their base scenario even if the shipped one changes.
"""

import json
import os
import signal
import subprocess
import sys
import time

import polars as pl
import pytest
from distributed import Client

from experiments import configs
from experiments.sweep.executors import WORKER_ENV

SPEC = """
name = "small"
base = "market.toml"
master_seed = 7
seeds = {seeds}

[set]
horizon = {horizon}

[grid]
"sellers.platform.period" = [1, 6]
demand.mu = [0.2, 0.3]

[keep]
metrics = ["delta", "mean_price", "consumer_surplus"]
timeseries_stride = {stride}
"""


@pytest.fixture
def write_spec(tmp_path):
    """``write_spec(seeds=2, horizon=288, stride=144, text=None)`` -> path of a spec file in tmp_path."""

    (tmp_path / "market.toml").write_text(configs.load("amazon_10min").to_toml())

    def write(seeds: int = 2, horizon: int = 288, stride: int = 144, text: str | None = None, name: str = "spec"):
        path = tmp_path / f"{name}.toml"
        path.write_text(text if text is not None else SPEC.format(seeds=seeds, horizon=horizon, stride=stride))
        return path

    return write


@pytest.fixture
def read_folder():
    """``read_folder(folder, kind="runs")``: every complete Parquet file there, sorted by run then tick."""

    def read(folder, kind: str = "runs") -> pl.DataFrame:
        frame = pl.read_parquet(folder / kind / "*.parquet", hive_partitioning=False)
        return frame.sort([c for c in ("run_index", "run_id", "tick", "seller") if c in frame.columns])

    return read


def serial_folder(spec, tmp_path):
    """The folder of ``spec`` swept serially in this process: what every other executor must reproduce."""
    from experiments.cli import main

    out = tmp_path / "serial"
    assert main(["sweep", str(spec), "--out", str(out)]) == 0
    return out


@pytest.fixture
def long_runs(write_spec, tmp_path):
    """(spec, its serial folder): 8 runs of a million ticks, long enough to interrupt a sweep between two."""
    spec = write_spec(seeds=2, horizon=1_000_000, stride=250_000)
    return spec, serial_folder(spec, tmp_path)


def start_sweep(spec, out, *flags: str) -> subprocess.Popen:
    """``pricelab sweep SPEC --out OUT FLAGS`` in a child process, its stdout and stderr piped as text."""
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", "sweep", str(spec), "--out", str(out), *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_runs(folder, at_least: int, process, timeout: float = 120.0) -> None:
    """Wait until ``folder/runs`` holds ``at_least`` files while ``process`` (a sweep) still runs."""
    deadline = time.monotonic() + timeout
    while len(list((folder / "runs").glob("*.parquet"))) < at_least:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline, "the sweep did not start"
        time.sleep(0.005)


def _written_address(file):
    """The address in a scheduler file once the scheduler has written it whole (it writes the file in place, so a
    reader may find it empty or cut short); None before."""
    try:
        return json.loads(file.read_text())["address"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None


class DaskProcesses:
    """A ``dask scheduler`` and ``dask worker`` processes of this Python, each in its own process group."""

    def __init__(self, folder):
        self.folder = folder
        self.workers: list[subprocess.Popen] = []
        file = folder / "scheduler.json"
        self.scheduler = self._start(["distributed.cli.dask_scheduler", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(file)], "scheduler")
        deadline = time.monotonic() + 60
        while (address := _written_address(file)) is None:
            assert self.scheduler.poll() is None and time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = address

    def add_workers(self, n: int, env: dict | None = None, preload=None, python_options=()) -> None:
        """Start ``n`` single-threaded workers (each with a nanny that restarts it) and wait until they connect."""
        extra = ["--preload", str(preload)] if preload is not None else []
        for _ in range(n):
            self.workers.append(self._start(["distributed.cli.dask_worker", self.address, "--nthreads", "1",
                                             "--no-dashboard", *extra], f"worker{len(self.workers)}", env,
                                            python_options))
        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(len([w for w in self.workers if w.poll() is None]), timeout=120)

    def kill_workers(self) -> None:
        """SIGKILL every worker with its nanny."""
        for worker in self.workers:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        self.workers.clear()

    def close(self) -> None:
        self.kill_workers()
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait()

    def _start(self, command: list[str], name: str, env: dict | None = None, python_options=()) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - kept open by the child
        return subprocess.Popen([sys.executable, *python_options, "-m", *command], stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **WORKER_ENV, **(env or {})}, cwd=self.folder,
                                start_new_session=True)


@pytest.fixture
def dask_processes(tmp_path):
    """A local ``dask scheduler`` (``.address``); ``.add_workers(n, env, preload)``, ``.kill_workers()``."""
    processes = DaskProcesses(tmp_path)
    yield processes
    processes.close()

import os

import pytest
from distributed import LocalCluster

from experiments import configs
from experiments.cli import main
from experiments.sweep.executors import Dask, Processes, Serial
from tests.experiments.sweep.conftest import SPEC


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "spec.toml"
    (path.parent / "market.toml").write_text(configs.load("amazon_10min").to_toml())
    path.write_text(SPEC.format(seeds=3, horizon=576, stride=48))
    return path


@pytest.fixture(scope="module")
def serial(spec_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "out"
    assert main(["sweep", str(spec_path), "--out", str(out)]) == 0
    return out


def assert_same_folders(got, expected, read_folder) -> None:
    for kind in ("runs", "timeseries"):
        assert read_folder(expected, kind).height == (12 if kind == "runs" else 12 * 5 * (576 // 48))
        assert read_folder(got, kind).equals(read_folder(expected, kind)), kind


@pytest.mark.parametrize("options", [["--executor", "processes", "--workers", "2"],
                                     ["--executor", "dask", "--workers", "2"]], ids=["processes", "dask"])
def test_executor_gives_results_identical_to_serial(options, spec_path, serial, tmp_path, read_folder):
    out = tmp_path / "out"
    assert main(["sweep", str(spec_path), "--out", str(out), *options]) == 0
    assert_same_folders(out, serial, read_folder)


def test_existing_dask_scheduler_gives_results_identical_to_serial(spec_path, serial, tmp_path, read_folder):
    out = tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert main(["sweep", str(spec_path), "--out", str(out), "--executor", "dask",
                     "--scheduler", cluster.scheduler_address]) == 0
    assert_same_folders(out, serial, read_folder)


def probe(item: int) -> tuple[int, str | None]:
    """What a worker sees: the item it got and its numba thread limit."""
    return item, os.environ.get("NUMBA_NUM_THREADS")


@pytest.mark.parametrize("executor", [Serial, lambda: Processes(2), lambda: Dask(2)],
                         ids=["serial", "processes", "dask"])
def test_every_item_once_and_workers_get_one_numba_thread(executor):
    before = os.environ.get("NUMBA_NUM_THREADS")
    with executor() as running:
        got = sorted(running.imap(probe, range(10)))
    assert [item for item, _ in got] == list(range(10))
    if not isinstance(running, Serial):
        assert {threads for _, threads in got} == {"1"}
    assert os.environ.get("NUMBA_NUM_THREADS") == before

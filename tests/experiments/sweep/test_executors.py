import os

import pytest

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


@pytest.mark.parametrize("options", [["--executor", "processes", "--workers", "2"],
                                     ["--executor", "dask", "--workers", "2"]], ids=["processes", "dask"])
def test_executor_gives_results_identical_to_serial(options, spec_path, serial, tmp_path, read_folder):
    out = tmp_path / "out"
    assert main(["sweep", str(spec_path), "--out", str(out), *options]) == 0
    for kind in ("runs", "timeseries"):
        expected, got = read_folder(serial, kind), read_folder(out, kind)
        assert expected.height == (12 if kind == "runs" else 12 * 5 * (576 // 48))
        assert got.equals(expected), kind


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

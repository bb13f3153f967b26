import os

import dask
import pytest
from distributed import LocalCluster

from experiments import configs
from experiments.cli import main
from experiments.sweep.executors import Dask, NoWorkers, Processes, Serial, Watch
from experiments.sweep.preflight import Mismatch, fingerprint, guarded
from experiments.sweep.progress import Lines
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


def test_watch_says_every_minute_that_no_worker_is_connected_and_stops_after_its_timeout(capsys):
    clock = [0.0]
    watch = Watch(timeout_s=150, clock=lambda: clock[0])
    for t, workers in [(0, 2), (10, 0), (69, 0), (70, 0), (100, 1), (110, 0), (169, 0), (170, 0), (230, 0)]:
        clock[0] = t
        watch.update(workers)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" s;")[0].rpartition(" ")[2] for line in lines] == ["60", "60", "120"]
    assert lines[0].startswith("pricelab: no Dask worker connected for 60 s; waiting up to 150 s (--worker-timeout)")
    clock[0] = 259
    watch.update(0)
    clock[0] = 260
    with pytest.raises(NoWorkers, match=r"no Dask worker for 150 s \(--worker-timeout 150\)"):
        watch.update(0)


class Stop:
    """A stop event whose waits end at once: ``False`` (not stopped: the progress thread prints a line) ``lines``
    times, then ``True``; it records the seconds each wait was given."""

    def __init__(self, lines: int):
        self.lines, self.waits = lines, []

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return len(self.waits) > self.lines

    def set(self) -> None:
        pass


def test_progress_off_a_terminal_is_a_line_every_few_seconds(capsys):
    """The thread waits ``every_s`` between lines (its waits end at once here; the clock is the test's)."""
    now = [0.0]
    progress = Lines("small", 4, every_s=5.0, clock=lambda: now[0])
    progress._stop = Stop(lines=3)
    now[0] = 2.0
    progress.advance()
    now[0] = 12.0
    progress.advance()
    with progress:
        pass
    assert capsys.readouterr().err.splitlines() == ["pricelab: small: 2/4 runs in 12 s, about 12 s left"] * 3
    assert progress._stop.waits == [5.0] * 4 and progress.first_s == 2.0 and progress.count == 2


def test_a_worker_running_other_code_refuses_the_run():
    assert guarded(3, str, fingerprint()) == "3"
    with pytest.raises(Mismatch, match=r"runs pricelab .*, sources .*; the sweep runs pricelab 0.0"):
        guarded(3, str, "pricelab 0.0, sources 0")


@pytest.mark.slow
def test_a_run_longer_than_the_heartbeat_timeout_keeps_its_worker(write_spec, tmp_path, read_folder):
    """The engine holds the GIL for a whole run: its worker sends no heartbeat meanwhile, yet is alive."""
    text = SPEC.format(seeds=1, horizon=20_000_000, stride=10_000_000).replace("[1, 6]", "[1]").replace(
        "[0.2, 0.3]", "[0.2]")
    spec = write_spec(text=text)
    with dask.config.set({"distributed.scheduler.worker-ttl": "1s"}):  # Dask waits 10 heartbeats (5 s) at least
        assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--executor", "dask", "--workers", "1"]) == 0
    assert read_folder(tmp_path / "out").height == 1


def test_progress_off_a_terminal_says_how_long_is_left(capsys):
    from experiments.sweep.progress import duration

    now = [100.0]
    progress = Lines("long", 1000, unit="ticks", clock=lambda: now[0])
    progress.report()
    progress.add(10)
    now[0] += 5.0
    progress.report()
    assert capsys.readouterr().err.splitlines() == ["pricelab: long: 0/1,000 ticks in 0 s",
                                                   "pricelab: long: 10/1,000 ticks in 5 s, about 8 min left"]
    assert [duration(s) for s in (42, 720, 12600, 864000, 1e12)] == ["42 s", "12 min", "3.5 h", "10 days",
                                                                     "3.17e+04 years"]

"""Where runs execute: in this process, in a pool of local processes, or on a Dask cluster.

Every executor is a context manager with ``imap(function, items)``, which yields
``function(item)`` for each item as it completes (in any order). Results do not depend on the
executor: each run carries its own seed, and the engine draws randomness from
(seed, stream, tick, seller) only.

Worker processes are started with the ``spawn`` method and ``NUMBA_NUM_THREADS=1`` (one core
per worker; ``fork`` after a threaded numba kernel can kill the child). A local worker ends
itself when the sweep that started it dies, even by SIGKILL.
"""

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from multiprocessing import get_context

from experiments.errors import UsageError

EXECUTORS = ("serial", "processes", "dask")
CONNECT_TIMEOUT_S = 5
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
ORPHAN_CHECK_S = 0.5


@contextmanager
def worker_environment() -> Iterator[None]:
    """Set ``WORKER_ENV`` while workers start (spawned children inherit it), then restore."""
    saved = {key: os.environ.get(key) for key in WORKER_ENV}
    os.environ.update(WORKER_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def exit_with_parent(parent: int) -> None:
    """Worker initializer: end this process once ``parent`` is no longer its parent (it died)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class Serial:
    """Runs items one after another in this process."""

    name = "serial"

    def __enter__(self) -> "Serial":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def imap(self, function: Callable, items: Iterable) -> Iterator:
        return map(function, items)


class Processes:
    """A pool of ``workers`` spawned local processes."""

    name = "processes"

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self) -> "Processes":
        self._stack = ExitStack()
        self._stack.enter_context(worker_environment())
        self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=exit_with_parent,
                                         initargs=(os.getpid(),))
        self._stack.callback(self._pool.shutdown, wait=True, cancel_futures=True)
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def imap(self, function: Callable, items: Iterable) -> Iterator:
        futures = [self._pool.submit(function, item) for item in items]
        return (future.result() for future in as_completed(futures))


class Dask:
    """A Dask distributed client: a new ``LocalCluster`` of ``workers`` processes, or an existing scheduler."""

    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None = None):
        self.workers = workers
        self.scheduler = scheduler

    def __enter__(self) -> "Dask":
        from distributed import Client, LocalCluster

        self._cluster = None
        if self.scheduler is None:
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, env=WORKER_ENV)
            self._client = Client(self._cluster)
            return self
        try:
            self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as err:
            raise UsageError(f"--scheduler {self.scheduler!r}: cannot connect within {CONNECT_TIMEOUT_S} s "
                             f"({type(err).__name__}); start a scheduler there or omit --scheduler") from None
        return self

    def __exit__(self, *exc) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def imap(self, function: Callable, items: Iterable) -> Iterator:
        from distributed import as_completed as dask_completed

        futures = self._client.map(function, list(items), pure=False)
        return (future.result() for future in dask_completed(futures))


def make(name: str, workers: int | None, scheduler: str | None):
    """The executor called ``name`` (one of ``EXECUTORS``); not started yet. ``UsageError`` on bad options."""
    if name not in EXECUTORS:
        raise UsageError(f"--executor {name!r}: unknown; allowed: {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: must be >= 1")
    if scheduler is not None and name != "dask":
        raise UsageError(f"--scheduler {scheduler!r}: only with --executor dask")
    if scheduler is not None and workers is not None:
        raise UsageError(f"--workers {workers}: not with --scheduler (the cluster's workers are started there)")
    if name == "serial":
        return Serial()
    if scheduler is not None:
        return Dask(None, scheduler)
    workers = workers or os.cpu_count() or 1
    return Processes(workers) if name == "processes" else Dask(workers)

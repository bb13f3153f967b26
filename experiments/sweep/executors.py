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
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

from experiments.errors import UsageError
from experiments.sweep import preflight
from market import budget

EXECUTORS = ("serial", "processes", "dask")
CONNECT_TIMEOUT_S = 5
WORKER_TIMEOUT_S = 3600.0
WORKER_DEATHS = 3
NO_WORKER_NOTICE_S = 60.0
WORKER_CHECK_S = 1.0
POLL_S = 0.02
GATHER_TIMEOUT_S = 5.0
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
ORPHAN_CHECK_S = 0.5


@contextmanager
def worker_environment(env: dict[str, str] = WORKER_ENV) -> Iterator[None]:
    """Set ``env`` while workers start (spawned children inherit it), then restore."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
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


def warn_threads(nthreads: dict) -> None:
    """Say which workers run more than one thread: the engine holds the GIL for a whole run, so such a worker
    does one run at a time with the memory of several (``dask worker ADDR --nthreads 1 --nworkers N``)."""
    many = {address: n for address, n in nthreads.items() if n > 1}
    if many:
        address, n = sorted(many.items())[0]
        print(f"pricelab: {len(many)} worker(s) run several threads (e.g. {address}: {n}); the engine holds the "
              f"GIL, so each runs one run at a time: start them with `dask worker ADDR --nthreads 1 --nworkers "
              f"{n}` to use every core", file=sys.stderr)


class NoWorkers(RuntimeError):
    """No Dask worker was connected for ``--worker-timeout`` seconds: the sweep stops, and a rerun resumes it."""


class Lost(NamedTuple):
    """Yielded by ``Dask.imap`` instead of a result: ``item``'s task ended every worker that ran it."""

    item: object
    reason: str


class Watch:
    """Notices when no worker is connected: a line on stderr every minute, ``NoWorkers`` after ``timeout_s``."""

    def __init__(self, timeout_s: float, notice_s: float = NO_WORKER_NOTICE_S, clock: Callable = time.monotonic):
        self.timeout_s = timeout_s
        self.notice_s = notice_s
        self._clock = clock
        self._since: float | None = None
        self._next_notice = 0.0

    def update(self, n_workers: int) -> None:
        """Record how many workers are connected now; ``NoWorkers`` once there were none for ``timeout_s``."""
        now = self._clock()
        if n_workers:
            self._since = None
            return
        if self._since is None:
            self._since, self._next_notice = now, now + self.notice_s
        waited = now - self._since
        if waited >= self.timeout_s:
            raise NoWorkers(f"no Dask worker for {waited:.0f} s (--worker-timeout {self.timeout_s:g})")
        if now >= self._next_notice:
            print(f"pricelab: no Dask worker connected for {waited:.0f} s; waiting up to {self.timeout_s:g} s "
                  f"(--worker-timeout), then stopping (rerun to resume)", file=sys.stderr, flush=True)
            self._next_notice = now + self.notice_s


class Dask:
    """A Dask distributed client: a new ``LocalCluster`` of ``workers`` processes, or an existing scheduler.

    Before the first run every worker passes the pre-flight (``experiments.sweep.preflight``). A
    run whose worker dies ``worker_deaths`` times (memory limit, crash, killed job) comes back as
    ``Lost``; each worker runs one task at a time, so only the run it was executing is blamed.
    With no worker for ``worker_timeout`` seconds, ``imap`` raises ``NoWorkers``.
    """

    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None = None,
                 worker_timeout: float = WORKER_TIMEOUT_S, worker_deaths: int = WORKER_DEATHS,
                 numba_cache: Path | None = None):
        self.workers = workers
        self.scheduler = scheduler
        self.worker_deaths = worker_deaths
        self.numba_cache = numba_cache
        self._watch = Watch(worker_timeout)
        self._cluster = self._client = None
        self._previous: tuple | None = None

    def __enter__(self) -> "Dask":
        from distributed import Client, LocalCluster

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
        if self._client is not None:
            if self._cluster is None and self._previous is not None:
                self._restore_scheduler()
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def imap(self, function: Callable, items: Iterable) -> Iterator:
        """Check the workers, then yield ``function(item)`` (or ``Lost``) for each item as it completes."""
        items = list(items)
        if self.numba_cache is not None and items:
            from experiments.sweep.batch import fill_numba_cache, warm_up_run

            fill_numba_cache(self.numba_cache, function, warm_up_run(items[0]))
        self._configure_scheduler()
        while not self._client.nthreads():
            self._watch.update(0)
            time.sleep(WORKER_CHECK_S)
        if self.numba_cache is not None:
            self._use_numba_cache()
        warn_threads(self._client.nthreads())
        preflight.check(self._client)
        futures = self._client.map(preflight.guarded, items, function=function, expected=preflight.fingerprint(),
                                   pure=False)
        return self._completed(dict(zip(futures, items, strict=True)))

    def _configure_scheduler(self) -> None:
        """Blame a run after ``worker_deaths`` deaths, give each single-threaded worker one task at a time, and
        never take a silent worker for a dead one.

        The engine holds the GIL for a whole kernel call, so a busy worker sends no heartbeat; with
        Dask's ``worker-ttl`` (5 min) a longer run had its worker restarted until it failed.
        Workers that really die are still noticed at once (their connections close) or by TCP
        keep-alive (a node that vanished).
        """
        deaths = self.worker_deaths

        def configure(dask_scheduler) -> tuple:  # a closure, pickled by value: the scheduler needs no pricelab
            previous = (dask_scheduler.allowed_failures, dask_scheduler.WORKER_SATURATION, dask_scheduler.worker_ttl)
            dask_scheduler.allowed_failures = deaths - 1
            dask_scheduler.WORKER_SATURATION = 1.0
            dask_scheduler.worker_ttl = float("inf")
            return previous

        self._previous = self._client.run_on_scheduler(configure)

    def _restore_scheduler(self) -> None:
        """Put back an external scheduler's settings that ``_configure_scheduler`` changed: it serves others too
        (a sweep killed before this leaves them changed; restart that scheduler)."""
        previous = self._previous

        def restore(dask_scheduler) -> None:
            dask_scheduler.allowed_failures, dask_scheduler.WORKER_SATURATION, dask_scheduler.worker_ttl = previous

        try:
            self._client.run_on_scheduler(restore)
        except (OSError, TimeoutError) as err:
            print(f"pricelab: could not restore the scheduler's settings ({type(err).__name__}): its allowed "
                  f"failures, worker saturation and worker time-to-live stay as this sweep set them",
                  file=sys.stderr)
        self._previous = None

    def _use_numba_cache(self) -> None:
        """Point every connected worker's numba at ``numba_cache`` (``--numba-cache``), before pricelab is imported
        there; a worker that imported it already keeps its own cache, and says so."""
        folder = str(self.numba_cache)

        def use(dask_worker=None) -> bool:  # a closure, pickled by value: runs before pricelab is imported
            import os
            import sys

            os.environ["NUMBA_CACHE_DIR"] = folder
            if "numba" in sys.modules:
                from numba.core import config

                config.reload_config()
            return "market.engine" not in sys.modules

        for address, fresh in sorted(self._client.run(use).items()):
            if not fresh:
                print(f"pricelab: worker {address} had loaded pricelab already: it keeps its own numba cache "
                      f"(start it with NUMBA_CACHE_DIR={folder})", file=sys.stderr)

    def _completed(self, item_of: dict) -> Iterator:
        from distributed import as_completed

        finished = as_completed(item_of)
        next_check = 0.0
        while not finished.is_empty():
            batch = finished.next_batch(block=False)
            for future in batch:
                try:
                    result = self._result(future, item_of[future])
                except TimeoutError:  # its worker left before sending it: Dask computes it again
                    finished.add(future)
                    continue
                yield result
            if time.monotonic() >= next_check:
                self._watch.update(len(self._client.nthreads()))
                next_check = time.monotonic() + WORKER_CHECK_S
            if not batch:
                time.sleep(POLL_S)

    def _result(self, future, item):
        """The task's value; ``Lost`` if it killed its workers; a one-line ``UsageError`` for a bad worker."""
        from distributed import KilledWorker

        error = future.exception() if future.status == "error" else None
        if error is None:
            return future.result(timeout=GATHER_TIMEOUT_S)
        if isinstance(error, KilledWorker):
            return Lost(item, f"KilledWorker: the run ended its worker {error.allowed_failures + 1} times "
                              f"(last {error.last_worker.address}): out of memory, a crash or killed jobs; "
                              f"see the worker logs")
        if isinstance(error, preflight.Mismatch) or preflight.cannot_import(error):
            preflight.check(self._client)
            raise UsageError(f"a worker that has left since: {preflight.describe(error)}")
        raise error


def make(name: str, workers: int | None, scheduler: str | None, worker_timeout: float | None = None,
         worker_deaths: int | None = None, jobs=None, numba_cache: Path | None = None):
    """The executor called ``name`` (one of ``EXECUTORS``); not started yet. ``UsageError`` on bad options.

    ``jobs`` (``batch.Options``) is required by, and only allowed with, the batch executors.
    """
    from experiments.sweep import batch

    if name not in (*EXECUTORS, *batch.SYSTEMS):
        raise UsageError(f"--executor {name!r}: unknown; allowed: {', '.join((*EXECUTORS, *batch.SYSTEMS))}")
    dask_options = _dask_options(name, worker_timeout, worker_deaths)
    if name in batch.SYSTEMS:
        if workers is not None or scheduler is not None:
            raise UsageError(f"--{'workers' if workers is not None else 'scheduler'}: not with --executor {name} "
                             f"(the jobs start the workers and this process the scheduler)")
        return batch.Batch(jobs, *dask_options)
    if numba_cache is not None and scheduler is None:
        raise UsageError("--numba-cache: with --executor slurm, pbs or sge, or with --executor dask --scheduler ADDR "
                         "(external workers)")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: must be >= 1")
    if scheduler is not None and name != "dask":
        raise UsageError(f"--scheduler {scheduler!r}: only with --executor dask")
    if scheduler is not None and workers is not None:
        raise UsageError(f"--workers {workers}: not with --scheduler (the cluster's workers are started there)")
    if name == "serial":
        return Serial()
    if scheduler is not None:
        return Dask(None, scheduler, *dask_options, numba_cache=numba_cache)
    workers = budget.workers(workers)
    return Processes(workers) if name == "processes" else Dask(workers, None, *dask_options)


def _dask_options(name: str, worker_timeout: float | None, worker_deaths: int | None) -> tuple[float, int]:
    """(worker timeout, worker deaths) checked; the defaults where not given; only Dask executors take them."""
    for flag, value in (("--worker-timeout", worker_timeout), ("--worker-deaths", worker_deaths)):
        if value is not None and name in ("serial", "processes"):
            raise UsageError(f"{flag} {value:g}: only with Dask executors (dask, slurm, pbs, sge)")
        if value is not None and not value >= 1:
            raise UsageError(f"{flag} {value:g}: must be >= 1")
    return (WORKER_TIMEOUT_S if worker_timeout is None else worker_timeout,
            WORKER_DEATHS if worker_deaths is None else worker_deaths)

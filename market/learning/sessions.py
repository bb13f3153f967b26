"""Many learning sessions over worker processes, with results that do not depend on the number of workers.

Session ``k`` of an experiment gets its seed from ``SeedSequence(master).spawn(n)[k]``, never
from the order in which sessions run, and results come back in session order. Workers are
started with the ``spawn`` method (``fork`` after a threaded numba kernel can kill the child)
and ``NUMBA_NUM_THREADS=1``, one session per task. The first session runs here before the workers
start, so that its kernels are compiled once and the workers load them from numba's on-disk cache.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from tqdm import tqdm

_WORKER: dict = {}


def session_seeds(master: int, n: int) -> list[int]:
    """``n`` independent 63-bit session seeds derived from the experiment's ``master`` seed."""
    if n < 0:
        raise ValueError(f"sessions = {n}: must be >= 0")
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
            for child in np.random.SeedSequence(master).spawn(n)]


def _start_worker(task: Callable, setup) -> None:
    _WORKER["task"] = task
    _WORKER["setup"] = setup


def _run(seed):
    return _WORKER["task"](_WORKER["setup"], seed)


@contextmanager
def _single_numba_thread():
    """Children inherit ``NUMBA_NUM_THREADS=1``; the parent's environment is restored afterwards."""
    before = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["NUMBA_NUM_THREADS"]
        else:
            os.environ["NUMBA_NUM_THREADS"] = before


def run_sessions(task: Callable, setup, seeds: Sequence, workers: int = 1, progress: bool = True,
                 label: str = "sessions") -> list:
    """``[task(setup, seed) for seed in seeds]``, computed by ``workers`` processes (1: this process).

    ``task`` must be a module-level function (workers import it by name); a "seed" may be any
    picklable job description, e.g. ``(cell, seed)``. A progress bar goes
    to stderr when it is a terminal and ``progress`` is true.
    """
    if workers < 1:
        raise ValueError(f"workers = {workers}: must be >= 1")
    bar = tqdm(total=len(seeds), desc=label, unit="session", disable=None if progress else True, leave=False)
    with bar:
        return [_tick(bar, result) for result in _results(task, setup, seeds, workers)]


def _tick(bar, result):
    bar.update(1)
    return result


def _results(task: Callable, setup, seeds: Sequence, workers: int) -> Iterator:
    if workers == 1 or len(seeds) <= 2:
        yield from (task(setup, seed) for seed in seeds)
        return
    yield task(setup, seeds[0])
    seeds = seeds[1:]
    context = multiprocessing.get_context("spawn")
    with _single_numba_thread():
        pool = context.Pool(min(workers, len(seeds)), initializer=_start_worker, initargs=(task, setup))
    with pool:
        yield from pool.imap(_run, seeds, chunksize=max(1, min(8, len(seeds) // (8 * workers))))

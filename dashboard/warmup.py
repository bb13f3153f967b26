"""Compile the engine in the background when the server starts, so that no Step waits for numba.

On a fresh machine numba compiles the engine's kernels the first time a market runs (seconds;
later starts load them from numba's cache). ``pricelab dashboard`` sets ``ENV_VAR`` for its
server; the page module then calls ``start()``, which builds and steps a session's market for the
default scenario in a thread, and then for the other shipped scenarios (each compiles only the
kernels its market uses). Until the default scenario's engine is ready the page says that it
is preparing the engine (``ready()``); the other scenarios keep compiling behind it.
"""

import os
import threading

from dashboard.lab import DEFAULT_SCENARIO, Lab
from market import catalog

ENV_VAR = "PRICELAB_WARM_UP"
_READY = threading.Event()
_STARTED = threading.Event()


def ready() -> bool:
    """Whether the default scenario's engine can run: compiled, or no warm-up was started (it compiles on demand)."""
    return _READY.is_set() or not _STARTED.is_set()


def start() -> None:
    """Start the warm-up thread once (later calls do nothing): the default scenario, then the other shipped ones."""
    if _STARTED.is_set():
        return
    _STARTED.set()
    names = [DEFAULT_SCENARIO] + [name for name in catalog.scenario_names() if name != DEFAULT_SCENARIO]
    threading.Thread(target=warm, args=(names,), name="pricelab-warm-up", daemon=True).start()


def requested() -> bool:
    """Whether the server that runs the page asked for a warm-up (``ENV_VAR`` set)."""
    return os.environ.get(ENV_VAR) == "1"


def warm(names: list[str]) -> None:
    """Build and step a session's market for each scenario in turn; ready once the first has run (or failed:
    the page then shows the error as it would have without the warm-up)."""
    try:
        for name in names:
            Lab(name).step(1)
            _READY.set()
    finally:
        _READY.set()

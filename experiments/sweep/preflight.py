"""Pre-flight: every Dask worker must run the pricelab this sweep runs, or no run is sent.

A worker started with another Python (one without pricelab) cannot even unpickle a task; one
started from another checkout computes with other code. Before the first run, each connected
worker is asked for its :func:`fingerprint` (pricelab's version and a digest of its sources);
every run then carries the sweep's fingerprint and refuses to start on a worker that differs,
so a worker that joins later (a replacement job) is held to the same rule.
"""

import functools
import hashlib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from experiments.errors import UsageError

PACKAGES = ("market", "experiments")


class Mismatch(RuntimeError):
    """Raised on a worker whose pricelab differs from the sweep's."""


@functools.cache
def fingerprint() -> str:
    """``pricelab VERSION, sources DIGEST``: the installed version and a SHA-256 of every ``.py`` file it runs."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        root = Path(__import__(package).__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return f"pricelab {metadata.version('pricelab')}, sources {digest.hexdigest()[:12]}"


def guarded(item, function: Callable, expected: str):
    """``function(item)``, after checking that this worker runs ``expected`` code (``Mismatch`` if not)."""
    found = fingerprint()
    if found != expected:
        raise Mismatch(f"runs {found}; the sweep runs {expected}")
    return function(item)


def check(client) -> int:
    """Ask every connected worker for its fingerprint; ``UsageError`` naming the first that differs.

    Returns the number of workers checked.
    """
    expected = fingerprint()
    answers = client.run(fingerprint, on_error="return")
    names = {address: info.get("name", address) for address, info in client.scheduler_info()["workers"].items()}
    for address, found in sorted(answers.items()):
        problem = _problem(found, expected)
        if problem is not None:
            raise UsageError(f"worker {names.get(address, address)} ({address}): {problem}")
    return len(answers)


def _problem(found, expected: str) -> str | None:
    """What is wrong with a worker's answer, or None."""
    if isinstance(found, ImportError):
        return (f"cannot import pricelab ({type(found).__name__}: {found}); start the workers with the Python "
                f"that runs pricelab")
    if isinstance(found, BaseException):
        return f"pre-flight failed ({type(found).__name__}: {' '.join(str(found).split())})"
    if found != expected:
        return f"runs {found}; this sweep runs {expected}; install the same pricelab on every worker"
    return None

"""Pre-flight: every Dask worker must run the pricelab this sweep runs, or no run is sent.

A worker started with another Python (one without pricelab) cannot even unpickle a task; one
started from another checkout computes with other code. Before the first run, each connected
worker is asked for its :func:`fingerprint` (pricelab's version and a digest of its sources);
every run then carries the sweep's fingerprint and refuses to start on a worker that differs,
so a worker that joins later (a replacement job) is held to the same rule.
"""

import functools
import hashlib
import re
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from experiments.errors import UsageError

PACKAGES = ("market", "experiments")
_WRAPPED = re.compile(r"""^(\w+)\((['"])(.*)\2\)$""")


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
            name = str(names.get(address, address))
            raise UsageError(f"worker {name}{f' ({address})' if name != address else ''}: {problem}")
    return len(answers)


def _problem(found, expected: str) -> str | None:
    """What is wrong with a worker's answer, or None."""
    if isinstance(found, BaseException):
        if cannot_import(found):
            return f"cannot import pricelab ({describe(found)}); start the workers with the Python that runs pricelab"
        return f"pre-flight failed ({describe(found)})"
    if found != expected:
        return f"runs {found}; this sweep runs {expected}; install the same pricelab on every worker"
    return None


def cannot_import(error: BaseException) -> bool:
    """Whether ``error`` (raised on a worker) says that it could not import pricelab's code."""
    return isinstance(error, ImportError) or describe(error).startswith(("ModuleNotFoundError:", "ImportError:"))


def describe(error: BaseException) -> str:
    """``Type: message`` on one line (a worker that cannot unpickle sends ``Exception('Type("message")')``)."""
    text = " ".join(str(error).split())
    wrapped = _WRAPPED.match(text) if type(error) is Exception else None
    return f"{wrapped[1]}: {wrapped[3]}" if wrapped else f"{type(error).__name__}: {text}"

"""Benchmarks remembered: in this process, and on disk beside numba's cache of the kernels that compute them.

The display-aware benchmarks of a platform market play best responses for tens of thousands of moves (about
0.3 s for ``amazon_10min``, thirty times its run); every ``pricelab run``, dashboard start and sweep worker of
the same market would compute the same figures again. :func:`remembered` keeps them in a JSON file named by
the SHA-256 of the key (the game's and the display's arrays, as bytes) and of
:func:`market.jit.sources_fingerprint`: an edit of any module that computes them gives new names, so a
remembered figure can no more go stale than a compiled kernel. Floats are written by ``repr``, which reads
back as the same double: a remembered benchmark equals the computed one bit for bit. The files live in
numba's cache folder for this package (``NUMBA_CACHE_DIR``, else beside the sources, else the user's cache;
:func:`market.jit.cache_folder`), so emptying that cache empties them too; where no folder is writable, or a
file cannot be read, the benchmarks are computed.
"""

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from market import jit
from market.benchmarks.game import Benchmarks

_MEMO: dict[str, Benchmarks] = {}


def remembered(key: bytes, compute: Callable[[], Benchmarks]) -> Benchmarks:
    """The benchmarks stored for ``key`` by an earlier call (in this process or, on disk, in any), else
    ``compute()``, stored."""
    name = hashlib.sha256(key + jit.sources_fingerprint().encode()).hexdigest()
    if name not in _MEMO:
        path = _path(name)
        benchmarks = None if path is None else _read(path)
        if benchmarks is None:
            benchmarks = compute()
            if path is not None:
                _write(benchmarks, path)
        _MEMO[name] = benchmarks
    return _MEMO[name]


def folder() -> Path | None:
    """Where the benchmarks are stored (module docstring); None where nowhere is writable."""
    return jit.cache_folder(remembered)


def _path(name: str) -> Path | None:
    where = folder()
    return None if where is None else where / f"benchmarks-{name}.json"


def _read(path: Path) -> Benchmarks | None:
    """The benchmarks in ``path``; None if there are none or it cannot be read as such (a damaged file is
    computed again)."""
    try:
        data = json.loads(path.read_text())
        return Benchmarks(**{name: np.array(value, dtype=np.float64) if isinstance(value, list) else value
                             for name, value in data.items()})
    except (OSError, ValueError, TypeError):
        return None


def _write(benchmarks: Benchmarks, path: Path) -> None:
    """``benchmarks`` as JSON in ``path``, through a temporary name and an atomic rename (processes computing
    the same benchmarks at once each write a whole file); nothing if the folder is not writable."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(benchmarks.as_dict(), default=lambda number: number.item()))
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)

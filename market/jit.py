"""How the kernels that run inside a tick are compiled: ``tick_kernel`` and ``inner_kernel``.

numba reference-counts every array argument on entry to and exit from each compiled function
(an atomic add on the array's header) and, in functions with loops and branches, cannot prune
those pairs. With a few kernels per tick, and array views passed to a strategy kernel for every
repricing seller, that counting took half the time of a tick at 1,000 sellers and most of it at 10.

The kernels that run inside a tick allocate nothing: they read and write arrays their caller
holds (scratch included, which lives in the state), so they need no counting. ``tick_kernel``
compiles them without numba's runtime (``_nrt=False``; numba refuses to compile such a function
if it would allocate). The kernel called from Python, :func:`market.engine._advance`, keeps the
runtime and holds the state's arrays for the whole call.

Every compiled function reachable from the tick is a ``tick_kernel`` or an ``inner_kernel`` (or
inlined into one): numba compiles a callee with its caller's flags only when the callee is not
compiled yet, so a plain ``njit`` callee would be counted or not depending on what ran first.
``tests/market/test_jit.py`` compiles the engine first, on an empty cache, to check that
nothing reachable allocates.

An ``inner_kernel`` is called only from other kernels (it takes groups of the engine's state):
numba then builds no wrapper to call it from Python, which would unpack every array of its
arguments from Python objects and cost as much to compile as the kernel itself. Calling one
from Python crashes the interpreter; the engine's are private (``_name``) or documented as such.

**Kernels cannot go stale.** numba keys a function's cache by its own source file only, but a compiled kernel
holds the code of every kernel it calls (and the constants it reads) from other files: edit a strategy's
kernel and the engine, cached, would go on running the old one. Importing this module puts
:class:`KernelSourcesLocator` first among numba's cache locators: for every function of this package it
keeps numba's usual cache folder but stamps the cache with :func:`sources_fingerprint`, the SHA-256 of the
text of every module of the package that compiles kernels and of every module of the package those import.
Any edit to one of them makes every cached kernel of the package stale, so each is compiled again on first
use (a cold compile of the engine, minutes); an edit elsewhere (the Mesa model, results, screens) keeps the
cache. ``tests/market/test_jit.py`` edits a kernel in a copy of the tree and runs again on the same cache.
Every module of the package that compiles kernels imports this one (directly or through its imports).
"""

import functools
import hashlib
import inspect
import os
import re
from pathlib import Path

from numba import njit
from numba.core import caching

ROOT = Path(__file__).resolve().parent
_IMPL = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # numba 0.61 named it _CacheImpl
_IMPORT = re.compile(r"^\s*from (market[\w.]*) import ([\w, ()]+)|^\s*import (market[\w.]*)", re.M)


def tick_kernel(function):
    """``njit(cache=True)`` without reference counting, for functions that run inside a tick and allocate nothing."""
    return njit(cache=True, _nrt=False)(function)


def inner_kernel(function):
    """A ``tick_kernel`` that only other kernels call: compiled without the wrapper that Python would call."""
    return njit(cache=True, _nrt=False, no_cpython_wrapper=True, no_cfunc_wrapper=True)(function)


def _module_file(module: str) -> Path | None:
    parts = module.split(".")[1:]
    for path in (ROOT.joinpath(*parts).with_suffix(".py"), ROOT.joinpath(*parts, "__init__.py")):
        if path.is_file():
            return path
    return None


def kernel_sources() -> list[Path]:
    """The modules of the package that compile kernels (their text names numba or this module), and every module
    of the package that those import, directly or not; sorted."""
    texts = {path: path.read_text() for path in ROOT.rglob("*.py")}
    seen = {path for path, text in texts.items() if "numba" in text or "market.jit" in text}
    todo = list(seen)
    while todo:
        for imported, names, plain in _IMPORT.findall(texts[todo.pop()]):
            module = imported or plain
            found = [_module_file(module)]
            if imported and found[0] is not None and found[0].name == "__init__.py":
                found += [_module_file(f"{module}.{name.strip()}") for name in names.strip("()").split(",")]
            for path in found:
                if path is not None and path in texts and path not in seen:
                    seen.add(path)
                    todo.append(path)
    return sorted(seen)


@functools.cache
def sources_fingerprint() -> str:
    """SHA-256 over the relative path and bytes of each of :func:`kernel_sources` (computed once per process)."""
    digest = hashlib.sha256()
    for path in kernel_sources():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class KernelSourcesLocator(caching._CacheLocator):
    """numba's cache locator for the functions of this package: the folder numba would choose, stamped with
    :func:`sources_fingerprint` as well as the function's own file (module docstring)."""

    def __init__(self, inner: caching._CacheLocator):
        self._inner = inner
        self._py_file = getattr(inner, "_py_file", None)

    def ensure_cache_path(self):
        self._inner.ensure_cache_path()

    def get_cache_path(self):
        return self._inner.get_cache_path()

    def get_source_stamp(self):
        return self._inner.get_source_stamp(), sources_fingerprint()

    def get_disambiguator(self):
        return self._inner.get_disambiguator()

    @classmethod
    def from_function(cls, py_func, py_file):
        if not Path(os.path.abspath(py_file)).is_relative_to(ROOT):
            return None
        for other in _IMPL._locator_classes:
            if other is not cls and (inner := other.from_function(py_func, py_file)) is not None:
                return cls(inner)
        return None


def cache_folder(function) -> Path | None:
    """The folder in which numba caches the kernels of ``function``'s module (``NUMBA_CACHE_DIR``'s, else beside
    the sources, else the user's cache folder: the first writable); None where none is."""
    locator = KernelSourcesLocator.from_function(function, inspect.getfile(function))
    return None if locator is None else Path(locator.get_cache_path())


if KernelSourcesLocator not in _IMPL._locator_classes:
    _IMPL._locator_classes.insert(0, KernelSourcesLocator)

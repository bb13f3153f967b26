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
"""

from numba import njit


def tick_kernel(function):
    """``njit(cache=True)`` without reference counting, for functions that run inside a tick and allocate nothing."""
    return njit(cache=True, _nrt=False)(function)


def inner_kernel(function):
    """A ``tick_kernel`` that only other kernels call: compiled without the wrapper that Python would call."""
    return njit(cache=True, _nrt=False, no_cpython_wrapper=True, no_cfunc_wrapper=True)(function)

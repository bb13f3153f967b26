"""How kernels that take the engine's state are compiled.

The state (:class:`market.engine.State`) is a tuple of about 130 arrays. numba reference-counts
every array of a tuple argument on entry to and exit from each compiled function that takes it
(an atomic add on each array's header) and, in functions with loops and branches, cannot prune
those pairs. With the state passed to a few kernels per tick and to one per repricing learner,
that counting took half the time of a tick at 1,000 sellers and most of it at 10.

Kernels that take the state allocate nothing: they read and write the arrays the caller holds,
so they need no counting. ``state_kernel`` compiles them without numba's runtime (``_nrt=False``:
numba refuses to compile such a function if it would allocate). The kernel called from Python,
:func:`market.engine._advance`, keeps the runtime and holds the state's arrays for the call.

numba compiles a callee with its caller's flags unless the callee was compiled before, so
*everything reachable from a state kernel* must allocate nothing too (scratch arrays come from
the state), whichever is compiled first; ``tests/market/test_jit.py`` compiles the engine first
on an empty cache to check it.
"""

from numba import njit


def state_kernel(function):
    """``njit(cache=True)`` without reference counting, for kernels that take the state and allocate nothing."""
    return njit(cache=True, _nrt=False)(function)

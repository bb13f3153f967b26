"""Pricing strategies: a registry of specs, their numba kernels, and the dispatch generated from them.

Importing this package registers every strategy and builds the dispatch; ``get(name)`` returns a spec.
"""

from market.strategies import dispatch  # noqa: F401  (imports every strategy module, then builds the dispatch)
from market.strategies.registry import MAX_PARAMS, MEMORY_SLOTS, Param, StrategySpec, get, names, select

__all__ = ["MAX_PARAMS", "MEMORY_SLOTS", "Param", "StrategySpec", "get", "names", "select"]

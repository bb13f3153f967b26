"""Pricing strategies: a registry of specs and their numba kernels.

Importing this package registers every strategy; ``registry.get(name)`` returns a spec.
"""

from market.strategies import learning, reactive, responsive, rules, trigger  # noqa: F401  (registers the specs)
from market.strategies.registry import MAX_PARAMS, MEMORY_SLOTS, Param, StrategySpec, get, names, select

__all__ = ["MAX_PARAMS", "MEMORY_SLOTS", "Param", "StrategySpec", "get", "names", "select"]

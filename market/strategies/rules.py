"""Strategies that ignore rivals: a fixed price and cost-plus pricing.

Rule kernels share one signature, ``kernel(cost, rival_min, platform_price, minute, param, memory)``
(:mod:`market.strategies.dispatch`), and use what they need of it.
"""

from market.jit import inner_kernel
from market.strategies.registry import Param, StrategySpec, register


@inner_kernel
def fixed_price(cost, rival_min, platform_price, minute, param, memory):
    """p = param[0]."""
    return param[0]


@inner_kernel
def cost_plus(cost, rival_min, platform_price, minute, param, memory):
    r"""p = c (1 + m), with m = param[0]."""
    return cost * (1.0 + param[0])


FIXED = register(StrategySpec(
    name="fixed",
    doc="Always charge the same price.",
    source="Benchmark rule; e.g. the list price of a shop without a repricer.",
    kernel=fixed_price,
    params=(Param("price", "nash", 0.0, 1e9, "the price charged", is_price=True, tune=("cost", "monopoly")),),
))

COST_PLUS = register(StrategySpec(
    name="cost_plus",
    doc="Charge marginal cost times (1 + markup).",
    source="Full-cost pricing; Hall and Hitch (1939), Oxford Economic Papers.",
    kernel=cost_plus,
    params=(Param("markup", 0.2, 0.0, 100.0, "markup as a share of marginal cost", tune=(0.0, 3.0)),),
))

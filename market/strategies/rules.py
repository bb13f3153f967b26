"""Strategies that ignore rivals: a fixed price and cost-plus pricing."""

from numba import njit

from market.strategies.registry import Param, StrategySpec, register

FIXED = register(StrategySpec(
    name="fixed",
    id=0,
    doc="Always charge the same price.",
    source="Benchmark rule; e.g. the list price of a shop without a repricer.",
    params=(Param("price", "nash", 0.0, 1e9, "the price charged", is_price=True),),
))

COST_PLUS = register(StrategySpec(
    name="cost_plus",
    id=1,
    doc="Charge marginal cost times (1 + markup).",
    source="Full-cost pricing; Hall and Hitch (1939), Oxford Economic Papers.",
    params=(Param("markup", 0.2, 0.0, 100.0, "markup as a share of marginal cost"),),
))


@njit(cache=True, inline="always")
def fixed_price(param):
    """p = param[0]."""
    return param[0]


@njit(cache=True, inline="always")
def cost_plus(cost, param):
    r"""p = c (1 + m), with m = param[0]."""
    return cost * (1.0 + param[0])

r"""Repricers that react to the lowest rival price: match, undercut, Edgeworth resetting; or to the platform's.

Each sees :math:`\underline{p}_{-i}`, the lowest price among the rivals it observes
(``+inf`` when it has none), and answers within its own floor and ceiling. The kernels share
the rule signature ``kernel(cost, rival_min, platform_price, param, memory)``.
"""

from numba import njit

from market.jit import inner_kernel
from market.strategies.registry import Param, StrategySpec, register

_PRICES = ("cost", "monopoly")  # a re-tuned floor, ceiling or reset lies between marginal cost and the monopoly price
_FLOOR = Param("floor", "cost", 0.0, 1e9, "lowest price the repricer will set", is_price=True, tune=_PRICES)
_CEILING = Param("ceiling", "monopoly", 0.0, 1e9, "highest price the repricer will set", is_price=True, tune=_PRICES)
_STEP = Param("step", 0.01, 0.0, 1e6, "undercut, in currency units", tune=(0.0, 0.25))


@njit(cache=True, inline="always")
def _clip(p, floor, ceiling):
    return min(max(p, floor), ceiling)


@inner_kernel
def match_lowest(cost, rival_min, platform_price, param, memory):
    r"""p = clip(lowest rival price, floor, ceiling); param = (floor, ceiling)."""
    return _clip(rival_min, param[0], param[1])


@inner_kernel
def undercut(cost, rival_min, platform_price, param, memory):
    r"""p = clip(lowest rival price - step, floor, ceiling); param = (step, floor, ceiling)."""
    return _clip(rival_min - param[0], param[1], param[2])


@inner_kernel
def edgeworth(cost, rival_min, platform_price, param, memory):
    r"""p = lowest rival - step if that is >= floor, else the reset price; param = (step, floor, reset)."""
    target = rival_min - param[0]
    if target < param[1]:
        return param[2]
    return min(target, param[2])


@inner_kernel
def match_platform(cost, rival_min, platform_price, param, memory):
    r"""p = clip(the platform's price, floor, ceiling); param = (floor, ceiling)."""
    return _clip(platform_price, param[0], param[1])


MATCH_LOWEST = register(StrategySpec(
    name="match_lowest",
    doc="Charge the lowest rival price, within [floor, ceiling].",
    source="Price-matching repricers; Chen, Mislove and Wilson (2016), WWW, on Amazon Marketplace.",
    kernel=match_lowest,
    params=(_FLOOR, _CEILING),
    uses_rival_prices=True,
))

UNDERCUT = register(StrategySpec(
    name="undercut",
    doc="Charge the lowest rival price minus a step, within [floor, ceiling]: the marketplace repricer.",
    source="Chen, Mislove and Wilson (2016), WWW; the seed article's 'match or undercut within 10 minutes'.",
    kernel=undercut,
    params=(_STEP, _FLOOR, _CEILING),
    uses_rival_prices=True,
))

EDGEWORTH = register(StrategySpec(
    name="edgeworth",
    doc="Undercut the lowest rival by a step; when that would fall below the floor, jump back to the reset price.",
    source="Maskin and Tirole (1988), Econometrica; Noel (2007), Review of Economics and Statistics.",
    kernel=edgeworth,
    params=(_STEP, _FLOOR, Param("reset", "monopoly", 0.0, 1e9, "price after a reset", is_price=True,
                                           tune=_PRICES)),
    uses_rival_prices=True,
))

MATCH_PLATFORM = register(StrategySpec(
    name="match_platform",
    doc="Charge the platform's price as last seen, within [floor, ceiling]: a shop that tracks the platform.",
    source="FTC v. Amazon (2023) complaint, on rivals' algorithms that follow Amazon's prices ('Project Nessie').",
    kernel=match_platform,
    params=(_FLOOR, _CEILING),
    uses_rival_prices=True,
))

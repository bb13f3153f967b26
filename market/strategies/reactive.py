r"""Repricers that react to the lowest rival price: match, undercut, Edgeworth resetting, resetting at an hour;
or to the platform's.

Each sees :math:`\underline{p}_{-i}`, the lowest price among the rivals it observes
(``+inf`` when it has none), and answers within its own floor and ceiling. The kernels share
the rule signature ``kernel(cost, rival_min, platform_price, minute, param, memory)``
(:mod:`market.strategies.dispatch`); ``resetting`` reads the clock.
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
def match_lowest(cost, rival_min, platform_price, minute, param, memory):
    r"""p = clip(lowest rival price, floor, ceiling); param = (floor, ceiling)."""
    return _clip(rival_min, param[0], param[1])


@inner_kernel
def undercut(cost, rival_min, platform_price, minute, param, memory):
    r"""p = clip(lowest rival price - step, floor, ceiling); param = (step, floor, ceiling)."""
    return _clip(rival_min - param[0], param[1], param[2])


@inner_kernel
def edgeworth(cost, rival_min, platform_price, minute, param, memory):
    r"""p = lowest rival - step if that is >= floor, else the reset price; param = (step, floor, reset)."""
    target = rival_min - param[0]
    if target < param[1]:
        return param[2]
    return min(target, param[2])


@inner_kernel
def resetting(cost, rival_min, platform_price, minute, param, memory):
    r"""Undercut by day, reset at an hour: param = (step, floor, reset, hour, hold_hours).

    The first time the repricer runs at or after ``hour``:00 each day (at minute :math:`m`, minutes since
    day 0, 00:00) it charges ``reset`` and holds it for ``hold_hours``; otherwise
    :math:`p = \min(\max(\underline{p}_{-i} - \text{step}, \text{floor}), \text{reset})`. The latest reset
    time due is :math:`r = 1440 \lfloor m / 1440 \rfloor + 60\,\text{hour}`, a day earlier when that is
    still ahead; memory[0] is one past the minute of the last reset (0: none yet), so the repricer resets
    when :math:`r \ge 0` and memory[0] :math:`\le r`; memory[1] is the minute the hold ends.
    """
    reset = param[2]
    due = (minute // 1440) * 1440 + param[3] * 60.0
    if minute < due:
        due -= 1440.0
    if due >= 0.0 and memory[0] <= due:
        memory[0] = minute + 1.0
        memory[1] = minute + param[4] * 60.0
        return reset
    if minute < memory[1]:
        return reset
    return min(max(rival_min - param[0], param[1]), reset)


@inner_kernel
def match_platform(cost, rival_min, platform_price, minute, param, memory):
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

RESETTING = register(StrategySpec(
    name="resetting",
    doc="Undercut the lowest rival by a step (within floor and the reset price) during the day; at a given hour "
        "reset to a high price and hold it a while, the repricers' 'nightly reset'.",
    source="Musolff (2022), 'Algorithmic Pricing Facilitates Tacit Collusion: Evidence from E-Commerce', ACM EC: "
           "'resetting' strategies, which regularly raise prices (e.g. at night), coax competitors to raise theirs.",
    kernel=resetting,
    params=(_STEP, _FLOOR, Param("reset", "monopoly", 0.0, 1e9, "price charged at the reset", is_price=True,
                                 tune=_PRICES),
            Param("hour", 2.0, 0.0, 23.0, "hour of the day of the reset (0-23; a fraction gives minutes, 2.5 = 2:30)",
                  tune=(0.0, 23.0)),
            Param("hold_hours", 1.0, 0.0, 24.0, "hours the reset price is held before undercutting resumes",
                  tune=(0.0, 24.0))),
    uses_rival_prices=True,
    uses_clock=True,
    memory=2,
))

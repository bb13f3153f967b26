r"""Conditional cooperation: tit-for-tat and grim trigger in prices.

Both charge the cooperative price ``high`` while every observed rival price is at least
``trigger`` (less a tolerance of 1e-9), and the punishment price ``low`` otherwise;
tit-for-tat forgives as soon as rivals return, grim trigger never does. The kernels share the
rule signature ``kernel(cost, rival_min, platform_price, minute, param, memory)``.
"""

from market.jit import inner_kernel
from market.strategies.registry import Param, StrategySpec, register

_TOLERANCE = 1e-9
_PRICES = ("cost", "monopoly")  # re-tuned prices lie between marginal cost and the monopoly price
_PARAMS = (
    Param("high", "monopoly", 0.0, 1e9, "cooperative price", is_price=True, tune=_PRICES),
    Param("low", "nash", 0.0, 1e9, "punishment price", is_price=True, tune=_PRICES),
    Param("trigger", "monopoly", 0.0, 1e9, "rival prices below this count as a defection", is_price=True,
          tune=_PRICES),
)


@inner_kernel
def tit_for_tat(cost, rival_min, platform_price, minute, param, memory):
    """param = (high, low, trigger)."""
    if rival_min >= param[2] - _TOLERANCE:
        return param[0]
    return param[1]


@inner_kernel
def grim_trigger(cost, rival_min, platform_price, minute, param, memory):
    """param = (high, low, trigger); memory[0] = 1 once triggered."""
    if memory[0] > 0.0 or rival_min < param[2] - _TOLERANCE:
        memory[0] = 1.0
        return param[1]
    return param[0]


TIT_FOR_TAT = register(StrategySpec(
    name="tit_for_tat",
    doc="Cooperate (high) if no rival priced below the trigger last time it looked, else punish (low).",
    source="Axelrod (1984), The Evolution of Cooperation; in prices, Kalai and Stanford (1985).",
    kernel=tit_for_tat,
    params=_PARAMS,
    uses_rival_prices=True,
))

GRIM_TRIGGER = register(StrategySpec(
    name="grim_trigger",
    doc="Cooperate (high) until any rival prices below the trigger, then punish (low) for ever.",
    source="Friedman (1971), Review of Economic Studies.",
    kernel=grim_trigger,
    params=_PARAMS,
    uses_rival_prices=True,
    memory=1,
))

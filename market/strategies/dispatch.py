"""Dispatch from a strategy id to its kernel, for the strategies that need only local information."""

import numpy as np

from market.jit import tick_kernel
from market.strategies import reactive, rules, trigger

FIXED_ID = rules.FIXED.id
COST_PLUS_ID = rules.COST_PLUS.id
MATCH_LOWEST_ID = reactive.MATCH_LOWEST.id
MATCH_PLATFORM_ID = reactive.MATCH_PLATFORM.id
UNDERCUT_ID = reactive.UNDERCUT.id
EDGEWORTH_ID = reactive.EDGEWORTH.id
TIT_FOR_TAT_ID = trigger.TIT_FOR_TAT.id
GRIM_TRIGGER_ID = trigger.GRIM_TRIGGER.id


@tick_kernel
def rule_price(strategy, cost, rival_min, platform_price, param, memory):
    """New price of a rule-based seller; NaN for an id this dispatcher does not handle.

    ``rival_min`` is the lowest rival price the seller sees, ``platform_price`` the platform's
    (``+inf`` where there is none).
    """
    if strategy == UNDERCUT_ID:
        return reactive.undercut(rival_min, param)
    if strategy == MATCH_LOWEST_ID:
        return reactive.match_lowest(rival_min, param)
    if strategy == MATCH_PLATFORM_ID:
        return reactive.match_lowest(platform_price, param)
    if strategy == EDGEWORTH_ID:
        return reactive.edgeworth(rival_min, param)
    if strategy == FIXED_ID:
        return rules.fixed_price(param)
    if strategy == COST_PLUS_ID:
        return rules.cost_plus(cost, param)
    if strategy == TIT_FOR_TAT_ID:
        return trigger.tit_for_tat(rival_min, param)
    if strategy == GRIM_TRIGGER_ID:
        return trigger.grim_trigger(rival_min, param, memory)
    return np.nan

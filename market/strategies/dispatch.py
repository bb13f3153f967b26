"""The engine's dispatch from a strategy id to its kernel, generated from the registry.

Every registered strategy belongs to one family, and the kernels of a family share a signature:

* ``rule``: ``kernel(cost, rival_min, platform_price, minute, param, memory) -> price``: local
  information only: the seller's marginal cost, the lowest rival price and the platform's price
  it sees (``+inf`` where there is none), and the clock, ``minute`` (int64: minutes since day 0,
  00:00, a Monday; the minute of the day is ``minute % 1440``, the weekday ``minute // 1440 % 7``);
  ``param`` is the seller's resolved parameter row, ``memory`` its ``MEMORY_SLOTS`` floats, which
  the kernel may rewrite (zeros at the start). The engine calls it when the seller reprices; a
  replay of observed prices (one step ahead) calls ``rule_price`` with the same arguments;
* ``response``: ``kernel(i, seen, period, market, rule, featured, responses) -> price``: the prices
  seen, the market's demand, the rules in force, the offer featured last tick and work arrays, for best
  responses;
* ``learner``: ``observe(observed, rival_min, grid) -> state`` then
  ``kernel(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn) -> price``;
* ``outside``: ``kernel(i, outside) -> price``: the price a Python object gave when the engine
  asked it (:mod:`market.outside`).

Each dispatcher below tries its family's kernels in id order (unrolled at compile time, so a
call costs a few integer comparisons; the rules in two loops of at most ``UNROLL``). The tables are
built once every strategy module has
registered its specs, and the registry is then sealed: a strategy the dispatch does not know
cannot exist, so no seller is ever priced by a missing branch.
"""

import warnings

import numpy as np
from numba import literal_unroll
from numba.core.errors import NumbaExperimentalFeatureWarning

from market.jit import tick_kernel
from market.strategies import learning, outside, reactive, registry, responsive, rules, trigger  # noqa: F401

# numba types a tuple of kernels as first-class functions, and says so once per compile.
warnings.filterwarnings("ignore", message="First-class function type", category=NumbaExperimentalFeatureWarning)

RULES = tuple((spec.id, spec.kernel) for spec in registry.family("rule"))
# A dispatcher's loop tries at most UNROLL kernels: with a ninth rule in the one loop the engine's rule markets ran
# 1.8 times slower (10 sellers; pricelab bench --only seller_ticks), so the rules come in two loops.
UNROLL = 8
if len(RULES) > 2 * UNROLL:
    raise ImportError(f"{len(RULES)} rule strategies: the rule dispatch holds {2 * UNROLL}; give it a third loop")
RULES_LOW, RULES_HIGH = RULES[:UNROLL], RULES[UNROLL:] or RULES[:1]  # (RULES[:1]: a loop never reached)
RESPONSES = tuple((spec.id, spec.kernel) for spec in registry.family("response"))
LEARNERS = tuple((spec.id, spec.observe, spec.kernel) for spec in registry.family("learner"))
OUTSIDES = tuple((spec.id, spec.kernel) for spec in registry.family("outside"))
registry.seal()


@tick_kernel
def rule_price(strategy, cost, rival_min, platform_price, minute, param, memory):
    """New price of a seller whose strategy (its registry id) is of the ``rule`` family (the module docstring)."""
    if strategy > RULES_LOW[-1][0]:
        return _rules_high(strategy, cost, rival_min, platform_price, minute, param, memory)
    return _rules_low(strategy, cost, rival_min, platform_price, minute, param, memory)


# The two loops read their tables as globals: a table passed as an argument is a tuple of function pointers,
# called indirectly, which ran the engine's rule markets 2.5 times slower.
@tick_kernel
def _rules_low(strategy, cost, rival_min, platform_price, minute, param, memory):
    """``rule_price`` among the first ``UNROLL`` rule kernels."""
    price = np.nan
    for entry in literal_unroll(RULES_LOW):
        if entry[0] == strategy:
            price = entry[1](cost, rival_min, platform_price, minute, param, memory)
    return price


@tick_kernel
def _rules_high(strategy, cost, rival_min, platform_price, minute, param, memory):
    """``rule_price`` among the rule kernels after the first ``UNROLL``."""
    price = np.nan
    for entry in literal_unroll(RULES_HIGH):
        if entry[0] == strategy:
            price = entry[1](cost, rival_min, platform_price, minute, param, memory)
    return price


@tick_kernel
def response_price(strategy, i, seen, period, market, rule, featured, responses):
    """New price of seller ``i``, whose strategy is of the ``response`` family."""
    price = np.nan
    for entry in literal_unroll(RESPONSES):
        if entry[0] == strategy:
            price = entry[1](i, seen, period, market, rule, featured, responses)
    return price


@tick_kernel
def learner_state(strategy, observed, rival_min, grid):
    """The row of its table that a learning seller is in (see ``market.strategies.learning``)."""
    state = 0
    for entry in literal_unroll(LEARNERS):
        if entry[0] == strategy:
            state = entry[1](observed, rival_min, grid)
    return state


@tick_kernel
def learner_price(strategy, q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn=True):
    """New price of a learning seller (``market.strategies.learning``).

    With ``learn`` false the seller is frozen: it plays its greedy policy (the action of highest
    value in the state it sees) and its table does not change; the prober has no table and goes on.
    """
    price = np.nan
    for entry in literal_unroll(LEARNERS):
        if entry[0] == strategy:
            price = entry[2](q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn)
    return price


@tick_kernel
def outside_price(strategy, i, group):
    """New price of seller ``i``, priced from outside the engine (``group``: the state's ``outside``)."""
    price = np.nan
    for entry in literal_unroll(OUTSIDES):
        if entry[0] == strategy:
            price = entry[1](i, group)
    return price

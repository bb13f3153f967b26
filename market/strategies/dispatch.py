"""The engine's dispatch from a strategy id to its kernel, generated from the registry.

Every registered strategy belongs to one family, and the kernels of a family share a signature:

* ``rule``: ``kernel(cost, rival_min, platform_price, minute, param, memory) -> price``: local
  information only: the seller's marginal cost, the lowest rival price and the platform's price
  it sees (``+inf`` where there is none), and the clock, ``minute`` (int64: minutes since day 0,
  00:00, a Monday; the minute of the day is ``minute % 1440``, the weekday ``minute // 1440 % 7``);
  ``param`` is the seller's resolved parameter row, ``memory`` its ``MEMORY_SLOTS`` floats, which
  the kernel may rewrite (zeros at the start). The engine calls it when the seller reprices; a
  replay of observed prices (one step ahead) calls ``rule_price`` with the same arguments;
* ``response``: ``kernel(i, seen, period, market, responses) -> price``: the prices seen, the
  market's demand and work arrays, for best responses;
* ``learner``: ``observe(observed, rival_min, grid) -> state`` then
  ``kernel(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn) -> price``;
* ``outside``: ``kernel(i, outside) -> price``: the price a Python object gave when the engine
  asked it (:mod:`market.outside`).

Each dispatcher below tries its family's kernels in id order (unrolled at compile time, so a
call costs a few integer comparisons). The tables are built once every strategy module has
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
RESPONSES = tuple((spec.id, spec.kernel) for spec in registry.family("response"))
LEARNERS = tuple((spec.id, spec.observe, spec.kernel) for spec in registry.family("learner"))
OUTSIDES = tuple((spec.id, spec.kernel) for spec in registry.family("outside"))
registry.seal()


@tick_kernel
def rule_price(strategy, cost, rival_min, platform_price, minute, param, memory):
    """New price of a seller whose strategy (its registry id) is of the ``rule`` family (the module docstring)."""
    price = np.nan
    for entry in literal_unroll(RULES):
        if entry[0] == strategy:
            price = entry[1](cost, rival_min, platform_price, minute, param, memory)
    return price


@tick_kernel
def response_price(strategy, i, seen, period, market, responses):
    """New price of seller ``i``, whose strategy is of the ``response`` family."""
    price = np.nan
    for entry in literal_unroll(RESPONSES):
        if entry[0] == strategy:
            price = entry[1](i, seen, period, market, responses)
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

"""The ``outside`` strategy: a seller priced by a Python object, a user's rule, a deep-RL policy or an LLM.

Its kernel prices with the answer the engine got when it asked (:mod:`market.outside`): at the
start of a tick at which such a seller reprices, the engine hands it the observation an engine
strategy would see and takes its price; the rules in force then apply as to any other price.
The kernel of the ``outside`` family has the signature ``kernel(i, outside) -> price``, with
``outside`` the state's group of outside sellers (:class:`market.state.Outside`).
"""

from market.jit import inner_kernel
from market.strategies.registry import StrategySpec, register


@inner_kernel
def answered_price(i, outside):
    """The price seller i's pricer gave for this tick; its profit since it last repriced starts again from 0."""
    k = outside.slot[i]
    outside.profit_since[k] = 0.0
    outside.ticks_since[k] = 0
    return outside.answer[k]


OUTSIDE = register(StrategySpec(
    name="outside",
    doc="Ask a Python object for the price (market.outside): a user's rule, a deep-RL policy, an LLM.",
    source="Outside algorithms, e.g. deep RL pricers (stable-baselines3) and LLM pricing agents (Fish, Gonczarowski "
           "and Shorrer 2024, 'Algorithmic Collusion by Large Language Models').",
    kernel=answered_price, family="outside", uses_rival_prices=True,
))

"""Sellers priced from outside the engine: a Python object (a user's rule, a deep-RL policy, an LLM) asked for a price.

A *pricer* is any object with a method ``price(observation) -> float`` and, optionally, ``reset()``
(called before a run starts). Name the sellers it prices with ``agents={"shop_a": pricer}`` in
``PricingModel``, ``engine.run`` and the environments of :mod:`market.env`: their strategy becomes
``outside`` (:mod:`market.strategies.outside`), the others keep theirs. A scenario may also name
``strategy = "outside"`` itself; its pricer is still given in Python: configurations stay data.

The engine runs in one numba call. At the start of a tick at which an outside seller reprices
(its period and phase; only at the daily tick under a daily-price rule; not while a deviation is
forced on it; not under a ban on rival-conditioned pricing, since it sees rivals' prices) the
kernel asks: it calls back into Python, which asks each such seller's pricer, or, in an
environment, it returns, and the environment hands the prices of the agents' actions back.
Then the tick runs as for any other strategy: the price goes through the rules in force (price
bounds, caps on changes, increases only at the hour, a brand's minimum advertised price), and the
random numbers are those of (seed, stream, tick, seller), so a Python copy of an engine strategy
gives the engine's numbers bit for bit.

The :class:`Observation` holds what an engine strategy sees at that tick: the prices of tick
:math:`t - 1 - \\max(\\text{lag}, \\text{min lag}) - \\text{notice}` (its own: its current price),
its marginal cost and current price, its profit since it last repriced, the tick and the time
of day, and the rules in force. A price that is not a finite number > 0 raises
:class:`market.errors.OutsideError` naming the seller and the tick, and the tick is not run.
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from typing import NamedTuple, Protocol

import numpy as np

from market.errors import OutsideError, PricerError, shorten
from market.interventions import SLOT_NAMES
from market.scenario import Scenario
from market.state import State
from market.strategies.outside import OUTSIDE

PRICE_RULE = "must be a finite number > 0"


class Observation(NamedTuple):
    """What an outside seller sees when it is asked for the price of tick ``tick``.

    ``prices`` are every seller's prices in the order of ``names``, as this seller sees them:
    rivals' of the tick its lag (and the rules) let it see, its own current price; ``profit`` is
    what it earned over the ``ticks`` ticks since it last repriced (after fees, summed over them);
    ``rules`` maps each slot of :data:`market.interventions.SLOT_NAMES` to its value in force, and
    ``floor`` and ``ceiling`` to this seller's legal price bounds (a fresh dict each time: it can be kept,
    copied and pickled).
    """

    seller: str
    index: int
    tick: int
    minute_of_day: int
    names: tuple[str, ...]
    prices: np.ndarray
    cost: float
    price: float
    profit: float
    ticks: int
    rules: dict[str, float]

    @property
    def rival_prices(self) -> np.ndarray:
        """The rivals' prices it sees, in the order of ``names`` without its own."""
        return np.delete(self.prices, self.index)

    @property
    def rival_min(self) -> float:
        """The lowest rival price it sees; +inf without rivals."""
        return float(self.rival_prices.min()) if len(self.names) > 1 else math.inf


class Pricer(Protocol):
    """A seller's pricing rule run in Python: ``price`` is asked each time the seller reprices."""

    def price(self, observation: Observation) -> float: ...


def check_agents(scenario: Scenario, agents: Mapping[str, object], label: str = "agents") -> None:
    """Raise ``OutsideError`` for an ``agents`` that is not a mapping from seller names to pricers (``label``: the
    argument's name in the message)."""
    if not isinstance(agents, Mapping):
        raise OutsideError(f"{label} = {agents!r}: must map seller names to pricers, e.g. {{'shop_a': MyPricer()}}")
    names = [s.name for s in scenario.sellers]
    for name, pricer in agents.items():
        if name not in names:
            raise OutsideError(f"{label}[{name!r}]: unknown seller; the sellers are {', '.join(names)}")
        if isinstance(pricer, type):
            raise OutsideError(f"{label}[{name!r}] = the class {pricer.__name__}: give a pricer object, e.g. "
                               f"{pricer.__name__}()")
        if not callable(getattr(pricer, "price", None)):
            raise OutsideError(f"{label}[{name!r}] = {type(pricer).__name__} object: has no price(observation) "
                               f"method")


def assign(scenario: Scenario, names) -> Scenario:
    """A copy of ``scenario`` in which the sellers ``names`` are priced from outside (strategy ``outside``, no
    parameters, no vendor: their pricer is their algorithm)."""
    data = scenario.model_dump()
    for seller in data["sellers"]:
        if seller["name"] in names:
            seller["strategy"], seller["params"], seller["vendor"] = OUTSIDE.name, {}, None
    return Scenario.from_dict(data)


def outside_names(scenario: Scenario) -> list[str]:
    """The sellers of ``scenario`` priced from outside, in the engine's order."""
    return [s.name for s in scenario.sellers if s.strategy == OUTSIDE.name]


def bind(scenario: Scenario, agents: Mapping[str, object] | None) -> tuple[Scenario, "Pricers | None"]:
    """The scenario with the sellers of ``agents`` priced from outside, and their :class:`Pricers`, reset.

    Without ``agents`` the scenario is returned as it is (and None), unless it names outside
    sellers itself: then ``OutsideError``, since their pricers are missing.
    """
    if not agents:
        missing = outside_names(scenario)
        if missing:
            raise OutsideError(f"sellers {', '.join(missing)}: priced from outside (strategy 'outside'); give "
                               f"their pricers: agents={{{missing[0]!r}: MyPricer()}} in Python, --agent "
                               f"{missing[0]}=MODULE:NAME on the command line")
        return scenario, None
    check_agents(scenario, agents)
    scenario = assign(scenario, set(agents))
    return scenario, Pricers(scenario, agents)


class Pricers:
    """The pricers of a market's outside sellers, in the engine's order, and the names the observations carry.

    Every outside seller of ``scenario`` needs a pricer in ``agents`` (``OutsideError`` otherwise), but those
    named in ``by_caller``, whose prices the caller gives itself (an environment's agents: their pricer is
    None). Pricers that have ``bind`` are given the scenario; those that have ``reset`` are reset.
    """

    def __init__(self, scenario: Scenario, agents: Mapping[str, object], by_caller: Sequence[str] = (),
                 label: str = "agents"):
        check_agents(scenario, agents, label)
        self.sellers = outside_names(scenario)
        missing = [name for name in self.sellers if name not in agents and name not in by_caller]
        if missing:
            raise OutsideError(f"{label}: no pricer for {', '.join(missing)} (priced from outside)")
        self.names = tuple(s.name for s in scenario.sellers)
        self.tick_minutes = scenario.tick_minutes
        self.pricers = [agents.get(name) for name in self.sellers]
        for name, pricer in zip(self.sellers, self.pricers, strict=True):
            _hook(name, pricer, "bind", scenario)  # a pricer that needs its market (an LLM: currency, the run's ids)
        self.reset()

    def reset(self) -> None:
        """Reset the pricers that have ``reset``: a new run starts."""
        for name, pricer in zip(self.sellers, self.pricers, strict=True):
            _hook(name, pricer, "reset")

    def observe(self, state: State, k: int) -> Observation:
        """What outside seller ``k`` (its position among the outside sellers) sees now."""
        return observe(state, k, self.names, self.tick_minutes)

    def ask(self, state: State) -> None:
        """Give the engine the price of every outside seller it asked at this tick that has a pricer."""
        asked = state.outside.asked
        for k, pricer in enumerate(self.pricers):
            if asked[k] and pricer is not None:
                give(state, k, _asked(pricer, self.observe(state, k)), self.sellers[k])

    def answer(self, state: State) -> None:
        """Ask the pricers (``ask``); then the tick is answered, and the engine goes on with it."""
        self.ask(state)
        state.outside.answered[0] = state.clock[0]


def _hook(seller: str, pricer, hook: str, *args) -> None:
    """``pricer.<hook>(*args)`` if the pricer has it; ``PricerError`` naming the seller if its code raises."""
    method = getattr(pricer, hook, None)
    if not callable(method):
        return
    try:
        method(*args)
    except OutsideError:
        raise
    except Exception as err:
        raise PricerError(f"seller {seller!r}: its pricer's {hook}() raised {type(err).__name__}: "
                          f"{shorten(str(err))}") from err


def _asked(pricer, observation: Observation):
    """``pricer.price(observation)``; ``PricerError`` naming the seller and the tick if the pricer's code raises
    (its own ``OutsideError``, such as an LLM's reply without a price, passes as it is)."""
    try:
        return pricer.price(observation)
    except OutsideError:
        raise
    except Exception as err:
        raise PricerError(f"seller {observation.seller!r} at tick {observation.tick}: its pricer raised "
                          f"{type(err).__name__}: {shorten(str(err))}") from err


def observe(state: State, k: int, names: tuple[str, ...], tick_minutes: int) -> Observation:
    """The observation of outside seller ``k`` (its position among the outside sellers) at the current tick."""
    outside, sellers = state.outside, state.sellers
    i = int(outside.seller[k])
    t = int(state.clock[0])
    prices = sellers.history[outside.seen[k] % sellers.history.shape[0]].copy()
    prices[i] = sellers.price[i]
    rules = dict(zip(SLOT_NAMES, state.rules.value.tolist(), strict=True))
    rules["floor"], rules["ceiling"] = float(state.rules.floor[i]), float(state.rules.ceiling[i])
    return Observation(seller=names[i], index=i, tick=t, minute_of_day=(t % state.market.ticks_per_day) * tick_minutes,
                       names=names, prices=prices, cost=float(state.market.cost[i]), price=float(sellers.price[i]),
                       profit=float(outside.profit_since[k]), ticks=int(outside.ticks_since[k]),
                       rules=rules)


def give(state: State, k: int, price, seller: str) -> None:
    """Give the engine ``price`` for outside seller ``k`` at the current tick; ``OutsideError`` if it is no price."""
    number = price if isinstance(price, float | np.floating) or not isinstance(price, int | np.integer) \
        else float(price) if abs(price) < 2**1023 else math.inf  # 10**400 is no float: too large
    if isinstance(price, bool) or not isinstance(price, int | float | np.integer | np.floating) \
            or not (math.isfinite(number) and number > 0.0):
        raise OutsideError(f"seller {seller!r} at tick {int(state.clock[0])}: price = {shorten(repr(price))}: "
                           f"{PRICE_RULE}")
    state.outside.answer[k] = price


_CALLERS: dict[int, tuple[State, Pricers]] = {}
_NUMBERS = itertools.count()


@contextmanager
def calling(state: State, pricers: Pricers):
    """Let the kernel call back into Python to ask ``pricers`` while it advances ``state``: yields the ``caller``
    to give the kernel (``market.engine``), registered for ``answer_caller`` until the block ends."""
    caller = next(_NUMBERS)
    _CALLERS[caller] = (state, pricers)
    try:
        yield np.full(1, caller, dtype=np.int64)
    finally:
        del _CALLERS[caller]


def answer_caller(caller: int) -> None:
    """Called by the kernel (``market.engine``): the pricers registered as ``caller`` answer the sellers asked."""
    state, pricers = _CALLERS[caller]
    pricers.answer(state)

"""Many copies of a market stepped in one numba call: ``VectorMarketEnv``, a Gymnasium vector environment.

The copies are one record array (:func:`stack`): a record holds every array and scalar of one
copy's state, side by side in memory, so the step kernel reaches all of a copy from one pointer.
The kernel visits each copy in turn, viewing its record as the engine's groups (:func:`_copy_of`),
hands its agents their prices and runs it with the engine's own ticks (``market.engine._advance``)
to the next tick at which the agents reprice, as :class:`market.env.MarketEnv` does for one
market, so copy ``b`` on seed ``s`` plays exactly ``MarketEnv`` on seed ``s``. (Copies kept as a
leading axis of every array cost four times as much a step at two sellers: the kernel then
rebuilt about 80 views a copy from as many base pointers, and spilled them.)

The copies share a clock: when a seller reprices depends on the scenario and the rules, never
on a random draw, so every copy asks its agents at the same ticks and ends its episode at the
same step. Episodes restart at the step after the one that ended them (Gymnasium's
``NEXT_STEP`` autoreset): that step ignores the actions and returns the first observations,
with zero rewards.

Actions come as an array: with one agent, ``(num_envs,)`` grid indices or ``(num_envs, 1)``
prices; with ``k`` agents, ``(num_envs, k)``. Observations are each agent's view of every
seller's price, ``(num_envs, n_sellers)`` with one agent and ``(num_envs, k, n_sellers)`` with
more; rewards ``(num_envs,)`` or ``(num_envs, k)``: each agent's profit since the previous step.
"""

from collections.abc import Sequence
from pathlib import Path
from types import FunctionType

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space
from numba import njit

from market import budget, engine, outside
from market.env import PriceActions, check_agent_names, check_ticks, episode_seed, load_scenario
from market.errors import OutsideError
from market.inventory import Inventory
from market.jit import tick_kernel
from market.scenario import Scenario
from market.state import (
    Brands,
    Last,
    Learners,
    Market,
    Outside,
    Records,
    Responses,
    Rules,
    Scratch,
    Sellers,
    State,
    Totals,
    seller_names,
)

OPTIONAL = ("brands", "learners", "responses", "inventory")  # the groups a market may lack (market.state)


def _columns(state: State):
    """(column, value) for every array and scalar of ``state``: ``group__field``, or the field's name outside groups."""
    for name, group in zip(State._fields, state, strict=True):
        if isinstance(group, tuple):
            for field, value in zip(group._fields, group, strict=True):
                yield f"{name}__{field}", np.asarray(value)
        elif group is not None:
            yield name, np.asarray(group)


def batch_dtype(state: State) -> np.dtype:
    """One record of ``state``: a field per array and scalar (:func:`_columns`), so that a copy's arrays lie
    together in memory and a kernel reaches them all from one pointer. numba's records hold no arrays of bool:
    those are kept as uint8 (0 and 1)."""
    def stored(dtype):
        return np.dtype(np.uint8) if dtype == np.bool_ else dtype
    return np.dtype([(column, stored(value.dtype), value.shape) for column, value in _columns(state)], align=True)


def stack(state: State, copies: int) -> np.ndarray:
    """``copies`` copies of ``state``: a record array of :func:`batch_dtype` (``budget.BudgetError`` first if
    it would not fit in memory)."""
    dtype = batch_dtype(state)
    budget.count(copies, dtype.itemsize, f"copies of the market ({dtype.itemsize:,} bytes each)", "num_envs =")
    batch = np.zeros(copies, dtype=dtype)
    refill(batch, state)
    return batch


def refill(batch: np.ndarray, state: State) -> None:
    """Put ``state`` back into every copy of ``batch`` (a :func:`stack` of it)."""
    for column, value in _columns(state):
        batch[column] = value


def unstack(batch: np.ndarray, state: State) -> State:
    """The state whose every array is the column of ``batch`` for it (a leading axis of copies; bools as uint8):
    views, to read and write the copies from Python."""
    def columns(name, group):
        if group is None:
            return None
        if isinstance(group, tuple):
            return type(group)(*(batch[f"{name}__{field}"] for field in group._fields))
        return batch[name]
    return State(*(columns(name, group) for name, group in zip(State._fields, state, strict=True)))


def _copy_of(name: str, group: type):
    """A kernel that gives the group ``name`` of a copy, a record of :func:`batch_dtype`, as a ``group``: a view of
    every array, the scalars. Its source is written here from the group's fields; numba inlines it."""
    fields = ", ".join(f"copy.{name}__{field}" for field in group._fields)
    namespace = {"group": group}
    exec(f"def copy_of(copy):\n    return group({fields})\n", namespace)
    return njit(inline="always")(namespace["copy_of"])


# The step kernel runs the engine's own ticks, inlined with their phases (numba's inline="always"): a call of
# ``_advance`` passes every array of the groups it takes, about a thousand machine words a tick (a copy's step
# of two Calvano sellers took 405 ns so, 80 ns inlined). The engine keeps its phases as calls (inlined, its
# markets of 100 and more sellers ran 10% slower); here they are copies of its functions, compiled inline.
_PHASES = ("_choose_prices", "_lowest_rival", "_learner_price", "_enforce", "_feature", "_sell", "_ask_outside")


def _inline(function, namespace: dict):
    """``function`` compiled to be inlined, its globals looked up in ``namespace``."""
    copy = FunctionType(function.__code__, namespace, function.__name__, function.__defaults__)
    return njit(inline="always")(copy)


def _inlined_ticks():
    """``engine._advance`` with its phases inlined (the comment above)."""
    namespace = dict(vars(engine))
    for name in _PHASES:
        namespace[name] = _inline(getattr(engine, name).py_func, namespace)
    return _inline(engine._advance.py_func, namespace)


_run_ticks = _inlined_ticks()
MARKET, SELLERS, RULES, BRANDS, LEARNERS, RESPONSES, LAST, TOTALS, RECORDS, SCRATCH, INVENTORY, OUTSIDE = (
    _copy_of(name, group) for name, group in (
        ("market", Market), ("sellers", Sellers), ("rules", Rules), ("brands", Brands), ("learners", Learners),
        ("responses", Responses), ("last", Last), ("totals", Totals), ("records", Records), ("scratch", Scratch),
        ("inventory", Inventory), ("outside", Outside)))


@tick_kernel
def _step_many(batch, brands, learners, responses, inventory, end, agents, prices, act, banked, observation,
               reward):
    """In every copy b: give the agents (sellers ``agents``) ``prices[b]`` if ``act``; run to the next tick at
    which they reprice, or to tick ``end``; their observations and their profits since ``banked``.

    ``brands``, ``learners``, ``responses`` and ``inventory`` say whether the copies have those groups: None if
    not, so that numba prunes the code that uses them (market.state), any other value if so."""
    for b in range(batch.shape[0]):
        copy = batch[b]
        asking, copy_sellers, copy_totals, clock = OUTSIDE(copy), SELLERS(copy), TOTALS(copy), copy.clock
        if act:
            for j in range(agents.shape[0]):
                k = asking.slot[agents[j]]
                if asking.asked[k]:
                    asking.answer[k] = prices[b, j]
            asking.answered[0] = clock[0]
        copy_brands = BRANDS(copy) if brands is not None else None
        copy_learners = LEARNERS(copy) if learners is not None else None
        copy_responses = RESPONSES(copy) if responses is not None else None
        copy_inventory = INVENTORY(copy) if inventory is not None else None
        _run_ticks(MARKET(copy), copy_sellers, RULES(copy), copy_brands, copy_learners, copy_responses, LAST(copy),
                   copy_totals, RECORDS(copy), SCRATCH(copy), copy_inventory, asking, clock, copy.origin, None,
                   end - clock[0])
        rows = copy_sellers.history.shape[0]
        for j in range(agents.shape[0]):
            i = agents[j]
            seen = copy_sellers.history[asking.seen[asking.slot[i]] % rows]
            for other in range(seen.shape[0]):
                observation[b, j, other] = seen[other]
            observation[b, j, i] = copy_sellers.price[i]
            reward[b, j] = copy_totals.profit[i] - banked[b, i]
            banked[b, i] = copy_totals.profit[i]


class VectorMarketEnv(VectorEnv):
    """``num_envs`` copies of a market whose sellers ``agents`` are priced by the actions (the module docstring).

    The other parameters are :class:`market.env.MarketEnv`'s; every seller priced from outside must be an agent.
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, scenario: Scenario | str | Path, agents: Sequence[str], num_envs: int = 1024,
                 actions: str = "discrete", n_ticks: int | None = None, m: int = 15, xi: float = 0.1,
                 price_range: tuple[float, float] | None = None):
        scenario = load_scenario(scenario)
        agents = check_agent_names(scenario, agents)
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise OutsideError(f"num_envs = {num_envs!r}: must be an integer >= 1")
        self.n_ticks = check_ticks(scenario.horizon if n_ticks is None else n_ticks)
        self.scenario = outside.assign(scenario, agents)
        outside.Pricers(self.scenario, {}, by_caller=agents)  # every outside seller is an agent
        self.agents, self.num_envs = agents, num_envs
        self.pricing = PriceActions(self.scenario, actions, m, xi, price_range)
        n, k = self.scenario.n_sellers, len(agents)
        names = [s.name for s in self.scenario.sellers]
        self._agents = np.array([names.index(a) for a in agents], dtype=np.int64)
        self._template = engine.build_state(self.scenario, horizon=0)
        self._batch = stack(self._template, num_envs)  # refused first if it would not fit in memory
        self.state = unstack(self._batch, self._template)
        self._groups = tuple(None if getattr(self._template, name) is None else True for name in OPTIONAL)
        self._shape = (k,) if k > 1 else ()
        single = self.pricing.space()
        if k > 1:
            single = spaces.MultiDiscrete([single.n] * k) if self.pricing.discrete else \
                spaces.Box(self.pricing.low, self.pricing.high, shape=(k,), dtype=np.float64)
        self.single_action_space = single
        self.single_observation_space = spaces.Box(0.0, np.inf, shape=(*self._shape, n), dtype=np.float64)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self._banked = np.zeros((num_envs, n))
        self._observation = np.zeros((num_envs, k, n))
        self._reward = np.zeros((num_envs, k))
        self._seeds: np.random.Generator | None = None
        self._started = self._ended = False

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start every copy's episode; copy b runs on seed ``seed + b`` (``seed``: as ``MarketEnv.reset``'s)."""
        seed, self._seeds = episode_seed(seed, self._seeds, self.scenario.seed, self.num_envs)
        refill(self._batch, self._template)
        self.state.market.seed[:] = seed + np.arange(self.num_envs)
        self._banked[:] = 0.0
        self._run(None)
        self._started, self._ended = True, False
        return self._observations(), {}

    def step(self, actions):
        """Give every copy's agents the prices of ``actions`` and run to their next repricing (the module docstring)."""
        if not self._started:
            raise OutsideError("step(): the copies have not started; call reset() first")
        if self._ended:
            observations, infos = self.reset()
            zeros = np.zeros(self.num_envs, dtype=np.bool_)
            return observations, np.zeros((self.num_envs, *self._shape)), zeros, zeros.copy(), infos
        self._run(self.prices(actions))
        self._ended = self.state.clock[0, 0] >= self.n_ticks
        truncations = np.full(self.num_envs, self._ended)
        reward = self._reward.reshape(self.num_envs, *self._shape).copy()
        return self._observations(), reward, np.zeros(self.num_envs, dtype=np.bool_), truncations, {}

    def prices(self, actions) -> np.ndarray:
        """The agents' prices, ``(num_envs, k)``, for an array of actions of the action space's shape (with one
        agent, ``(num_envs,)`` and ``(num_envs, 1)`` alike); ``OutsideError`` for an action outside the space."""
        k = len(self.agents)
        given = np.asarray(actions)
        shapes = {self.action_space.shape, (self.num_envs, k)} | ({(self.num_envs,)} if k == 1 else set())
        if given.dtype.kind not in "iuf" or given.shape not in shapes:
            raise OutsideError(f"actions: an array of shape {self.action_space.shape} of "
                               f"{'grid indices' if self.pricing.discrete else 'prices'} (got {given.dtype} "
                               f"{given.shape})")
        given = given.reshape(self.num_envs, k)
        if self.pricing.discrete:
            bad = (given.dtype.kind == "f") | (given < 0) | (given >= self.pricing.grid.shape[0])
        else:
            bad = ~((given >= self.pricing.low) & (given <= self.pricing.high))
        if np.any(bad):
            b, j = np.argwhere(bad)[0]
            self.pricing.price(given[b, j].item(), f"actions[{b}, {j}] ({self.agents[j]})")  # raises its error
        return self.pricing.grid[given] if self.pricing.discrete else given.astype(np.float64)

    def _run(self, prices: np.ndarray | None) -> None:
        act = prices is not None
        prices = prices if act else self._reward  # any (num_envs, k) array when not acting
        _step_many(self._batch, *self._groups, self.n_ticks, self._agents, prices, act, self._banked,
                   self._observation, self._reward)
        for b in np.flatnonzero(self.state.scratch.fault[:, 0] >= 0)[:1]:
            engine.raise_fault(seller_names(self._template), self.state.sellers.strategy[b],
                               self.state.scratch.chosen[b], self.state.scratch.fault[b])

    def _observations(self) -> np.ndarray:
        return self._observation.reshape(self.num_envs, *self._shape, -1).copy()

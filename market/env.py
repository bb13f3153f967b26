"""The market as an environment for outside learners: PettingZoo's ``ParallelEnv`` and Gymnasium's ``Env``.

:class:`MarketEnv`'s agents are the sellers you name; they are priced from outside
(:mod:`market.outside`), the others keep their scenario's strategies (or are priced by the
objects of ``others``). The engine runs until a tick at which one of the agents reprices and
returns there: a step hands it the agents' prices and runs on to the next such tick, or to the
end of the episode (``n_ticks`` ticks). An agent that does not reprice at that tick (a longer
period, a forced deviation, a ban on rival-conditioned pricing) keeps its price, and its action
is ignored; ``infos[agent]["asked"]`` says which agents were asked.

* **Actions**: ``"discrete"``, an index on the seller's price grid (Calvano et al. 2020's
  :func:`market.benchmarks.price_grid`, ``m`` prices widened by ``xi``), or ``"box"``, a price in
  ``price_range`` (default: the grid's span), as a ``Box`` of shape (1,). The price then goes
  through the rules in force like any other.
* **Observations**: every seller's price as the agent sees it (the :class:`market.outside.Observation`'s
  ``prices``: rivals' as of its lag, its own current one); ``infos[agent]["observation"]`` holds the
  whole observation (cost, profit since it last repriced, tick, time of day, rules in force).
* **Rewards**: each agent's profit since the previous step (after fees): for an agent asked at
  every step, its profit since its last action (the ticks before the first action count for none).
* **Seeds**: ``reset(seed=s)`` runs the market on seed ``s`` (the counter-based generator of
  :mod:`market.rng`: the same seed, the same episode); ``reset()`` takes the next seed from a
  generator seeded by the last seed given, the scenario's own before any.

:class:`SellerEnv` is the same market for one seller, as a Gymnasium ``Env``.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from market import catalog, engine, outside
from market.benchmarks import price_grid
from market.errors import OutsideError, check_type, shorten
from market.scenario import Scenario

ACTIONS = ("discrete", "box")


def load_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario given as itself, a TOML path or a shipped name."""
    return scenario if isinstance(scenario, Scenario) else catalog.load(scenario)


def check_agent_names(scenario: Scenario, agents: Sequence[str], others: Mapping[str, object] = ()) -> list[str]:
    """``agents`` as a list; ``OutsideError`` for none, an unknown seller, one named twice or also in ``others``."""
    agents = [agents] if isinstance(agents, str) else list(agents)
    names = [s.name for s in scenario.sellers]
    if not agents:
        raise OutsideError("agents: name at least one seller")
    for name in agents:
        if name not in names:
            raise OutsideError(f"agents: {name!r} is not a seller; the sellers are {', '.join(names)}")
        if agents.count(name) > 1:
            raise OutsideError(f"agents: {name!r} is named twice; name each seller once")
        if name in others:
            raise OutsideError(f"agents: {name!r} is also in others; a seller is priced by the actions or by a "
                               f"pricer in others, not both")
    return agents


def episode_seed(seed: int | None, seeds: np.random.Generator | None,
                 default: int, copies: int = 1) -> tuple[int, np.random.Generator]:
    """The seed of the next episode and the generator of those after it: ``seed`` if given (the generator then
    restarts from it), else the next draw of ``seeds``, else (before any) ``default``, the scenario's.
    ``OutsideError`` for a seed that is not an integer in [0, 2**63 - copies] (``copies`` markets run on seeds
    ``seed`` to ``seed + copies - 1``, which must not wrap)."""
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= 2**63 - copies:
            raise OutsideError(f"seed = {shorten(repr(seed))}: must be an integer in [0, 2**63 - {copies}]")
        return int(seed), np.random.default_rng(seed)
    if seeds is None:
        return default, np.random.default_rng(default)
    return int(seeds.integers(2**62 - copies)), seeds


def check_ticks(n_ticks) -> int:
    """``n_ticks`` of an episode: an integer in [1, 2**62]; ``OutsideError`` otherwise (NaN, 6.5, "10", 10**19)."""
    if isinstance(n_ticks, bool) or not isinstance(n_ticks, int | np.integer) or not 1 <= n_ticks <= 2**62:
        raise OutsideError(f"n_ticks = {shorten(repr(n_ticks))}: must be an integer in [1, 2**62]")
    return int(n_ticks)


class PriceActions:
    """The agents' action space (a price grid or a range of prices) and the price an action stands for."""

    def __init__(self, scenario: Scenario, actions: str, m: int, xi: float, price_range: tuple[float, float] | None):
        if actions not in ACTIONS:
            raise OutsideError(f"actions = {shorten(repr(actions))}: must be one of {', '.join(ACTIONS)}")
        check_type(m, (int, np.integer), "m", "an integer number of prices on the grid")
        check_type(xi, (int, float, np.integer, np.floating), "xi", "a number")
        b = scenario.plain_benchmarks
        self.grid = price_grid(b.nash_price, b.monopoly_price, m, xi)
        low, high = price_range if price_range is not None else (float(self.grid[0]), float(self.grid[-1]))
        if not (np.isfinite(low) and np.isfinite(high) and 0.0 < low < high):
            raise OutsideError(f"price_range = {price_range!r}: need 0 < low < high, both finite")
        self.discrete = actions == "discrete"
        self.low, self.high = float(low), float(high)

    def space(self) -> spaces.Space:
        if self.discrete:
            return spaces.Discrete(self.grid.shape[0])
        return spaces.Box(self.low, self.high, shape=(1,), dtype=np.float64)

    def price(self, action, where: str) -> float:
        """The price of ``action``; ``OutsideError`` naming it (``where``, e.g. ``actions['firm1']``) for an action
        outside the space."""
        if self.discrete:
            index = _index(action)
            if index is None or not 0 <= index < self.grid.shape[0]:
                raise OutsideError(f"{where} = {action!r}: must be an integer in 0..{self.grid.shape[0] - 1} (an index "
                                   f"on the price grid)")
            return float(self.grid[index])
        value = np.asarray(action, dtype=np.float64) if _numeric(action) else None
        if value is None or value.size != 1 or not (self.low <= value.reshape(-1)[0] <= self.high):
            raise OutsideError(f"{where} = {action!r}: must be a price in [{self.low:g}, {self.high:g}]")
        return float(value.reshape(-1)[0])


def _index(action) -> int | None:
    """A grid index given as a Python or numpy integer, or as an integer array of one element (what a policy's
    ``predict`` returns for one observation); None for anything else (booleans, floats, text)."""
    if isinstance(action, bool | np.bool_):
        return None
    if isinstance(action, int | np.integer):
        return int(action)
    if isinstance(action, np.ndarray) and action.dtype.kind in "iu" and action.size == 1:
        return int(action.reshape(-1)[0])
    return None


def _numeric(action) -> bool:
    """Whether ``action`` is a real number or an array of them (no text, no booleans)."""
    kind = np.asarray(action).dtype.kind if not isinstance(action, str | bytes | bool) else "U"
    return kind in "iuf"


class MarketEnv(ParallelEnv):
    """A market whose sellers ``agents`` are PettingZoo agents (the module docstring).

    Parameters
    ----------
    scenario : Scenario, str or Path
        The market, or a TOML path or shipped name.
    agents : sequence of str
        The sellers the agents price.
    actions : {"discrete", "box"}
        An index on the price grid, or a price.
    n_ticks : int, optional
        Ticks in an episode (default: the scenario's horizon).
    m, xi : int, float
        The price grid of discrete actions (Calvano et al. 2020: 15 prices, widened by 0.1).
    price_range : (float, float), optional
        The prices of box actions (default: the grid's span).
    others : dict, optional
        Pricers for other sellers priced from outside (``market.outside``).
    """

    metadata = {"name": "pricelab_market_v0", "render_modes": []}

    def __init__(self, scenario: Scenario | str | Path, agents: Sequence[str], actions: str = "discrete",
                 n_ticks: int | None = None, m: int = 15, xi: float = 0.1,
                 price_range: tuple[float, float] | None = None, others: Mapping[str, object] | None = None):
        scenario = load_scenario(scenario)
        others = dict(others or {})
        agents = check_agent_names(scenario, agents, others)
        names = [s.name for s in scenario.sellers]
        self.n_ticks = check_ticks(scenario.horizon if n_ticks is None else n_ticks)
        outside.check_agents(scenario, others, "others")
        self.scenario = outside.assign(scenario, {*agents, *others})
        self.possible_agents = agents
        self.agents: list[str] = []
        self.pricing = PriceActions(self.scenario, actions, m, xi, price_range)
        self.pricers = outside.Pricers(self.scenario, others, by_caller=agents, label="others")
        self._slot = {name: k for k, name in enumerate(self.pricers.sellers)}
        self._index = {name: names.index(name) for name in names}
        self._observation_spaces = {agent: spaces.Box(0.0, np.inf, shape=(len(names),), dtype=np.float64)
                                    for agent in agents}
        self._action_spaces = {agent: self.pricing.space() for agent in agents}
        self._template = engine.build_state(self.scenario, horizon=self.n_ticks)
        self._seeds: np.random.Generator | None = None
        self.state = None

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        """Start an episode on ``seed`` (module docstring), the ``others``' pricers reset; return each agent's
        observation and info."""
        seed, self._seeds = episode_seed(seed, self._seeds, self.scenario.seed)
        state = engine.copy_state(self._template)
        self.state = state._replace(market=state.market._replace(seed=seed))
        self.agents = list(self.possible_agents)
        self.pricers.reset()
        self._run()
        self._banked = self.state.totals.profit.copy()
        return self._observe()

    def step(self, actions: Mapping[str, object]):
        """Give the asked agents' prices, run to the next tick at which an agent reprices (or the episode's end)."""
        if not self.agents:
            raise OutsideError("step(): the episode is over (or never started); call reset()")
        state, asked = self.state, self.state.outside.asked
        unknown = [name for name in actions if name not in self.possible_agents]
        if unknown:
            raise OutsideError(f"actions: {unknown[0]!r} is not an agent; the agents are {', '.join(self.agents)}")
        for agent in self.agents:
            k = self._slot[agent]
            if asked[k]:
                if agent not in actions:
                    raise OutsideError(f"actions: no action for {agent!r}, asked for a price at tick {state.t}")
                outside.give(state, k, self.pricing.price(actions[agent], f"actions[{agent!r}]"), agent)
        self.pricers.answer(state)
        self._run()
        profit = state.totals.profit
        rewards = {agent: float(profit[self._index[agent]] - self._banked[self._index[agent]]) for agent in self.agents}
        self._banked = profit.copy()
        observations, infos = self._observe()
        over = state.t >= self.n_ticks
        truncations = dict.fromkeys(self.agents, over)
        terminations = dict.fromkeys(self.agents, False)
        if over:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def _run(self) -> None:
        """Advance to the next tick at which an agent is asked, answering the ``others`` asked on the way."""
        slots = [self._slot[agent] for agent in self.possible_agents]
        while engine.advance_to_ask(self.state, self.n_ticks):
            if self.state.outside.asked[slots].any():
                return
            self.pricers.answer(self.state)

    def _observe(self) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
        """Each agent's observation (the prices it sees) and info (whether it was asked, the whole observation)."""
        asked = self.state.outside.asked
        seen = {agent: self.pricers.observe(self.state, self._slot[agent]) for agent in self.agents}
        return ({agent: o.prices for agent, o in seen.items()},
                {agent: {"asked": bool(asked[self._slot[agent]]), "tick": self.state.t, "observation": o}
                 for agent, o in seen.items()})


class SellerEnv(gym.Env):
    """One seller of a market as a Gymnasium ``Env``: :class:`MarketEnv` with a single agent.

    Parameters are :class:`MarketEnv`'s, with ``seller`` the one agent's name.
    """

    metadata = {"render_modes": []}

    def __init__(self, scenario: Scenario | str | Path, seller: str, actions: str = "discrete",
                 n_ticks: int | None = None, m: int = 15, xi: float = 0.1,
                 price_range: tuple[float, float] | None = None, others: Mapping[str, object] | None = None):
        self.market = MarketEnv(scenario, [seller], actions, n_ticks, m, xi, price_range, others)
        self.seller = seller
        self.action_space = self.market.action_space(seller)
        self.observation_space = self.market.observation_space(seller)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        observations, infos = self.market.reset(seed=seed)
        return observations[self.seller], infos[self.seller]

    def step(self, action):
        observations, rewards, terminations, truncations, infos = self.market.step({self.seller: action})
        s = self.seller
        return observations[s], rewards[s], terminations[s], truncations[s], infos[s]


# gymnasium.make("pricelab/Seller-v0", scenario="calvano2020", seller="firm1") once this module is imported (or
# gymnasium.make("market.env:pricelab/Seller-v0", ...), which imports it); the episode ends with the env's n_ticks.
gym.register(id="pricelab/Seller-v0", entry_point=SellerEnv)

r"""Calvano et al. (2020)'s Q-learning written in plain Python, trained against the market through ``MarketEnv``.

Both sellers of ``calvano2020`` are agents of a :class:`market.env.MarketEnv` with grid actions. Each
learns a table :math:`Q_i(s, a)` over states :math:`s`, the grid indices of the prices it saw last
tick (its own and its rival's), with the paper's update and exploration,

.. math::  Q_i(s, a) \leftarrow Q_i(s, a) + \alpha\,[\pi_i + \delta \max_b Q_i(s', b) - Q_i(s, a)],
           \qquad \varepsilon_t = e^{-\beta t},

from Calvano's :math:`Q^0` (each action's profit against a rival pricing uniformly at random,
discounted for ever), with its own random numbers (numpy). Training stops when neither greedy
policy has changed for ``stable_ticks`` ticks (checked every ``check_every``), as the engine's
training does (``market.training``); the learners then play greedily, frozen, for the scenario's
horizon, and the profit gain :math:`\Delta` of that play is the session's result.

Run ``python -m experiments.examples.qlearning --sessions 4`` to compare with the engine's own
``qlearning`` on the same sessions (``tests/experiments/test_examples.py`` does, with fast exploration).
"""

import argparse

import numpy as np

from market import catalog, training
from market.env import MarketEnv
from market.learning.qlearning import initial_q, profit_table
from market.metrics import market_summary, profit_gain
from market.scenario import Scenario
from market.strategies import get

AGENTS = ("firm1", "firm2")


class TabularQ:
    """One seller's Q-learner on the grid (the module docstring); ``rng`` draws its exploration."""

    def __init__(self, q: np.ndarray, alpha: float, beta: float, delta: float, rng: np.random.Generator):
        self.q, self.alpha, self.beta, self.delta, self.rng = q.copy(), alpha, beta, delta, rng

    def act(self, state: int, t: int, learn: bool = True) -> int:
        if learn and self.rng.random() < np.exp(-self.beta * t):
            return int(self.rng.integers(self.q.shape[1]))
        return int(np.argmax(self.q[state]))

    def learn(self, state: int, action: int, reward: float, following: int) -> None:
        target = reward + self.delta * self.q[following].max()
        self.q[state, action] += self.alpha * (target - self.q[state, action])

    def policy(self) -> np.ndarray:
        return np.argmax(self.q, axis=1)


def learners(scenario: Scenario, env: MarketEnv, seed: int) -> list[TabularQ]:
    """A learner per agent, with the scenario's parameters of its ``qlearning`` seller and Calvano's Q0."""
    spec = get("qlearning")
    found = []
    for k, name in enumerate(AGENTS):
        seller = scenario.sellers[scenario.seller_index(name)]
        param = {p.name: seller.params.get(p.name, p.default) for p in spec.params}
        q0 = initial_q(profit_table(scenario.static_game(), env.pricing.grid), int(param["m"]), param["delta"])[k]
        found.append(TabularQ(q0, param["alpha"], param["beta"], param["delta"], np.random.default_rng([seed, k])))
    return found


def session(scenario: Scenario, seed: int) -> dict[str, float]:
    """Train both sellers to convergence (or the plan's ``max_ticks``), then measure their frozen play:
    ``{"delta", "converged", "training_ticks"}``."""
    plan = scenario.training
    env = MarketEnv(scenario.replace(record_stride=10_000), AGENTS, actions="discrete",
                    n_ticks=plan.max_ticks + scenario.horizon)
    agents = learners(scenario, env, seed)
    grid = env.pricing.grid
    observations, _ = env.reset(seed=seed)
    state = _state(observations, grid)
    policy, stable, t = [a.policy() for a in agents], 0, 0
    while t < plan.max_ticks and stable < plan.stable_ticks:
        actions = [a.act(state, t) for a in agents]
        observations, rewards, _, _, _ = env.step(dict(zip(AGENTS, actions, strict=True)))
        following = _state(observations, grid)
        for agent, action, name in zip(agents, actions, AGENTS, strict=True):
            agent.learn(state, action, rewards[name], following)
        state, t = following, t + 1
        if t % plan.check_every == 0:
            latest = [a.policy() for a in agents]
            same = all(np.array_equal(x, y) for x, y in zip(latest, policy, strict=True))
            stable, policy = stable + plan.check_every if same else 0, latest
    earned = 0.0
    for _ in range(scenario.horizon):
        observations, rewards, _, _, _ = env.step({name: a.act(state, t, learn=False)
                                                   for name, a in zip(AGENTS, agents, strict=True)})
        state, t, earned = _state(observations, grid), t + 1, earned + sum(rewards.values())
    b = scenario.benchmarks
    return {"delta": profit_gain(earned / scenario.horizon, b.nash_industry_profit, b.monopoly_industry_profit),
            "converged": stable >= plan.stable_ticks, "training_ticks": t - scenario.horizon}


def _state(observations: dict, grid: np.ndarray) -> int:
    """The state both learners are in: the grid indices of (firm1's, firm2's) prices, seller 0 first."""
    index = [int(np.abs(grid - price).argmin()) for price in observations[AGENTS[0]]]
    return index[0] * grid.shape[0] + index[1]


def engine_session(scenario: Scenario, seed: int) -> dict[str, float]:
    """The engine's own ``qlearning`` on the same scenario and seed: trained, frozen, measured."""
    scenario = scenario.replace(seed=seed)
    state, trained = training.run(scenario)
    return {"delta": market_summary(state, scenario.benchmarks, scenario.ticks_per_day)["delta"],
            "converged": trained.converged, "training_ticks": trained.ticks}


def fast(scenario: Scenario, beta: float = 5e-5, stable_ticks: int = 20_000, check_every: int = 1_000) -> Scenario:
    """``scenario`` with faster exploration decay and a shorter convergence window (both sellers)."""
    return scenario.with_values({"sellers.firm1.params.beta": beta, "sellers.firm2.params.beta": beta,
                                 "training.stable_ticks": stable_ticks, "training.check_every": check_every})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--beta", type=float, default=5e-5, help="exploration decay (the paper: 4e-6, slow)")
    args = parser.parse_args()
    scenario = fast(catalog.load("calvano2020"), beta=args.beta)
    python = [session(scenario, seed) for seed in range(1, args.sessions + 1)]
    kernel = [engine_session(scenario, seed) for seed in range(1, args.sessions + 1)]
    for label, runs in (("Python Q-learners via MarketEnv", python), ("engine qlearning", kernel)):
        deltas = [r["delta"] for r in runs]
        print(f"{label}: mean Delta {np.mean(deltas):.3f} (sd {np.std(deltas):.3f}), converged "
              f"{sum(r['converged'] for r in runs)}/{len(runs)}, mean training ticks "
              f"{np.mean([r['training_ticks'] for r in runs]):,.0f}")


if __name__ == "__main__":
    main()

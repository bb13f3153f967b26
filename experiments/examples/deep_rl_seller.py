"""A deep-RL seller: stable-baselines3's PPO (or DQN) learns to price the hourly shop of ``amazon_10min``.

The shop reprices every hour, seeing prices three ticks (30 minutes) old, against the platform's
repricer that undercuts it within ten minutes, two slower shops and a brand. The agent sees every
seller's price as the shop sees it (:class:`market.env.SellerEnv`) and picks one of 15 prices on
Calvano's grid; its reward is the shop's profit since its last repricing (per 100 shoppers, to keep
the numbers near 1). After training, the policy is frozen and prices the shop as an outside seller
(:mod:`market.outside`) over the scenario's 30 days, measured like any seller: the same table as
``pricelab run``, beside the run in which the shop keeps its own Edgeworth repricer.

Needs the ``rl`` extra (``pip install -e '.[rl]'``; see README: torch's CPU build first)::

    python -m experiments.examples.deep_rl_seller --algo ppo --steps 100000
"""

import argparse
import time

import numpy as np
from gymnasium.wrappers import TransformReward
from stable_baselines3 import DQN, PPO

from experiments import tables
from market import catalog, engine, outside, results
from market.env import SellerEnv
from market.scenario import Scenario

SELLER = "shop_hourly"
ALGORITHMS = {"ppo": PPO, "dqn": DQN}


class PolicyPricer:
    """A trained policy as a pricer: the grid price of its greedy action on the prices the seller sees."""

    def __init__(self, model, grid: np.ndarray):
        self.model, self.grid = model, grid

    def price(self, observation) -> float:
        action, _ = self.model.predict(observation.prices, deterministic=True)
        return float(self.grid[int(action)])


def train(scenario: Scenario, algo: str, steps: int, seed: int, episode_days: int):
    """The trained model, and the price grid of its actions."""
    env = SellerEnv(scenario, SELLER, actions="discrete", n_ticks=episode_days * scenario.ticks_per_day)
    scale = 1.0 / scenario.demand.shoppers_per_tick
    model = ALGORITHMS[algo]("MlpPolicy", TransformReward(env, lambda reward: reward * scale), seed=seed, verbose=0)
    model.learn(total_timesteps=steps)
    return model, env.market.pricing.grid


def measure(scenario: Scenario, agents: dict | None, label: str) -> None:
    started = time.perf_counter()
    state = engine.run(scenario, agents=agents)
    elapsed = time.perf_counter() - started
    ran = outside.assign(scenario, set(agents or ()))
    print(f"\n{label}")
    tables.print_run(ran, ran.benchmarks, results.sellers(state, ran), results.summary(state, ran, None), elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--algo", choices=sorted(ALGORITHMS), default="ppo")
    parser.add_argument("--steps", type=int, default=100_000, help="training steps (one per repricing of the shop)")
    parser.add_argument("--episode-days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenario = catalog.load("amazon_10min")
    started = time.perf_counter()
    model, grid = train(scenario, args.algo, args.steps, args.seed, args.episode_days)
    print(f"trained {args.algo.upper()} for {args.steps:,} steps in {time.perf_counter() - started:.0f} s")
    measure(scenario, None, f"{SELLER} with its own repricer (edgeworth)")
    measure(scenario, {SELLER: PolicyPricer(model, grid)}, f"{SELLER} priced by the frozen {args.algo.upper()} policy")


if __name__ == "__main__":
    main()

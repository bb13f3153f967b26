"""A deep-RL seller: stable-baselines3's PPO (or DQN) learns to price the hourly shop of ``amazon_10min``.

The shop reprices every hour, seeing prices three ticks (30 minutes) old, against the platform's
repricer that undercuts it within ten minutes, two slower shops and a brand. The agent sees every
seller's price as the shop sees it (:class:`market.env.SellerEnv`) and picks one of 15 prices on
Calvano's grid; its reward is the shop's profit since its last repricing (per 100 shoppers, to keep
the numbers near 1). After training, the policy is frozen and prices the shop as an outside seller
(:mod:`market.outside`) over the scenario's 30 days, measured like any seller: the same table as
``pricelab run``, beside the run in which the shop keeps its own Edgeworth repricer.

With ``--copies N`` the agent learns in N copies of the market at once (:class:`market.vector.VectorMarketEnv`,
copy b on seed s + b), stepped in one numba call and handed to stable-baselines3 as its ``VecEnv``
(:class:`CopiesVecEnv`); the steps counted are those of all copies.

Needs the ``rl`` extra (``pip install -e '.[rl]'``; see README: torch's CPU build first)::

    python -m experiments.examples.deep_rl_seller --algo ppo --steps 100000
    python -m experiments.examples.deep_rl_seller --algo ppo --steps 1000000 --copies 256
"""

import argparse
import time

import numpy as np

try:
    from gymnasium.wrappers import TransformReward
    from stable_baselines3 import DQN, PPO
    from stable_baselines3.common.vec_env import VecEnv
except ModuleNotFoundError as missing:
    raise SystemExit(f"deep_rl_seller: needs {missing.name}: pip install -e '.[rl]' (README: torch's CPU build "
                     f"first)") from None

from experiments import tables
from market import catalog, engine, outside, results
from market.env import SellerEnv
from market.scenario import Scenario
from market.vector import VectorMarketEnv

SELLER = "shop_hourly"
ALGORITHMS = {"ppo": PPO, "dqn": DQN}


class PolicyPricer:
    """A trained policy as a pricer: the grid price of its greedy action on the prices the seller sees."""

    def __init__(self, model, grid: np.ndarray):
        self.model, self.grid = model, grid

    def price(self, observation) -> float:
        action, _ = self.model.predict(observation.prices, deterministic=True)
        return float(self.grid[int(action)])


class CopiesVecEnv(VecEnv):
    """A :class:`VectorMarketEnv` of one agent as stable-baselines3's ``VecEnv``, rewards times ``scale``.

    stable-baselines3 starts the next episode in the step that ends one, and keeps the last observation in
    ``infos[b]["terminal_observation"]``; the copies share a clock, so they all end at that step. Seeds follow
    stable-baselines3's: ``seed(s)`` runs copy b on seed s + b, as ``VectorMarketEnv.reset(seed=s)`` does.
    """

    def __init__(self, vector: VectorMarketEnv, scale: float):
        self.vector, self.scale, self.actions = vector, scale, None  # before VecEnv's, which asks for attributes
        super().__init__(vector.num_envs, vector.single_observation_space, vector.single_action_space)

    def reset(self):
        observations, _ = self.vector.reset(seed=self._seeds[0])
        self._reset_seeds()
        return observations

    def step_async(self, actions):
        self.actions = actions

    def step_wait(self):
        observations, rewards, terminations, truncations, _ = self.vector.step(self.actions)
        dones = terminations | truncations
        infos = [{} for _ in range(self.num_envs)]
        if dones.all():
            for b, info in enumerate(infos):
                info["terminal_observation"] = observations[b]
                info["TimeLimit.truncated"] = bool(truncations[b] and not terminations[b])
            observations, _ = self.vector.reset()  # the next seeds
        return observations, (rewards * self.scale).astype(np.float32), dones, infos

    def close(self):
        self.vector.close()

    def get_attr(self, attr_name, indices=None):
        return [getattr(self.vector, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name, value, indices=None):
        setattr(self.vector, attr_name, value)

    def env_method(self, method_name, *method_args, indices=None, **method_kwargs):
        result = getattr(self.vector, method_name)(*method_args, **method_kwargs)
        return [result] * len(self._get_indices(indices))

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False] * len(self._get_indices(indices))


def train(scenario: Scenario, algo: str, steps: int, seed: int, episode_days: int, copies: int):
    """The trained model, and the price grid of its actions; in ``copies`` copies of the market at once if > 0."""
    n_ticks = episode_days * scenario.ticks_per_day
    scale = 1.0 / scenario.demand.shoppers_per_tick
    if copies:
        vector = VectorMarketEnv(scenario, [SELLER], num_envs=copies, actions="discrete", n_ticks=n_ticks)
        env, grid, options = CopiesVecEnv(vector, scale), vector.pricing.grid, {}
        if algo == "ppo":  # rollouts of about 2,048 steps, as with one market
            options = {"n_steps": max(8, 2048 // copies), "batch_size": 256}
    else:
        single = SellerEnv(scenario, SELLER, actions="discrete", n_ticks=n_ticks)
        env, grid, options = TransformReward(single, lambda reward: reward * scale), single.market.pricing.grid, {}
    model = ALGORITHMS[algo]("MlpPolicy", env, seed=seed, verbose=0, **options)
    model.learn(total_timesteps=steps)
    return model, grid


def measure(scenario: Scenario, agents: dict | None, label: str) -> None:
    started = time.perf_counter()
    state = engine.run(scenario, agents=agents)
    elapsed = time.perf_counter() - started
    ran = outside.assign(scenario, set(agents or ()))
    print(f"\n{label}")
    tables.print_run(ran, ran.benchmarks, results.sellers(state, ran), results.summary(state, ran, None), elapsed)


def count(least: int):
    """An argparse type: an integer >= ``least``."""
    def parse(text: str) -> int:
        value = int(text) if text.lstrip("-").isdigit() else None
        if value is None or value < least:
            raise argparse.ArgumentTypeError(f"{text!r}: must be an integer >= {least}")
        return value
    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--algo", choices=sorted(ALGORITHMS), default="ppo")
    parser.add_argument("--steps", type=count(1), default=100_000,
                        help="training steps (one per repricing of the shop, in every copy)")
    parser.add_argument("--episode-days", type=count(1), default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=count(0), default=0,
                        help="train in this many copies of the market at once (0: one market, SellerEnv)")
    args = parser.parse_args()
    scenario = catalog.load("amazon_10min")
    started = time.perf_counter()
    model, grid = train(scenario, args.algo, args.steps, args.seed, args.episode_days, args.copies)
    where = f" in {args.copies:,} copies of the market" if args.copies else ""
    print(f"trained {args.algo.upper()} for {args.steps:,} steps{where} in {time.perf_counter() - started:.0f} s")
    measure(scenario, None, f"{SELLER} with its own repricer (edgeworth)")
    measure(scenario, {SELLER: PolicyPricer(model, grid)}, f"{SELLER} priced by the frozen {args.algo.upper()} policy")


if __name__ == "__main__":
    main()

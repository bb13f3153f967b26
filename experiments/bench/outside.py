"""Outside sellers and environments: env steps per second, the vector env's seller-steps, the cost of asking Python.

* ``MarketEnv.step`` with two outside sellers (the platform and the hourly shop of ``amazon_10min``, prices as
  actions): the engine returns to Python at every tick, since the platform reprices every tick;
* ``SellerEnv.step``: one Calvano seller, grid actions;
* ``VectorMarketEnv``: 1,024 Calvano markets, both sellers agents, actions from an array: seller-steps per second;
* the cost of one outside repricing: ``amazon_10min`` with the platform priced by a Python copy of its
  ``undercut`` rule (asked every tick), minus the all-kernel run, minus the time spent in the pricer's own
  ``price`` (timed apart on the same observations), divided by the repricings.
"""

import importlib
import sys

import numpy as np

from experiments.bench import best_of, measurement
from experiments.examples.pricers import Undercut
from market import catalog, engine

_STEPS = 20_000
_BATCH = 1024


def _environments():
    """``market.env`` and ``market.vector``; None, said on stderr, without the ``env`` extra they need."""
    try:
        return importlib.import_module("market.env"), importlib.import_module("market.vector")
    except ModuleNotFoundError as err:
        print(f"pricelab bench: the environments' benchmarks need {err.name} (pip install -e '.[env]'); not run",
              file=sys.stderr)
        return None


def env_steps_per_second():
    if (modules := _environments()) is None:
        return
    MarketEnv, SellerEnv = modules[0].MarketEnv, modules[0].SellerEnv
    env = MarketEnv(catalog.load("amazon_10min"), ["platform", "shop_hourly"], actions="box", price_range=(0.5, 5.0),
                    n_ticks=4 * _STEPS)
    env.reset(seed=1)
    actions = {"platform": np.array([1.5]), "shop_hourly": np.array([1.6])}
    yield measurement("outside.market_env.steps_per_second.2_sellers",
                      _STEPS / best_of(lambda: [env.step(actions) for _ in range(_STEPS)], 3), "steps/s")
    single = SellerEnv("calvano2020", "firm1", n_ticks=4 * _STEPS)
    single.reset(seed=1)
    yield measurement("outside.seller_env.steps_per_second",
                      _STEPS / best_of(lambda: [single.step(7) for _ in range(_STEPS)], 3), "steps/s")


def vector_seller_steps_per_second():
    if (modules := _environments()) is None:
        return
    vector = modules[1].VectorMarketEnv("calvano2020", ["firm1", "firm2"], num_envs=_BATCH, n_ticks=10**9)
    vector.reset(seed=1)
    actions = np.random.default_rng(0).integers(0, 15, size=(_BATCH, 2))
    steps = 300
    vector.step(actions)
    seconds = best_of(lambda: [vector.step(actions) for _ in range(steps)], 3)
    yield measurement(f"outside.vector_env.seller_steps_per_second.b{_BATCH}", steps * _BATCH * 2 / seconds,
                      "seller-steps/s")


def outside_repricing_cost():
    scenario = catalog.load("amazon_10min")
    rule = Undercut.like(scenario, "platform")
    kernel = best_of(lambda: engine.run(scenario), 5)
    with_python = best_of(lambda: engine.run(scenario, agents={"platform": rule}), 5)
    kept = _Keeper(rule)
    engine.run(scenario, agents={"platform": kept})
    in_price = best_of(lambda: [rule.price(o) for o in kept.seen], 5)
    asked = len(kept.seen)
    yield measurement("outside.repricing_cost_us.amazon_10min", (with_python - kernel - in_price) / asked * 1e6, "us")
    yield measurement("outside.price_call_us.amazon_10min", in_price / asked * 1e6, "us")


class _Keeper:
    """Prices as ``rule`` does and keeps the observations, to time ``rule.price`` on them apart."""

    def __init__(self, rule):
        self.rule, self.seen = rule, []

    def price(self, observation):
        self.seen.append(observation)
        return self.rule.price(observation)


BENCHMARKS = [env_steps_per_second, vector_seller_steps_per_second, outside_repricing_cost]

"""Engine speed: seller-ticks per second with rule-based sellers; PricingModel.step() latency; what measuring the
settled market costs (the auto warm-up of market.settling) beside the horizon it precedes."""

import time

from experiments.bench import best_of, measurement
from experiments.configs import load, resolve
from market import engine, training
from market.model import PricingModel
from market.scenario import Scenario

_RULES = (("undercut", {"step": 0.01, "floor": 1.2, "ceiling": 2.5}),
          ("match_lowest", {"floor": 1.2, "ceiling": 2.5}),
          ("edgeworth", {"step": 0.02, "floor": 1.2, "reset": 2.4}),
          ("cost_plus", {"markup": 0.5}))
_PERIODS = (1, 6, 36, 144)


def rule_market(n_sellers: int, horizon: int) -> Scenario:
    """A platform and ``n_sellers - 1`` rule-based rivals with mixed strategies, periods and lags."""
    sellers = []
    for i in range(n_sellers):
        strategy, params = _RULES[i % len(_RULES)]
        period = _PERIODS[i % len(_PERIODS)]
        sellers.append({"name": f"s{i}", "role": "platform" if i == 0 else "retailer",
                        "channel": "platform" if i % 3 == 0 else "web", "cost": 1.0 + 0.001 * (i % 7),
                        "quality": 2.0, "strategy": strategy, "params": params, "period": period,
                        "phase": i % period, "lag": i % 4, "initial_price": 2.0})
    return Scenario.from_dict({"name": f"rules_{n_sellers}", "horizon": horizon, "record_stride": 144,
                               "demand": {"mu": 0.25, "shoppers_per_tick": 1000.0, "arrivals": "poisson",
                                          "platform_only_share": 0.3},
                               "platform": {"featured_attention": 0.5}, "sellers": sellers})


def seller_ticks_per_second():
    """``advance`` over the horizon from a fresh state, best of 5; building the state is not timed."""
    for n in (10, 100, 1000):
        horizon = max(4_000, 8_000_000 // n)
        scenario = rule_market(n, horizon)
        engine.advance(engine.build_state(scenario), 10)  # compile / load from cache
        best = float("inf")
        for _ in range(5):
            state = engine.build_state(scenario)
            best = min(best, best_of(lambda state=state, horizon=horizon: engine.advance(state, horizon), 1))
        yield measurement(f"engine.seller_ticks_per_second.n{n}", n * horizon / best, "seller-ticks/s")


def noisy_demand_seller_ticks_per_second():
    """The 100-seller market of ``seller_ticks_per_second`` with daily demand shocks and sampled choices (each of
    1,000 shoppers a tick draws a choice), against the same market without: the cost of data an estimator can be
    tested on."""
    n, horizon = 100, 80_000
    plain = rule_market(n, horizon)
    for label, scenario in (("expected", plain),
                            ("sampled", plain.with_values({"demand.xi_sd": 0.05, "demand.choices": "sampled"}))):
        engine.advance(engine.build_state(scenario), 10)
        best = float("inf")
        for _ in range(5):
            state = engine.build_state(scenario)
            best = min(best, best_of(lambda state=state: engine.advance(state, horizon), 1))
        yield measurement(f"engine.seller_ticks_per_second.n{n}.{label}_choices", n * horizon / best, "seller-ticks/s")


def model_step_latency():
    model = PricingModel(resolve("amazon_10min"))
    model.step()
    steps = 2000
    seconds = best_of(lambda: [model.step() for _ in range(steps)], 3) / steps
    yield measurement("model.step_latency.amazon_10min", seconds * 1e3, "ms")


def warm_up_cost():
    """``training.ready`` (build, the auto warm-up with its checks, the book restart), best of 20, beside the horizon
    measured after it, on the shipped regulator markets with a ``[measure]`` table."""
    for name in ("amazon_10min", "nessie", "wa_24h"):
        scenario = load(name)
        ticks = training.ready(scenario).warm_up.ticks  # compiles, or loads from cache
        yield measurement(f"settling.warm_up_ms.{name}", 1e3 * best_of(lambda s=scenario: training.ready(s), 20), "ms")
        yield measurement(f"settling.warm_up_ticks.{name}", ticks, "ticks")
        horizon = float("inf")
        for _ in range(20):
            state = training.ready(scenario).state
            started = time.perf_counter()
            engine.advance(state, scenario.horizon)
            horizon = min(horizon, time.perf_counter() - started)
        yield measurement(f"settling.horizon_ms.{name}", 1e3 * horizon, "ms")


BENCHMARKS = [seller_ticks_per_second, noisy_demand_seller_ticks_per_second, model_step_latency, warm_up_cost]


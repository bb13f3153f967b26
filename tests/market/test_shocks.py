import numpy as np

from experiments import configs
from market import engine, shocks
from market.scenario import Scenario


def _market() -> Scenario:
    data = configs.load("amazon_10min").model_dump()
    data["sellers"] = [{**data["sellers"][1], "name": "a", "strategy": "cost_plus", "params": {"markup": 0.5},
                        "period": 1, "phase": 0, "lag": 0, "cost": 1.0},
                       {**data["sellers"][2], "name": "b", "strategy": "undercut",
                        "params": {"step": 0.01, "floor": "cost", "ceiling": "monopoly"}, "period": 1, "phase": 0,
                        "lag": 0, "cost": 0.9}]
    data.update(horizon=500, interventions=[], demand={**data["demand"], "arrivals": "expected"})
    return Scenario.from_dict(data)


def test_a_path_is_a_function_of_its_seed_with_shocks_at_random_ticks():
    spec = shocks.Shocks(every=10.0, cost_common=0.05, cost_own=0.02, demand_common=0.1)
    one, two = shocks.draw(spec, 3, 1000, seed=5), shocks.draw(spec, 3, 1000, seed=5)
    np.testing.assert_array_equal(one.tick, two.tick)
    np.testing.assert_array_equal(one.cost_factor, two.cost_factor)
    assert 50 < one.tick.size < 200 and np.all(np.diff(one.tick) > 0) and one.tick[-1] < 1000
    assert not np.array_equal(shocks.draw(spec, 3, 1000, seed=6).cost_factor[:5], one.cost_factor[:5])


def test_cost_shocks_move_cost_plus_prices_floors_at_cost_and_the_first_order_conditions():
    scenario = _market()
    path = shocks.draw(shocks.Shocks(every=20.0, cost_common=0.1), 2, 500, seed=3)
    state = engine.build_state(scenario)
    kappa = state.market.kappa.copy()
    shocks.run(state, scenario, path, 500)
    factor = path.cost_factor[-1]
    np.testing.assert_allclose(state.market.own_cost, [1.0 * factor[0], 0.9 * factor[1]])
    np.testing.assert_allclose(state.market.kappa - kappa, np.tile(state.market.own_cost - [1.0, 0.9], (2, 1)))
    assert state.sellers.param[1, 1] == state.market.cost[1]  # b's floor at cost followed it
    price = state.records.price
    last = path.tick[-1]
    assert price[last + 5, 0] == state.market.cost[0] * 1.5
    assert len(np.unique(np.round(price[:, 0], 12))) == len(np.unique(path.cost_factor[:, 0])) + 1


def test_without_shocks_a_run_is_the_engines():
    scenario = _market()
    plain = engine.run(scenario)
    state = shocks.run(engine.build_state(scenario), scenario, shocks.draw(shocks.Shocks(), 2, 500, 1), 500)
    np.testing.assert_array_equal(plain.records.price, state.records.price)

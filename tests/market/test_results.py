from market import catalog
from market.results import run_id


def test_run_id_names_the_scenario_and_its_seed():
    scenario = catalog.load("amazon_10min")
    assert run_id(scenario) == run_id(catalog.load("amazon_10min"))
    assert run_id(scenario.replace(seed=scenario.seed + 1)) != run_id(scenario)
    assert run_id(scenario.with_values({"demand.mu": 0.3})) != run_id(scenario)
    assert len(run_id(scenario)) == 16 and int(run_id(scenario), 16) >= 0

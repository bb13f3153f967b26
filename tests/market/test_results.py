from market import catalog, engine, results
from market.results import run_id


def test_run_id_names_the_scenario_and_its_seed():
    scenario = catalog.load("amazon_10min")
    assert run_id(scenario) == run_id(catalog.load("amazon_10min"))
    assert run_id(scenario.replace(seed=scenario.seed + 1)) != run_id(scenario)
    assert run_id(scenario.with_values({"demand.mu": 0.3})) != run_id(scenario)
    assert len(run_id(scenario)) == 16 and int(run_id(scenario), 16) >= 0


def test_outcomes_give_profit_and_share_by_owner_where_a_firm_owns_several_sellers():
    scenario = catalog.load("amazon_10min").replace(horizon=144).with_values(
        {"sellers.shop_hourly.owner": "group", "sellers.shop_daily.owner": "group", "sellers.brand.owner": "brand"})
    state = engine.run(scenario)
    rows = results.outcomes(state, scenario)
    owners = {(name, metric): value for level, name, metric, value in rows if level == "owner"}
    seller = {(name, metric): value for level, name, metric, value in rows if level == "seller"}
    assert set(owners) == {("group", "profit"), ("group", "share")}  # a firm of one seller is not an owner row
    for metric in ("profit", "share"):
        assert owners[("group", metric)] == seller[("shop_hourly", metric)] + seller[("shop_daily", metric)]
    frame = results.sellers(state, scenario)
    assert frame["owner"].to_list() == ["platform", "group", "shop_6h", "group", "brand"]
    assert (frame["nash_price_low"] <= frame["nash_price"]).all()
    assert (frame["nash_price"] <= frame["nash_price_high"]).all()
    assert results.summary(state, scenario)["nash_benchmark"][0] == scenario.benchmarks.nash

"""Each regulatory scenario's qualitative finding, on a few seeds (direction and ordering).

The full comparisons, with more seeds, are in README.md with their commands.
"""

import numpy as np
import polars as pl
import pytest

from experiments.commands.compare import parse_assignment
from experiments.compare import paired_differences, run_pairs
from experiments.configs import load
from market import engine, interventions


def difference(table: pl.DataFrame, outcome: str) -> tuple[float, float, float]:
    row = table.filter(pl.col("outcome") == outcome).row(0, named=True)
    return row["difference"], row["ci_low"], row["ci_high"]


def compare(name, seeds=3, rules=(), sets=(), horizon=None):
    base = load(name)
    if horizon is not None:
        base = base.with_values({"horizon": horizon})
    treated = base.with_values(dict(parse_assignment(s) for s in sets)).with_interventions(
        [interventions.named(r) for r in rules])
    return paired_differences(run_pairs(base, treated, seeds))


def test_brown_mackay_slower_sellers_price_higher_than_equal_technology():
    scenario = load("brown_mackay2023")
    state = engine.run(scenario)
    mean_price = state.totals.price / state.t
    assert np.all(np.diff(mean_price) > 0)  # fast < hourly < daily < weekly
    nash = scenario.benchmarks.nash_price[0]  # equal technology: everyone best-responds every tick
    assert mean_price.mean() > 1.01 * nash


@pytest.mark.slow
def test_jrw_price_directed_prominence_lowers_prices_with_learners():
    table = compare("jrw2023_pdp", seeds=2, rules=["pdp"], horizon=100_000)
    assert difference(table, "mean_price")[0] < -0.03
    assert difference(table, "consumer_surplus")[0] > 0


@pytest.mark.slow
def test_assad_margins_rise_only_when_both_adopt():
    table = compare("assad2024", seeds=2, horizon=100_000,
                    sets=['sellers.station_b.strategy="best_response"', "sellers.station_b.params={}"])
    assert difference(table, "delta")[0] < -0.05  # one adopter: less collusive than two (4 seeds x 150k: -0.19)


@pytest.mark.slow
def test_hub_and_spoke_raises_prices_over_independent_learners():
    sets = [f"sellers.{name}.vendor=none" for name in ("shop_a", "shop_b", "shop_c")]
    table = compare("hub_and_spoke", seeds=2, horizon=100_000, sets=sets)
    assert difference(table, "mean_price")[0] < 0  # without the hub, prices fall


def test_neutral_buybox_moves_sales_to_cheaper_third_parties():
    table = compare("dma_self_preferencing", seeds=2, rules=["neutral_buybox"], horizon=1008)
    assert difference(table, "profit_platform")[2] < 0
    assert difference(table, "profit_retailer")[1] > 0
    assert difference(table, "consumer_surplus")[1] > 0


def test_nessie_followers_let_the_prober_raise_prices():
    scenario = load("nessie")
    assert engine.run(scenario).totals.price[0] / scenario.horizon > scenario.benchmarks.nash_price[0]
    table = compare("nessie", seeds=2, sets=['sellers.shop_a.strategy="fixed"', "sellers.shop_a.params={}",
                                             'sellers.shop_b.strategy="fixed"', "sellers.shop_b.params={}"])
    assert difference(table, "delta")[2] < -0.3  # rivals who do not follow: the rises are reverted


def test_wa_rule_stops_intraday_cycles():
    table = compare("wa_24h", seeds=2, rules=["wa_24h"])
    assert difference(table, "price_changes_per_day")[2] < 0
    treated = load("wa_24h").with_interventions([interventions.named("wa_24h")])
    changes = np.nonzero(np.diff(engine.run(treated).records.price, axis=0))[0] + 1
    assert np.all(changes % 144 == 36)


def test_austria_rule_lowers_prices_in_cycles():
    table = compare("austria_noon", seeds=2, rules=["austria_noon"])
    assert difference(table, "mean_price")[2] < 0
    assert difference(table, "consumer_surplus")[1] > 0

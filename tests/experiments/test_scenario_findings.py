"""Each regulatory scenario's qualitative finding, on a few seeds (direction and ordering).

The full comparisons, with more seeds, are in README.md with their commands.
"""

import numpy as np
import polars as pl
import pytest

from experiments import arms
from experiments.arms import parse_assignment
from experiments.compare import differences, run_arms
from experiments.configs import load
from market import engine, interventions


def difference(table: pl.DataFrame, outcome: str, arm: str = "with") -> tuple[float, float, float]:
    """A market outcome, or ``profit_<role>``: the paired difference and its 95% CI."""
    level, name, metric = ("role", outcome.removeprefix("profit_"), "profit") if outcome.startswith("profit_") \
        else ("market", "market", outcome)
    row = table.filter((pl.col("arm") == arm) & (pl.col("level") == level) & (pl.col("name") == name)
                       & (pl.col("metric") == metric)).row(0, named=True)
    return row["difference"], row["ci_low"], row["ci_high"]


def compare(name, seeds=3, rules=(), sets=(), horizon=None):
    base = load(name)
    if horizon is not None:
        base = base.with_values({"horizon": horizon})
    two = arms.shorthand(base, [interventions.named(r) for r in rules], dict(parse_assignment(s) for s in sets), "")
    return differences(run_arms(two, seeds), "without")


def test_brown_mackay_slower_sellers_price_higher_than_equal_technology():
    scenario = load("brown_mackay2023")
    state = engine.run(scenario)
    mean_price = state.totals.price / state.t
    assert np.all(np.diff(mean_price) > 0)  # fast < hourly < daily < weekly
    nash = scenario.benchmarks.nash_price[0]  # equal technology: everyone best-responds every tick
    assert mean_price.mean() > 1.01 * nash


@pytest.mark.slow
def test_jrw_price_directed_prominence_lowers_prices_of_trained_learners():
    table = compare("jrw2023_pdp", seeds=3, rules=["pdp"], horizon=2000)
    assert difference(table, "mean_price")[0] < -0.03
    assert difference(table, "consumer_surplus")[0] > 0


@pytest.mark.slow
def test_assad_margins_rise_most_when_both_adopt():
    """Against neither adopting (the paper's baseline: stations on a routine); in this model one adopter already
    raises margins (the learner leads its rival), which the paper does not find: see README's assad2024 row."""
    base = load("assad2024").with_values({"horizon": 2000})
    described = arms.load("assad2024", base)[1][:3]  # neither, one_adopts, both_adopt
    table = differences(run_arms(described, 2), "neither")
    both = difference(table, "mean_margin", "both_adopt")
    one = difference(table, "mean_margin", "one_adopts")
    assert both[0] > one[0] > 0 and both[1] > 0


@pytest.mark.slow
def test_hub_and_spoke_clients_share_one_trained_learner():
    """With the hub, the three clients are one learner (one price); without it, four learners. At convergence the
    hub's effect on prices is not significant over 10 seeds (README), so no direction is asserted here."""
    base = load("hub_and_spoke").with_values({"horizon": 500, "record_stride": 1})
    sets = [f"sellers.{name}.vendor=none" for name in ("shop_a", "shop_b", "shop_c")]
    two = arms.shorthand(base, [], dict(parse_assignment(s) for s in sets), "no hub")
    runs = run_arms(two, 2).unique(["seed", "arm"])
    assert runs["converged"].all()
    assert set(runs.filter(pl.col("arm") == "without")["learners"]) == {2}
    assert set(runs.filter(pl.col("arm") == "with")["learners"]) == {4}
    state, _ = __import__("market.training", fromlist=["run"]).run(base)
    clients = state.records.price[:state.n_records, :3]
    assert (clients == clients[:, :1]).all()  # one vendor, one price for its three clients


def test_neutral_buybox_makes_the_self_preferencing_platform_cut_its_price_to_keep_the_featured_offer():
    """The platform's best response sees the Buy Box: without its 15% preference it matches the cheapest third
    party (the tie goes to the first-listed offer) instead of losing the featured offer; consumers gain, the
    platform and the third parties, now selling less, lose."""
    table = compare("dma_self_preferencing", seeds=2, rules=["neutral_buybox"], horizon=1008)
    seller = table.filter((pl.col("arm") == "with") & (pl.col("level") == "seller") & (pl.col("name") == "platform"))
    by_metric = {row["metric"]: row for row in seller.iter_rows(named=True)}
    assert by_metric["mean_price"]["ci_high"] < 0 and by_metric["share"]["ci_low"] > 0
    assert by_metric["featured_share"]["mean"] == 1.0
    assert difference(table, "profit_platform")[2] < 0
    assert difference(table, "profit_retailer")[2] < 0
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


def test_musolff_repricers_lower_prices_and_a_nightly_reset_raises_the_rivals():
    """Adopting an undercutting repricer lowers prices (Musolff's RDD); a resetting repricer raises the rival's
    price above plain undercutting (his 'coax competitors to raise their prices'), with many more price changes."""
    base = load("musolff2022").with_values({"horizon": 3 * 144})
    adoption = differences(run_arms(arms.load("musolff2022", base)[1], 2), "manual")
    assert difference(adoption, "mean_price", "both_adopt")[2] < 0  # the whole interval below zero
    assert difference(adoption, "mean_price", "a_adopts")[2] < 0
    resetting = differences(run_arms(arms.load("musolff2022_resetting", base)[1][:2], 2), "undercutting")
    rival = resetting.filter((pl.col("arm") == "a_resets_at_night") & (pl.col("name") == "seller_b")
                             & (pl.col("metric") == "mean_price")).row(0, named=True)
    assert rival["ci_low"] > 0.1
    assert difference(resetting, "price_changes_per_day", "a_resets_at_night")[1] > 50

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from experiments.configs import load
from experiments.respond.equilibrium import CONVERGED, CYCLE, NOT_CONVERGED, equilibrium, iterate, search_seeds
from experiments.respond.plan import parse
from experiments.respond.space import Setting
from experiments.stats import spawn_seeds
from market import interventions
from market.scenario import Scenario

MU, QUALITY, COST = 0.25, 2.0, 1.0


def duel(rival: dict, horizon: int = 400) -> Scenario:
    """Seller a undercuts; seller b as given; plain logit (no platform), expected arrivals."""
    return Scenario.from_dict({
        "name": "duel", "horizon": horizon, "demand": {"mu": MU, "shoppers_per_tick": 100.0},
        "sellers": [{"name": "a", "strategy": "undercut", "params": {"step": 0.05}, "quality": QUALITY, "cost": COST},
                    {"name": "b", "quality": QUALITY, "cost": COST, **rival}]})


def logit_best_response(rival_price: float) -> float:
    """argmax_p (p - c) s_a(p), s_a the logit share against one rival at ``rival_price`` and the outside good."""
    def profit(p):
        mine = np.exp((QUALITY - p) / MU)
        return (p - COST) * mine / (mine + np.exp((QUALITY - rival_price) / MU) + 1.0)
    return minimize_scalar(lambda p: -profit(p), bounds=(COST, 3.0), method="bounded", options={"xatol": 1e-10}).x


def test_an_undercutters_floor_against_a_fixed_rival_is_its_static_best_response():
    # The rival holds 1.2; undercutting it by 0.05 would price below the best response, so the undercutter's price
    # is its floor and its best floor is argmax_p (p - c) s(p, 1.2), computed here from the logit formula.
    market = duel({"strategy": "fixed", "params": {"price": 1.2}})
    found = equilibrium(market, parse({"a": {"floor": ["cost", "monopoly"]}, "resolution": 0.001}))
    best = logit_best_response(1.2)
    span = market.references(0)["monopoly"] - COST
    assert found.status == CONVERGED and found.rounds == 2
    assert abs(found.chosen[0].get("floor") - best) <= 0.001 * span
    assert found.profit_chosen[0] > found.profit_given[0]
    assert found.scenario.sellers[0].params["floor"] == found.chosen[0].get("floor")


def test_two_sellers_choosing_fixed_prices_reach_the_static_nash_equilibrium():
    # Iterated best response in prices converges to the Nash benchmark of market.benchmarks (first-order
    # conditions), within the search's resolution (0.1% of the range [cost, monopoly], about 0.001).
    market = duel({"strategy": "fixed", "params": {"price": "monopoly"}}, horizon=50).with_values(
        {"sellers.a.strategy": "fixed", "sellers.a.params": {"price": "monopoly"}})
    plan = parse({"a": {"price": ["cost", "monopoly"]}, "b": {"price": ["cost", "monopoly"]},
                  "relative_tolerance": 1e-7, "resolution": 0.001})
    found = equilibrium(market, plan)
    nash = market.benchmarks.nash_price
    assert found.status == CONVERGED and found.rounds > 2
    assert np.abs(np.array([s.get("price") for s in found.chosen]) - nash).max() < 3e-3
    assert (found.remaining_gain <= plan.relative_tolerance * np.abs(found.profit_chosen)).all()


def test_co_owned_sellers_choose_fixed_prices_for_their_firm_the_static_nash_under_ownership():
    # Sellers a and b have one owner, c is a firm of its own: each responder's objective is its firm's profit, so
    # iterated best response reaches the benchmarks' Nash under ownership (a and b above the Nash of three firms).
    market = duel({"strategy": "fixed", "params": {"price": "nash"}, "owner": "ab"}, horizon=50).model_dump()
    market["sellers"][0].update(strategy="fixed", params={"price": "nash"}, owner="ab")
    market["sellers"].append({**market["sellers"][1], "name": "c", "owner": None})
    market = Scenario.from_dict(market)
    plan = parse({name: {"price": ["cost", "monopoly"]} for name in "abc"} | {"relative_tolerance": 1e-7,
                                                                              "resolution": 0.0005})
    found = equilibrium(market, plan)
    owned = market.benchmarks.nash_price
    three_firms = market.with_values({"sellers.a.owner": None, "sellers.b.owner": None}).benchmarks.nash_price
    assert owned[:2].min() > three_firms.max() + 0.02  # ownership moves the benchmark
    assert found.status == CONVERGED
    assert np.abs(np.array([s.get("price") for s in found.chosen]) - owned).max() < 3e-3


def test_nessies_platform_waits_longer_for_followers_under_a_minimum_reaction_lag():
    # With shops that see its price an hour late, a prober that gives up after 3 hourly periods reverts every probe;
    # the platform re-chooses window = 4 (the smallest that waits out the lag; larger ones tie), and the rule's
    # large effect on consumer surplus with settings fixed all but vanishes.
    nessie = load("nessie")
    plan = parse({"platform": {"window": [1, 12]}})
    lag = nessie.with_interventions(interventions.load("min_lag_1h"))
    without, with_rule = equilibrium(nessie, plan), equilibrium(lag, plan)
    assert without.chosen[0].get("window") == 3 and without.scenario is nessie
    assert with_rule.status == CONVERGED and with_rule.chosen[0].get("window") == 4
    assert with_rule.profit_chosen[0] > with_rule.profit_given[0] * 1.05
    assert with_rule.profit_chosen[0] == pytest.approx(without.profit_chosen[0], rel=0.01)


@pytest.mark.slow  # starts two worker processes
def test_the_equilibrium_does_not_depend_on_the_number_of_workers():
    market = load("amazon_10min").with_values({"horizon": 600})
    plan = parse({"platform": {"floor": ["cost", "monopoly"], "step": [0.0, 0.1]}, "seeds": 2})
    one, two = equilibrium(market, plan, workers=1), equilibrium(market, plan, workers=2)
    assert one.chosen == two.chosen and one.simulations == two.simulations
    assert np.array_equal(one.profit_chosen, two.profit_chosen) and one.seeds == two.seeds == tuple(
        spawn_seeds(market.seed, 2))


def test_search_seeds_are_the_comparisons_first_seeds_one_where_the_seeds_vary_nothing():
    assert search_seeds(load("nessie"), parse({"sellers": ["platform"]})) == tuple(spawn_seeds(2023, 1))
    assert len(search_seeds(load("amazon_10min"), parse({"sellers": ["platform"]}))) == 4


def _pennies(i, profile):
    """Matching pennies: seller 0 wants to match seller 1's side, seller 1 to differ."""
    other = profile[1 - i].get("side")
    side = other if i == 0 else 1 - other
    return Setting("coin", (("side", side),)), 1.0


def _pennies_value(profile):
    same = profile[0].get("side") == profile[1].get("side")
    return np.array([1.0 if same else 0.0, 0.0 if same else 1.0])


def test_best_responses_that_cycle_are_reported_as_a_cycle():
    start = (Setting("coin", (("side", 0),)), Setting("coin", (("side", 0),)))
    profile, status, rounds, cycle, _ = iterate(start, _pennies, _pennies_value, lambda profit: 0.0, 10)
    assert status == CYCLE and len(cycle) == 4 and profile == cycle[0] and rounds == 3


def test_a_gain_within_the_tolerance_does_not_move_a_seller_and_the_round_limit_is_reported():
    def respond(i, profile):
        return Setting("x", (("x", profile[i].get("x") + 1),)), float(profile[i].get("x") + 1)

    def value(profile):
        return np.array([float(s.get("x")) for s in profile])
    start = (Setting("x", (("x", 0),)),)
    assert iterate(start, respond, value, lambda profit: 1.0, 5)[1:3] == (CONVERGED, 1)
    profile, status, rounds, _, gains = iterate(start, respond, value, lambda profit: 0.5, 5)
    assert (status, rounds, profile[0].get("x"), gains[0]) == (NOT_CONVERGED, 5, 5, 1.0)

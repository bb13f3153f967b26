"""Benchmarks under the platform's display rule: first-order conditions with featured attention, no profitable
deviation across the featured offer's threshold, best-response cycles where no pure equilibrium exists."""

import numpy as np
import pytest

from market import catalog, engine
from market.benchmarks.display_game import deviation_gains, is_equilibrium
from market.benchmarks.game import nash_equilibrium
from market.interventions import load
from market.scenario import Scenario

MU = 0.25


def duopoly(cost_b: float, attention: float, rules=(), horizon=1) -> Scenario:
    """Two best-responding sellers on the platform, one segment, no fees; b reprices in the ticks a does not."""
    return Scenario.from_dict({
        "horizon": horizon, "demand": {"mu": MU, "platform_only_share": 1.0},
        "platform": {"referral_fee": 0.0, "featured_attention": attention},
        "sellers": [{"name": "a", "channel": "platform", "cost": 1.0, "strategy": "best_response", "period": 2},
                    {"name": "b", "channel": "platform", "cost": cost_b, "strategy": "best_response", "period": 2,
                     "phase": 1}],
        "interventions": list(rules)})


def profit_on_grid(scenario, price, i, grid):
    """Seller i's profit per tick at each price of ``grid``, the others at ``price``, under the engine's display."""
    game, display = scenario.static_game(), scenario.display()
    values = []
    for x in grid:
        trial = price.copy()
        trial[i] = x
        values.append(display.seen(game, trial).profit(trial)[i])
    return np.array(values)


def test_featured_attention_equilibrium_satisfies_first_order_conditions_and_no_deviation_across_threshold():
    """Unequal costs, 10% of the attention lost off the featured offer: the cheap seller holds it at its smooth
    optimum, p - c = mu / (1 - s) with the attention weights, and neither seller gains by crossing the threshold."""
    scenario = duopoly(1.5, 0.1)
    b = scenario.benchmarks
    assert b.display and b.nash == "pure" and b.featured_nash == 0
    price = b.nash_price
    weight = np.array([1.0, 0.9])  # a featured; b keeps 90% of the attention
    e = weight * np.exp((2.0 - price) / MU)
    share = e / (e.sum() + 1.0)
    np.testing.assert_allclose(price - [1.0, 1.5], MU / (1.0 - share), rtol=1e-10)
    np.testing.assert_allclose(b.nash_profit, (price - [1.0, 1.5]) * share, rtol=1e-10)
    # b undercutting a (taking the featured offer) or a pricing above b (leaving it): dense grids and the limits
    below = np.linspace(1.0, price[0], 20_001)[:-1]
    assert profit_on_grid(scenario, price, 1, below).max() < b.nash_profit[1]
    above = np.linspace(price[1], 4.0, 20_001)[1:]
    assert profit_on_grid(scenario, price, 0, above).max() < b.nash_profit[0]
    assert np.all(deviation_gains(scenario.static_game(), scenario.display(), price) <= 1e-12)
    # the display-blind Nash is not an equilibrium of the market with the featured offer
    assert not is_equilibrium(scenario.static_game(), scenario.display(), scenario.plain_benchmarks.nash_price)


@pytest.mark.parametrize("cost_b, attention", [(1.0, 0.5), (1.0, 0.1), (1.2, 0.8)])
def test_no_pure_equilibrium_where_undercutting_pays_and_best_responses_cycle_within_the_bounds(cost_b, attention):
    scenario = duopoly(cost_b, attention)
    game, display = scenario.static_game(), scenario.display()
    b = scenario.benchmarks
    assert b.nash == "cycle"
    # every candidate with a seller featured at its smooth optimum has a deviation across the threshold (grid)
    for featured in (0, 1):
        price = nash_equilibrium(display.regime(game, featured))
        now = display.seen(game, price).profit(price)
        gains = [profit_on_grid(scenario, price, i, np.linspace(cost, 3.0, 4001)).max() - now[i]
                 for i, cost in enumerate([1.0, cost_b])]
        assert max(gains) > 1e-4
    assert np.all(b.nash_price_low < b.nash_price) and np.all(b.nash_price < b.nash_price_high)
    assert b.nash_industry_profit_low < b.nash_industry_profit < b.nash_industry_profit_high
    assert b.nash_industry_profit_high < b.monopoly_industry_profit
    # the engine's best responders, repricing in turn, cycle between those bounds (within one undercut step)
    state = engine.run(duopoly(cost_b, attention, horizon=40_000))
    played = state.records.price[20_000:]
    step = 1e-3 * MU
    np.testing.assert_allclose(played.min(axis=0), b.nash_price_low, atol=4 * step)
    np.testing.assert_allclose(played.max(axis=0), b.nash_price_high, atol=4 * step)


def test_price_directed_prominence_is_bertrand_and_keeps_the_tied_joint_optimum():
    """pdp: only the lowest offer is shown (ties: both). Nash is both at cost; the joint optimum shows both at the
    display-blind monopoly price. dynamic_pdp shows one offer only: a single-product monopoly, p - c = mu / s_0."""
    pdp = duopoly(1.0, 0.0, ["pdp"]).benchmarks
    assert pdp.nash == "pure"
    np.testing.assert_allclose(pdp.nash_price, 1.0)
    assert pdp.nash_industry_profit == 0.0
    plain = duopoly(1.0, 0.0).benchmarks
    np.testing.assert_allclose(pdp.monopoly_price, plain.monopoly_price, rtol=1e-9)
    assert pdp.monopoly_industry_profit == pytest.approx(plain.monopoly_industry_profit, rel=1e-12)
    dynamic = duopoly(1.0, 0.0, ["dynamic_pdp"]).benchmarks
    p = dynamic.monopoly_price[dynamic.featured_monopoly]
    s = np.exp((2.0 - p) / MU) / (np.exp((2.0 - p) / MU) + 1.0)
    assert p - 1.0 == pytest.approx(MU / (1.0 - s), rel=1e-9)
    assert dynamic.monopoly_industry_profit == pytest.approx((p - 1.0) * s, rel=1e-12)


def test_unequal_costs_under_pdp_settle_one_step_from_the_rivals_break_even():
    """Bertrand with unequal costs has no equilibrium in continuous prices (the cheap seller wants the highest
    price below its rival's cost): best responses settle with it one undercut step below its rival."""
    b = duopoly(1.1, 0.0, ["pdp"]).benchmarks
    step = 1e-3 * MU
    assert b.nash == "step" and b.featured_nash == 0
    assert b.nash_price[1] - b.nash_price[0] == pytest.approx(step, rel=1e-9)
    assert abs(b.nash_price[0] - 1.1) < step and b.nash_price[0] < 1.1 <= b.nash_price[1]
    assert 0.0 < b.nash_profit[0] and b.nash_profit[1] == 0.0


def test_display_blind_markets_keep_the_plain_benchmarks():
    for name in ("calvano2020", "nessie", "brown_mackay2023"):
        scenario = catalog.load(name)
        b = scenario.benchmarks
        assert not b.display and b.pure
        np.testing.assert_array_equal(b.nash_price, scenario.plain_benchmarks.nash_price)


def test_the_benchmarks_display_is_the_engines():
    """After a tick of dma_self_preferencing, with and without a neutral Buy Box, the weights and the featured
    offer the benchmarks compute at the engine's prices are the engine's own."""
    for rules in ((), ("neutral_buybox",)):
        scenario = catalog.load("dma_self_preferencing").replace(horizon=3)
        if rules:
            scenario = scenario.with_interventions(load(",".join(rules)))
        state = engine.run(scenario)
        display = scenario.display()
        np.testing.assert_array_equal(display.weights(scenario.static_game(), state.sellers.price),
                                      state.scratch.weight)
        assert display.featured(state.sellers.price) == state.last.featured[0]


def test_platform_markets_delta_uses_the_display_benchmarks():
    scenario = catalog.load("dma_self_preferencing")
    b, plain = scenario.benchmarks, scenario.plain_benchmarks
    assert b.display and b.nash == "cycle"
    assert b.nash_industry_profit < plain.nash_industry_profit
    assert b.monopoly_industry_profit < plain.monopoly_industry_profit
    pdp = catalog.load("jrw2023_pdp").with_interventions(load("pdp")).benchmarks
    assert pdp.display and pdp.nash_industry_profit == 0.0

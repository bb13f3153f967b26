"""Best responses in the engine: on behalf of owners, and across the platform's featured offer."""

import numpy as np
import pytest

from market import catalog, engine
from market.changes import CHANGE_TOLERANCE
from market.interventions import load
from market.scenario import Scenario


def test_co_owned_best_responders_converge_to_the_owners_nash():
    scenario = Scenario.from_dict({"horizon": 300, "demand": {"mu": 0.25}, "sellers": [
        {"name": name, "strategy": "best_response", "owner": owner, "initial_price": 1.3, "cost": cost}
        for name, owner, cost in (("a", "firm", 1.0), ("b", "firm", 1.1), ("c", None, 0.9))]})
    state = engine.run(scenario)
    # a move smaller than CHANGE_TOLERANCE (relative) is held, so the play stops within it of the fixed point
    np.testing.assert_allclose(state.sellers.price, scenario.benchmarks.nash_price, rtol=10 * CHANGE_TOLERANCE)
    assert not np.allclose(state.sellers.price, scenario.replace(sellers=[
        {**s.model_dump(), "owner": None} for s in scenario.sellers]).benchmarks.nash_price)


@pytest.mark.parametrize("rules", [(), ("neutral_buybox",)])
def test_self_preferencing_platform_best_response_takes_the_featured_offer(rules):
    """dma_self_preferencing: the platform's best response holds the featured offer against the undercutters at
    their floors (the smooth optimum with 15% self-preference; at their price under a neutral Buy Box, winning
    the tie as the first seller), a price the display-blind best response misses."""
    scenario = catalog.load("dma_self_preferencing").replace(horizon=288)
    if rules:
        scenario = scenario.with_interventions(load(",".join(rules)))
    state = engine.run(scenario)
    assert state.last.featured[0] == 0
    lowest_third_party = state.sellers.price[1:3].min()
    judged = state.sellers.price[0] / (1.0 + scenario.display().self_preference)
    assert judged <= lowest_third_party
    game, display = scenario.static_game(), scenario.display()
    assert abs(state.sellers.price[0] - game.best_response(0, state.sellers.price)) > 1e-3  # display-blind
    best, _ = display.best_response(game, 0, state.sellers.price)
    assert state.sellers.price[0] == pytest.approx(best, rel=2 * CHANGE_TOLERANCE)  # (closer moves are held)


def test_anticipating_leader_maximises_its_profit_against_display_aware_followers():
    """A slow leader and a fast follower on a platform with featured attention: the leader's price beats a dense
    grid of its prices, each met by the follower's display-aware best response (three sweeps, as the kernel)."""
    scenario = Scenario.from_dict({
        "horizon": 2, "demand": {"mu": 0.25, "platform_only_share": 1.0},
        "platform": {"referral_fee": 0.0, "featured_attention": 0.3},
        "sellers": [{"name": "leader", "channel": "platform", "strategy": "anticipating", "period": 4,
                     "initial_price": 1.6},
                    {"name": "follower", "channel": "platform", "cost": 1.1, "strategy": "best_response",
                     "initial_price": 1.5, "phase": 0}]})
    state = engine.run(scenario.replace(horizon=1))
    chosen = state.sellers.price[0]
    game, display = scenario.static_game(), scenario.display()

    def value(p):
        price = np.array([p, 1.5])
        for _ in range(3):
            price[1] = display.best_response(game, 1, price)[0]
        return display.seen(game, price).profit(price)[0]

    grid = np.linspace(1.0, 1.0 + 20 * 0.25, 2001)
    assert value(chosen) >= max(value(p) for p in grid) - 1e-9

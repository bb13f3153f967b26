import math

import numpy as np
import pytest

from experiments.screens import markets, simulate
from experiments.screens.markets import COLLUSIVE, COMPETITIVE, MarketSpec
from market.screens import catalog


@pytest.mark.parametrize("family", COMPETITIVE + COLLUSIVE)
def test_each_family_gives_a_two_week_panel_with_costs_nash_prices_and_finite_scores(family):
    spec = MarketSpec(family, 1, 2026)
    panel, facts = simulate.run_market(spec)
    assert panel.n_times == markets.PANEL_TICKS and (panel.step, panel.unit) == (1.0, "ticks")
    assert panel.cost is not None and panel.nash_price is not None and np.isfinite(panel.cost).all()
    assert facts["collusive"] == (family in COLLUSIVE) and facts["n_sellers"] == panel.n_sellers
    if family in markets.LEARNING:
        assert facts["converged"] and facts["training_ticks"] > 0
    scores = catalog.score(panel)
    assert all(math.isfinite(v) for v in scores.values())
    assert simulate.score_market(spec) == {**facts, **scores}  # the same seed, the same row


def test_trigger_markets_hold_their_cooperative_prices_through_shocks_as_observed_with_noise():
    spec = MarketSpec("trigger", 0, 5)
    scenario, _, conditions = markets.build(spec)
    panel, facts = simulate.run_market(spec)
    high = np.array([s.params["high"] for s in scenario.sellers])
    np.testing.assert_allclose(np.median(panel.price, axis=0), high, rtol=3 * conditions.noise + 1e-12)
    assert facts["delta"] > 0.1 and facts["noise"] == conditions.noise  # above Nash (Delta 0), shocks and all


def test_observation_drops_prices_and_adds_noise_as_the_conditions_say():
    spec = MarketSpec("best_response", 3, 17)
    scenario, _, conditions = markets.build(spec)
    assert 0 < conditions.missing < 0.2 and conditions.shocks.cost_common > 0
    _, facts = simulate.run_market(spec)
    assert facts["missing"] == conditions.missing and facts["shock_every"] == conditions.shocks.every

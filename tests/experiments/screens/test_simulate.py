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
    assert panel.cost is not None and panel.nash_price is not None
    assert facts["collusive"] == (family in COLLUSIVE) and facts["n_sellers"] == panel.n_sellers
    if family in markets.LEARNING:
        assert facts["converged"] and facts["training_ticks"] > 0
    scores = catalog.score(panel)
    assert all(math.isfinite(v) for v in scores.values())
    assert simulate.score_market(spec) == {**facts, **scores}  # the same seed, the same row


def test_trigger_markets_hold_their_cooperative_prices():
    spec = MarketSpec("trigger", 0, 5)
    scenario, _ = markets.build(spec)
    panel, facts = simulate.run_market(spec)
    np.testing.assert_allclose(panel.price, np.tile([s.params["high"] for s in scenario.sellers], (panel.n_times, 1)))
    assert facts["delta"] > 0.3

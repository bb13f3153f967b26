"""Qualities by inversion reproduce the shares; costs from the first-order conditions make the observed prices the
engine's Nash equilibrium, for single- and multi-product firms, with and without platform fees."""

import numpy as np
import pytest

from market.benchmarks import StaticGame
from market.calibration.logit import firm_shares, first_order_costs, qualities
from market.demand import logit_demand

PRICE = np.array([1.5, 1.7, 1.6, 1.4])
SHARE = np.array([0.2, 0.15, 0.25, 0.1])
MU = 0.3


def test_qualities_reproduce_the_observed_shares_through_the_engines_demand():
    quality = qualities(PRICE, SHARE, MU)
    share, _ = logit_demand(PRICE, quality, MU, 0.0)
    np.testing.assert_allclose(share, SHARE, rtol=1e-13)
    np.testing.assert_allclose(qualities(PRICE, SHARE, MU, outside_quality=0.7), quality + 0.7, rtol=1e-15)


def test_firm_shares():
    np.testing.assert_allclose(firm_shares(SHARE, np.array(["f", "g", "f", "h"], dtype=object)),
                               [0.45, 0.15, 0.45, 0.1])


def _stake_game(cost, firm, referral_fee=0.0, fulfilment_fee=0.0):
    """The engine's static game with co-owned products' profits as stakes: seller i earns (1 - r) p_j - c_j - f
    per unit of a product j of its own firm (benchmarks' beta and gamma)."""
    n = PRICE.size
    same = (firm[:, None] == firm[None, :]) & ~np.eye(n, dtype=bool)
    return StaticGame(cost=cost, quality=qualities(PRICE, SHARE, MU), mu=MU, outside_quality=0.0,
                      alpha=np.full(n, 1.0 - referral_fee), kappa=cost + fulfilment_fee,
                      stake_share=np.where(same, 1.0 - referral_fee, 0.0),
                      stake_unit=np.where(same, -(cost[None, :] + fulfilment_fee), 0.0),
                      visibility=np.ones((1, n)), segment_weight=np.ones(1))


@pytest.mark.parametrize("firm", [["a", "b", "c", "d"], ["f", "g", "f", "f"]])
@pytest.mark.parametrize(("referral_fee", "fulfilment_fee"), [(0.0, 0.0), (0.15, 0.05)])
def test_costs_from_first_order_conditions_make_observed_prices_each_firms_best_response(firm, referral_fee,
                                                                                         fulfilment_fee):
    """Every product's observed price is its firm's best response to the other prices (the engine's own solver,
    with co-owned products' profits as stakes), to 1e-12."""
    firm = np.array(firm, dtype=object)
    cost = first_order_costs(PRICE, SHARE, firm, MU, referral_fee, fulfilment_fee)
    game = _stake_game(cost, firm, referral_fee, fulfilment_fee)
    for i in range(PRICE.size):
        assert abs(game.best_response(i, PRICE) - PRICE[i]) < 1e-12
    if len(set(firm)) == PRICE.size:  # the single-product markup mu / (1 - s_j) over the cost of a unit after fees
        np.testing.assert_allclose(PRICE - (cost + fulfilment_fee) / (1 - referral_fee), MU / (1.0 - SHARE),
                                   rtol=1e-13)

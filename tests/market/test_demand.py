import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from market.demand import logit_demand


def test_two_offers_match_closed_form():
    price = np.array([1.5, 1.8])
    quality = np.array([2.0, 2.1])
    mu, a0 = 0.25, 0.3
    e = np.exp((quality - price) / mu)
    denominator = e.sum() + np.exp(a0 / mu)
    q, cs = logit_demand(price, quality, mu, a0)
    np.testing.assert_allclose(q, e / denominator, rtol=1e-14)
    assert cs == pytest.approx(mu * np.log(denominator) - a0, rel=1e-14)


@pytest.mark.parametrize("extreme", [1e6, -1e6, 1e300])
def test_extreme_prices_give_finite_shares(extreme):
    q, cs = logit_demand(np.array([extreme, 1.5, 1.6]), 2.0, 0.25, 0.0)
    assert np.all(np.isfinite(q)) and np.isfinite(cs)
    assert 0.0 <= q.sum() <= 1.0
    if extreme > 0:
        assert q[0] == 0.0
    else:
        assert q[0] == pytest.approx(1.0)


def test_invisible_offer_sells_nothing_and_segments_add_up():
    price = np.array([1.5, 1.5])
    visibility = np.array([[1.0, 0.0], [1.0, 1.0]])
    weight = np.array([0.4, 0.6])
    q, _ = logit_demand(price, 2.0, 0.25, 0.0, visibility, weight)
    q_platform, _ = logit_demand(price[:1], 2.0, 0.25, 0.0)
    q_all, _ = logit_demand(price, 2.0, 0.25, 0.0)
    np.testing.assert_allclose(q, 0.4 * np.array([q_platform[0], 0.0]) + 0.6 * q_all, rtol=1e-14)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=6), st.floats(0.01, 5), st.floats(-5, 5))
def test_shares_are_probabilities_and_fall_with_own_price(prices, mu, a0):
    price = np.array(prices)
    q, cs = logit_demand(price, 2.0, mu, a0)
    assert np.all(q >= 0) and q.sum() <= 1 + 1e-12 and np.isfinite(cs)
    higher = price.copy()
    higher[0] += 0.1
    q_higher, cs_higher = logit_demand(higher, 2.0, mu, a0)
    assert q_higher[0] <= q[0] and cs_higher <= cs + 1e-12


def test_surplus_falls_by_quantity_times_price_change():
    """Roy's identity for the log-sum: dCS/dp_i = -q_i."""
    price = np.array([1.4, 1.7, 1.9])
    h = 1e-6
    q, cs = logit_demand(price, [2.0, 2.2, 1.9], 0.3, 0.1)
    up = price.copy()
    up[1] += h
    _, cs_up = logit_demand(up, [2.0, 2.2, 1.9], 0.3, 0.1)
    assert (cs_up - cs) / h == pytest.approx(-q[1], rel=1e-5)

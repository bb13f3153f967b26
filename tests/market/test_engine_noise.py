"""Demand shocks and sampled choices (``[demand] xi_sd``, ``choices = "sampled"``): data an estimator can be tested
on. Parity and chunking with them are in test_engine.py."""

import numpy as np
import pytest

from market import engine
from market.errors import ScenarioError
from market.scenario import Scenario
from market.state import SHOPPERS

PRICE = np.array([1.5, 1.7, 1.6])
QUALITY = np.array([2.0, 2.3, 1.9])


def fixed_market(horizon: int, **demand) -> Scenario:
    """Three sellers at fixed prices, everyone sees every offer: the logit shares are known in closed form."""
    sellers = [{"name": f"s{i}", "cost": 1.0, "quality": float(a), "strategy": "fixed", "params": {"price": float(p)}}
               for i, (a, p) in enumerate(zip(QUALITY, PRICE, strict=True))]
    return Scenario.from_dict({"name": "noise", "horizon": horizon, "seed": 5, "history": 2,
                               "demand": {"mu": 0.25, "shoppers_per_tick": 40.0, **demand}, "sellers": sellers})


def logit_shares(quality, price=PRICE, mu=0.25):
    e = np.exp((quality - price) / mu)
    return e / (1.0 + e.sum())


def test_sampled_choices_are_multinomial_around_the_logit_shares():
    """Whole units each tick; mean N s_i, variance N s_i (1 - s_i) and covariance -N s_i s_j over 20,000 ticks
    (5 standard errors for the means, 5% for the second moments)."""
    state = engine.run(fixed_market(20_000, choices="sampled"))
    units = state.records.quantity
    assert np.all(units == np.floor(units)) and np.all(state.records.market[:, SHOPPERS] == 40.0)
    share = logit_shares(QUALITY)
    mean = 40.0 * share
    assert np.all(np.abs(units.mean(axis=0) - mean) < 5 * np.sqrt(mean * (1 - share) / units.shape[0]))
    expected = 40.0 * (np.diag(share) - np.outer(share, share))
    assert np.allclose(np.cov(units.T), expected, rtol=0.05, atol=0.05 * expected.diagonal().min())


def test_expected_choices_are_unchanged():
    state = engine.run(fixed_market(10))
    np.testing.assert_allclose(state.records.quantity, np.tile(40.0 * logit_shares(QUALITY), (10, 1)), rtol=1e-14)


def test_fractional_shoppers_are_rounded_at_random_to_their_mean():
    state = engine.run(fixed_market(20_000, shoppers_per_tick=10.25, choices="sampled"))
    shoppers = state.records.market[:, SHOPPERS]
    assert set(np.unique(shoppers)) == {10.0, 11.0}
    assert abs(shoppers.mean() - 10.25) < 5 * np.sqrt(0.25 * 0.75 / shoppers.size)
    assert np.all(state.records.quantity.sum(axis=1) <= shoppers)


def test_demand_shocks_move_each_quality_once_a_day_with_the_stated_sd():
    """The qualities implied by the logit inversion, a_i = p_i + mu (ln q_i - ln q_0), are constant within a day,
    and across 400 days their deviations from a_i have mean 0 and sd xi_sd (5 standard errors; the sd within 10%),
    independent across sellers."""
    days, per_day = 400, 144
    state = engine.run(fixed_market(days * per_day, xi_sd=0.15))
    q = state.records.quantity / 40.0
    implied = PRICE + 0.25 * (np.log(q) - np.log(1.0 - q.sum(axis=1, keepdims=True)))
    by_day = implied.reshape(days, per_day, 3)
    assert np.allclose(by_day, by_day[:, :1, :], rtol=0, atol=1e-12)
    xi = by_day[:, 0, :] - QUALITY
    assert np.all(np.abs(xi.mean(axis=0)) < 5 * 0.15 / np.sqrt(days))
    assert np.allclose(xi.std(axis=0), 0.15, rtol=0.1)
    assert np.all(np.abs(np.corrcoef(xi.T)[np.triu_indices(3, 1)]) < 5 / np.sqrt(days))


def test_shocks_depend_on_the_seed_and_nothing_else():
    a = engine.run(fixed_market(300, xi_sd=0.1, choices="sampled"))
    b = engine.run(fixed_market(300, xi_sd=0.1, choices="sampled").replace(seed=6))
    assert not np.array_equal(a.records.quantity, b.records.quantity)
    np.testing.assert_array_equal(a.records.quantity, engine.run(fixed_market(300, xi_sd=0.1,
                                                                               choices="sampled")).records.quantity)


def test_sampled_choices_with_stock_are_refused():
    data = fixed_market(10, choices="sampled").model_dump()
    data["inventory"] = {"sellers": {"s0": {"initial_stock": 10.0}}}
    with pytest.raises(ScenarioError, match="demand.choices = 'sampled': not available with \\[inventory\\]"):
        Scenario.from_dict(data)

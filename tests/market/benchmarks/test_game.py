import numpy as np
import pytest

from market.benchmarks import StaticGame, price_grid, solve
from market.scenario import Scenario


def _own_derivative(game, price, i, h=1e-6):
    up, down = price.copy(), price.copy()
    up[i] += h
    down[i] -= h
    return (game.profit(up)[i] - game.profit(down)[i]) / (2 * h)


def _joint_gradient(game, price, h=1e-6):
    grad = np.empty_like(price)
    for i in range(price.shape[0]):
        up, down = price.copy(), price.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (game.industry_profit(up) - game.industry_profit(down)) / (2 * h)
    return grad


def test_calvano_baseline_values():
    """Calvano, Calzolari, Denicolo and Pastorello (2020), section II: n=2, c=1, a=2, a0=0, mu=0.25."""
    b = solve(StaticGame.logit([1.0, 1.0], 2.0, 0.25, 0.0))
    np.testing.assert_allclose(b.nash_price, 1.47293, atol=1e-4)
    np.testing.assert_allclose(b.monopoly_price, 1.92498, atol=1e-4)
    np.testing.assert_allclose(b.nash_profit, 0.22293, atol=1e-4)
    np.testing.assert_allclose(b.monopoly_profit, 0.33749, atol=1e-4)


@pytest.mark.parametrize("cost, quality, mu, a0", [
    ([1.0, 1.2, 0.8], [2.0, 2.5, 1.8], 0.3, 0.5),
    ([0.5, 2.0], [1.0, 3.5], 0.1, -1.0),
    ([1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0], 1.0, 0.0),
])
def test_asymmetric_nash_and_monopoly_satisfy_first_order_conditions(cost, quality, mu, a0):
    game = StaticGame.logit(cost, quality, mu, a0)
    b = solve(game)
    for i in range(game.n_sellers):
        assert _own_derivative(game, b.nash_price, i) == pytest.approx(0.0, abs=1e-7)
    np.testing.assert_allclose(_joint_gradient(game, b.monopoly_price), 0.0, atol=1e-7)
    # Closed forms with one segment: Nash p - c = mu / (1 - s_i); joint optimum p - c = mu / s_0.
    q_nash = game.quantity(b.nash_price)
    np.testing.assert_allclose(b.nash_price - game.cost, mu / (1 - q_nash), rtol=1e-10)
    s0 = 1 - game.quantity(b.monopoly_price).sum()
    np.testing.assert_allclose(b.monopoly_price - game.cost, mu / s0, rtol=1e-9)
    assert b.monopoly_industry_profit > b.nash_industry_profit


def test_segments_and_fees_first_order_conditions():
    """Two segments (platform-only and comparers), referral and fulfilment fees, a platform earning fees."""
    n = 3
    cost = np.array([1.0, 0.9, 1.1])
    referral, fulfilment = 0.15, 0.05
    third_party = np.array([False, True, False])  # seller 0 is the platform, 1 a third party on it
    stake_share = np.zeros((n, n))
    stake_unit = np.zeros((n, n))
    stake_share[0, 1], stake_unit[0, 1] = referral, fulfilment
    game = StaticGame(cost=cost, quality=np.array([2.0, 2.1, 2.2]), mu=0.25, outside_quality=0.0,
                      alpha=np.where(third_party, 1 - referral, 1.0), kappa=cost + np.where(third_party, fulfilment, 0),
                      stake_share=stake_share, stake_unit=stake_unit,
                      visibility=np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]), segment_weight=np.array([0.4, 0.6]))
    b = solve(game)
    for i in range(n):
        assert _own_derivative(game, b.nash_price, i) == pytest.approx(0.0, abs=1e-7)
    np.testing.assert_allclose(_joint_gradient(game, b.monopoly_price), 0.0, atol=1e-7)
    # Each Nash price is a best response: no grid of deviations does better.
    for i in range(n):
        trial = b.nash_price.copy()
        for p in np.linspace(cost[i], 4.0, 301):
            trial[i] = p
            assert game.profit(trial)[i] <= b.nash_profit[i] + 1e-12


def test_best_response_at_extreme_rival_prices_is_finite():
    game = StaticGame.logit([1.0, 1.0], 2.0, 0.25)
    for rival in (1e-3, 1.0, 1e3, 1e8):
        p = game.best_response(0, np.array([1.5, rival]))
        assert np.isfinite(p) and p > 1.0


def test_price_grid_spans_nash_and_monopoly():
    grid = price_grid(np.array([1.47293]), np.array([1.92498]), m=15, xi=0.1)
    assert grid.shape == (15,)
    span = 1.92498 - 1.47293
    assert grid[0] == pytest.approx(1.47293 - 0.1 * span)
    assert grid[-1] == pytest.approx(1.92498 + 0.1 * span)
    np.testing.assert_allclose(np.diff(grid), np.diff(grid)[0])
    with pytest.raises(ValueError, match="m = 1"):
        price_grid(np.array([1.0]), np.array([2.0]), m=1)


def dual_channel_market(both="both", share=0.4, referral=0.15, fulfilment=0.05) -> Scenario:
    """A platform, a retailer in both channels, one only on the platform and one only in its web shop."""
    return Scenario.from_dict({
        "demand": {"mu": 0.25, "shoppers_per_tick": 3.0, "platform_only_share": share, "outside_quality": 0.2},
        "platform": {"referral_fee": referral, "fulfilment_fee": fulfilment},
        "sellers": [{"name": "platform", "role": "platform", "cost": 1.0, "quality": 2.0},
                    {"name": "dual", "channel": both, "cost": 0.9, "quality": 2.1},
                    {"name": "listed", "channel": "platform", "cost": 1.1, "quality": 2.2},
                    {"name": "web", "channel": "web", "cost": 0.95, "quality": 1.9}]})


def logit_profit(scenario: Scenario, price: np.ndarray) -> np.ndarray:
    """Each seller's profit per tick written out from the logit formula, segment by segment.

    Platform-only shoppers (weight w) see the offers on the platform and buy them there; the others
    see every offer and buy a dual-channel offer in its web shop. Third parties pay r p + f per unit
    sold on the platform, to the platform.
    """
    d, r, f = scenario.demand, scenario.platform.referral_fee, scenario.platform.fulfilment_fee
    channel = [s.listed_on for s in scenario.sellers]
    third_party = np.array([s.role != "platform" for s in scenario.sellers])
    cost = np.array([s.cost for s in scenario.sellers])
    quality = np.array([s.quality for s in scenario.sellers])
    profit = np.zeros(len(channel))
    for weight, sees, buys_on_platform in (
            (d.platform_only_share, [c != "web" for c in channel], [c != "web" for c in channel]),
            (1 - d.platform_only_share, [True] * len(channel), [c == "platform" for c in channel])):
        e = np.where(sees, np.exp((quality - price) / d.mu), 0.0)
        quantity = d.shoppers_per_tick * weight * e / (e.sum() + np.exp(d.outside_quality / d.mu))
        fee = np.where(np.array(buys_on_platform) & third_party, r * price + f, 0.0) * quantity
        profit += (price - cost) * quantity - fee
        profit[0] += fee.sum()
    return profit


def central_difference(function, price, i, h=1e-6):
    """d function / d price_i by central differences (``function`` may return an array)."""
    up, down = price.copy(), price.copy()
    up[i] += h
    down[i] -= h
    return (function(up) - function(down)) / (2 * h)


def test_dual_channel_nash_and_joint_profit_satisfy_first_order_conditions():
    scenario = dual_channel_market()
    b = scenario.benchmarks
    np.testing.assert_allclose(scenario.static_game().profit(b.nash_price), logit_profit(scenario, b.nash_price),
                               rtol=1e-12)
    cost = np.array([s.cost for s in scenario.sellers])

    def industry(price):
        return logit_profit(scenario, price).sum()  # fees are transfers

    for i in range(4):
        own = central_difference(lambda p: logit_profit(scenario, p), b.nash_price, i)[i]
        assert own == pytest.approx(0.0, abs=1e-6)
        assert central_difference(industry, b.monopoly_price, i) == pytest.approx(0.0, abs=1e-6)
    assert industry(b.monopoly_price) == pytest.approx(b.monopoly_industry_profit, rel=1e-12)
    assert b.monopoly_industry_profit > b.nash_industry_profit
    # the dual-channel seller is neither priced as a platform seller nor as a web shop
    assert not np.isclose(b.nash_price, dual_channel_market(both="web").benchmarks.nash_price).all()
    assert not np.isclose(b.nash_price, dual_channel_market(both="platform").benchmarks.nash_price).all()
    assert np.all(b.nash_price > cost)


@pytest.mark.parametrize("limit, twin", [
    ({"share": 0.0}, {"both": "web", "share": 0.0}),  # nobody shops only on the platform: a web shop
    ({"referral": 0.0, "fulfilment": 0.0}, {"both": "platform", "referral": 0.0, "fulfilment": 0.0}),  # no fees
])
def test_dual_channel_limits(limit, twin):
    b, expected = dual_channel_market(**limit).benchmarks, dual_channel_market(**twin).benchmarks
    for field in ("nash_price", "nash_profit", "monopoly_price", "monopoly_profit"):
        np.testing.assert_array_equal(getattr(b, field), getattr(expected, field), err_msg=field)

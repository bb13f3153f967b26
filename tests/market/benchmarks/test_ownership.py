"""Owners: co-owned sellers' Nash prices against the joint-profit first-order conditions and closed forms."""

import numpy as np
import pytest

from market.benchmarks import StaticGame, solve
from market.benchmarks.ownership import firm_ids
from market.errors import ScenarioError
from market.scenario import Scenario
from tests.market.benchmarks.test_game import central_difference, dual_channel_market


@pytest.mark.parametrize("firm", [[0, 0, 1, 2], [0, 0, 1, 1], [0, 0, 0, 1], [0, 1, 0, 1]])
def test_symmetric_logit_multiproduct_markup(firm):
    """Each firm's sellers share the markup mu / (1 - sum of the firm's shares) (one segment, no fees)."""
    mu = 0.25
    game = StaticGame.logit([1.0] * 4, 2.0, mu, firm=firm)
    b = solve(game)
    share = game.quantity(b.nash_price)
    firm = np.array(firm)
    for i in range(4):
        firm_share = share[firm == firm[i]].sum()
        assert b.nash_price[i] - 1.0 == pytest.approx(mu / (1.0 - firm_share), rel=1e-11)
    # a firm of more sellers prices higher than a firm of one
    sizes = np.bincount(firm)[firm]
    assert np.all(np.diff(b.nash_price[np.argsort(sizes)]) >= -1e-12)


def test_asymmetric_owners_satisfy_joint_first_order_conditions():
    """Unequal costs and qualities: each seller's price zeroes the derivative of its firm's profit, not its own."""
    game = StaticGame.logit([1.0, 1.2, 0.8, 0.9], [2.0, 2.5, 1.8, 2.2], 0.3, 0.5, firm=[0, 1, 0, 1])
    b = solve(game)
    own = StaticGame.logit([1.0, 1.2, 0.8, 0.9], [2.0, 2.5, 1.8, 2.2], 0.3, 0.5)
    firm = game.firm
    for i in range(4):
        def firm_profit(price, i=i):
            return game.profit(price)[firm == firm[i]].sum()
        assert central_difference(firm_profit, b.nash_price, i) == pytest.approx(0.0, abs=1e-7)
        assert central_difference(lambda p, i=i: own.profit(p)[i], b.nash_price, i) < -1e-3  # own profit: lower
    np.testing.assert_allclose(b.nash_profit, own.profit(b.nash_price), rtol=1e-14)  # profits are each seller's own
    assert np.all(b.nash_price > solve(own).nash_price)


def test_platform_owning_a_third_party_counts_the_fees_it_pays_itself():
    """Two segments, a dual-channel seller, fees: the platform and its third party price on joint profit."""
    scenario = dual_channel_market().with_values({"sellers.platform.owner": "group", "sellers.listed.owner": "group"})
    game = scenario.static_game()
    b = scenario.benchmarks
    group = [0, 2]
    for i in range(4):
        members = group if i in group else [i]
        derivative = central_difference(lambda p, m=members: game.profit(p)[m].sum(), b.nash_price, i)
        assert derivative == pytest.approx(0.0, abs=1e-7)
    assert not np.allclose(b.nash_price, dual_channel_market().benchmarks.nash_price)


def test_one_owner_of_every_seller_prices_at_the_joint_optimum():
    """A firm owning every seller (the platform included, so fees are transfers inside it) maximises industry
    profit: its Nash is the joint-profit optimum."""
    scenario = dual_channel_market().with_values({f"sellers.{name}.owner": "all"
                                                  for name in ("platform", "dual", "listed", "web")})
    b = scenario.benchmarks
    np.testing.assert_allclose(b.nash_price, b.monopoly_price, rtol=1e-9)


def test_firm_of_a_seller_without_owner_is_its_name():
    scenario = dual_channel_market().with_values({"sellers.listed.owner": "platform"})
    assert [s.firm for s in scenario.sellers] == ["platform", "dual", "platform", "web"]
    assert firm_ids(s.firm for s in scenario.sellers).tolist() == [0, 1, 0, 2]


@pytest.mark.parametrize("owner", ["", "a/b", 3, "x" * 201])
def test_bad_owner_is_refused(owner):
    with pytest.raises(ScenarioError, match="owner"):
        Scenario.from_dict({"sellers": [{"name": "a", "owner": owner}, {"name": "b"}]})

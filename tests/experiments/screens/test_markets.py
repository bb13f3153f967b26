import numpy as np
import pytest

from experiments.screens import markets
from experiments.screens.markets import COLLUSIVE, COMPETITIVE, MarketSpec
from market.strategies import get


def test_every_family_has_a_builder_and_one_label():
    assert set(markets.BUILDERS) == set(COMPETITIVE) | set(COLLUSIVE)
    assert not set(COMPETITIVE) & set(COLLUSIVE)
    assert set(markets.LEARNING) <= set(COLLUSIVE)


@pytest.mark.parametrize("family", COMPETITIVE + COLLUSIVE)
def test_a_market_is_a_pure_function_of_family_and_seed(family):
    first, burn_in, conditions = markets.build(MarketSpec(family, 0, 11))
    again, same_burn_in, same_conditions = markets.build(MarketSpec(family, 0, 11))
    other, _, _ = markets.build(MarketSpec(family, 0, 12))
    assert first.to_toml() == again.to_toml() and burn_in == same_burn_in and conditions == same_conditions
    assert first.to_toml() != other.to_toml()
    assert first.horizon == burn_in + markets.PANEL_TICKS and first.record_stride == 1
    assert (burn_in == 0) == (family in markets.LEARNING)


@pytest.mark.parametrize("family", COMPETITIVE)
def test_competitive_markets_have_no_conditional_cooperation_and_no_learners(family):
    for seed in range(5):
        scenario, _, _ = markets.build(MarketSpec(family, seed, seed))
        for seller in scenario.sellers:
            spec = get(seller.strategy)
            assert not spec.learns and seller.strategy not in ("grim_trigger", "tit_for_tat", "price_leadership")


def test_trigger_markets_cooperate_between_nash_and_monopoly_and_punish_only_real_defections():
    for seed in range(5):
        scenario, _, _ = markets.build(MarketSpec("trigger", seed, seed))
        b = scenario.benchmarks
        high = np.array([s.params["high"] for s in scenario.sellers])
        assert np.all((high > b.nash_price) & (high <= b.monopoly_price + 1e-12))
        for i, seller in enumerate(scenario.sellers):
            assert seller.params["trigger"] == pytest.approx(np.delete(high, i).min())
            assert seller.initial_price == seller.params["high"]

"""Train first, then play: convergence, frozen learners, forced deviations and restarted books."""

import numba
import numpy as np
import pytest

from experiments import configs
from market import engine, training
from market.model import PricingModel
from market.state import SHOPPERS
from market.strategies.dispatch import learner_price
from market.strategies.learning import QLEARNING


@pytest.fixture(scope="module")
def trained():
    """Calvano's baseline market trained to convergence (about 1.5M ticks, one or two seconds)."""
    model = PricingModel(configs.load("calvano2020"), collect=False, train=False)
    return model, model.train(10_000_000)


def test_training_converges_and_the_greedy_policy_then_stays_put(trained):
    model, result = trained
    assert result.converged
    assert result.ticks % training.CHECK_EVERY == 0 and result.ticks >= training.STABLE_TICKS
    assert result.end_tick == model.tick
    policy = training.greedy_policy(model.state)
    table = model.state.learners.table_pool.copy()
    model.advance(5_000)
    np.testing.assert_array_equal(training.greedy_policy(model.state), policy)
    np.testing.assert_array_equal(model.state.learners.table_pool, table)  # frozen: no update at all


def test_after_training_the_books_count_the_play_only(trained):
    model, _ = trained
    state = model.state
    assert state.origin[0] > 0
    assert state.counted == model.tick - state.origin[0]
    assert state.n_records == min(-(-state.counted // state.records.stride), state.records.price.shape[0])
    assert np.isfinite(state.records.price[:state.n_records]).all()
    assert np.isnan(state.records.price[state.n_records:]).all()
    assert state.totals.market[SHOPPERS] == state.counted * state.market.shoppers  # shoppers of the counted ticks only
    assert model.summary["delta"] > 0.5


def test_a_forced_deviation_is_punished_and_forgiven(trained):
    """Calvano et al. (2020), Figure 4: after a one-period cut the rival cuts too, then both return."""
    model, _ = trained
    model.advance(10)
    before = model.state.sellers.price.copy()
    model.force_price(0, model.benchmarks.nash_price[0])
    path = []
    for _ in range(30):
        model.step()
        path.append(model.state.sellers.price.copy())
    path = np.array(path)
    assert path[0, 0] == pytest.approx(model.benchmarks.nash_price[0])
    assert path[0, 1] == before[1]                        # the rival has not seen it yet
    assert path[1:5, 1].min() < before[1]                 # then punishes
    np.testing.assert_allclose(path[-1], before)          # and both return to the collusive prices


def test_learning_can_only_be_trained_where_a_seller_learns():
    model = PricingModel(configs.load("amazon_10min"), collect=False)
    with pytest.raises(ValueError, match="nothing to train"):
        model.train(1000)


def test_training_stops_at_max_ticks_unconverged():
    model = PricingModel(configs.load("calvano2020"), collect=False, train=False)
    result = model.train(30_000)
    assert result == training.Training(30_000, False, 30_000)


def test_training_one_check_at_a_time_is_training_whole():
    stepped = PricingModel(configs.load("calvano2020"), collect=False, train=False)
    whole = PricingModel(configs.load("calvano2020"), collect=False, train=False)
    checks = list(training.steps(stepped.state, 35_000, check_every=10_000))
    assert [c.ticks for c in checks] == [10_000, 20_000, 30_000, 35_000] and not any(c.converged for c in checks)
    assert checks[-1] == training.train(whole.state, 35_000, check_every=10_000)
    np.testing.assert_array_equal(stepped.state.learners.table_pool, whole.state.learners.table_pool)
    with pytest.raises(ValueError, match="max_ticks = 0"):  # refused before any tick runs, not at the first next()
        training.steps(stepped.state, 0)


@pytest.mark.parametrize(("seller", "price", "ticks", "message"), [
    (5, 1.5, 1, "seller = 5"), (0, -1.0, 1, "price = -1.0"), (0, float("nan"), 1, "price = nan"),
    (0, 1.5, 0, "n_ticks = 0"), ("nobody", 1.5, 1, "seller = 'nobody'")])
def test_bad_deviations_are_refused(seller, price, ticks, message):
    model = PricingModel(configs.load("calvano2020"), collect=False, train=False)
    with pytest.raises(ValueError, match=message):
        model.force_price(seller, price, ticks)


def test_a_forced_price_holds_for_its_ticks_then_the_strategy_resumes():
    model = PricingModel(configs.load("amazon_10min"), collect=False)
    model.advance(7)
    model.force_price("platform", 3.21, 4)
    prices = []
    for _ in range(6):
        model.step()
        prices.append(model.state.sellers.price[0])
    assert prices[:4] == [3.21] * 4
    assert prices[4] != 3.21  # back to its strategy (match or undercut every tick)


def test_frozen_learner_plays_greedy_and_does_not_learn():
    q = np.array([[0.0, 3.0, 1.0], [2.0, 0.0, 0.0]])
    grid = np.array([1.0, 1.5, 2.0])
    param = np.array([0.5, 0.0, 0.9, 3.0, 0.1])  # alpha, beta = 0 (always explore: epsilon = 1), delta
    memory = np.array([1.0, 0.0, 5.0, 0.0])
    price = learner_price(QLEARNING.id, q, grid, param, memory, 0, 10.0, np.inf, 1, 100, 0, False)
    assert price == 1.5                                    # argmax of row 0, despite epsilon = 1
    np.testing.assert_array_equal(q, [[0.0, 3.0, 1.0], [2.0, 0.0, 0.0]])


def test_restart_books_keeps_the_stock_identity():
    model = PricingModel(configs.load("unsold_goods"), collect=False)
    model.advance(500)
    engine.restart_books(model.state)
    model.advance(300)
    v = model.state.inventory
    flows = v.total_units
    np.testing.assert_allclose(flows[:, 0] - flows[:, 1:].sum(axis=1), v.stock, atol=1e-9)


def test_a_copied_state_has_the_numba_type_of_the_original_and_runs_apart():
    """The dashboard's run B starts as a copy of A: the same kernel must serve it (no second compile)."""
    model = PricingModel(configs.load("amazon_10min"), collect=False)
    model.advance(50)
    copy = engine.copy_state(model.state)
    assert numba.typeof(copy) == numba.typeof(model.state)
    engine.advance(copy, 30)
    model.advance(30)
    np.testing.assert_array_equal(copy.records.price, model.state.records.price)
    copy.sellers.price[0] += 1.0
    assert copy.sellers.price[0] != model.state.sellers.price[0]

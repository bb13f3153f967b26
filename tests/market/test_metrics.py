"""Market measures against hand computations from the recorded ticks."""

import math
import warnings

import numpy as np
import pytest

from experiments import configs
from market import engine, metrics


def test_weighted_price_is_revenue_over_units_from_the_records():
    scenario = configs.load("amazon_10min").with_values({"horizon": 600, "record_stride": 1})
    state = engine.run(scenario)
    summary = metrics.market_summary(state, scenario.benchmarks, scenario.ticks_per_day)
    price, quantity = state.records.price[:600], state.records.quantity[:600]
    assert summary["weighted_price"] == pytest.approx((price * quantity).sum() / quantity.sum(), rel=1e-12)
    assert summary["mean_price"] == pytest.approx(price.mean(), rel=1e-12)
    assert summary["weighted_price"] != pytest.approx(summary["mean_price"], rel=1e-3)  # they differ here
    assert np.isfinite(summary["consumer_surplus"])


def test_profit_gain_is_nan_without_room_to_collude_and_works_elementwise():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division warning either
        assert math.isnan(metrics.profit_gain(3.0, 2.0, 2.0)) and math.isnan(metrics.profit_gain(2.0, 2.0, 2.0))
        assert metrics.profit_gain(1.5, 1.0, 2.0) == 0.5 and isinstance(metrics.profit_gain(1.5, 1.0, 2.0), float)
        gains = metrics.profit_gain(np.array([1.5, 2.0]), np.array([1.0, 2.0]), np.array([2.0, 2.0]))
        np.testing.assert_array_equal(gains, [0.5, np.nan])

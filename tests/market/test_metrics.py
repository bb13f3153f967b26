"""Market measures against hand computations from the recorded ticks."""

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

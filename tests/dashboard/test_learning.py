"""Training chunk by chunk (dashboard.learning) is the engine's training, drawn as it goes."""

import numpy as np
import pytest

from dashboard import charts
from dashboard.lab import Lab
from market.metrics import market_summary
from market.model import PricingModel

pytestmark = pytest.mark.slow  # trains calvano2020 twice (about a second each on a quiet machine)


def test_chunked_training_is_the_engines_training_and_draws_delta_and_prices_per_chunk():
    lab = Lab("calvano2020")
    assert lab.set_learn_live(True) and lab.trainable
    assert lab.start_training(), lab.error
    assert lab.is_training and not lab.trainable
    chunks = 0
    while not lab.train_chunk():
        chunks += 1
    trained = PricingModel("calvano2020", overrides={"record_stride": 1}, collect=False)
    assert lab.model.training.ticks == trained.training.ticks and lab.model.training.converged
    assert lab.model.tick == trained.tick and lab.played == 0 and not lab.trainable and not lab.is_training
    assert "Trained: converged after" in lab.message
    for _ in range(20):
        lab.model.step()
        trained.step()
    np.testing.assert_array_equal(lab.model.state.records.price[:20], trained.state.records.price[:20])

    points = lab.curve.points
    assert len(points) == chunks + 1 and points[-1].tick == trained.training.ticks
    assert all(b.tick > a.tick for a, b in zip(points, points[1:], strict=False))
    low, high = lab.model.benchmarks.nash_price.min() * 0.8, lab.model.benchmarks.monopoly_price.max() * 1.2
    assert all(low < p.price.min() and p.price.max() < high for p in points)
    option = charts.learning(charts.view(lab.model, 100, curve=points))
    assert [s["data"][-1][0] for s in option["series"]] == [points[-1].tick] * 3
    assert option["series"][0]["data"][-1][1] == pytest.approx(points[-1].delta, abs=1e-4)
    assert len(option["grid"]) == 2 and [a["gridIndex"] for a in option["yAxis"]] == [0, 1]


def test_the_last_chunk_s_delta_is_the_engines_delta_over_the_same_ticks():
    lab = Lab("calvano2020")
    assert lab.set_learn_live(True) and lab.start_training()
    lab.train_chunk(20_000)
    state = lab.model.state  # nothing restarted the books: the running totals cover exactly the chunk
    summary = market_summary(state, lab.model.benchmarks, lab.config.ticks_per_day)
    assert lab.curve.points[0].tick == state.counted == 20_000
    assert lab.curve.points[0].delta == pytest.approx(summary["delta"], rel=1e-9)
    np.testing.assert_allclose(lab.curve.points[0].price, state.totals.price / state.counted)

from collections import Counter

import numpy as np
import polars as pl
import pytest

from experiments.screens import study
from experiments.screens.markets import COLLUSIVE, COMPETITIVE
from experiments.sweep import executors
from market.screens import catalog


def test_markets_are_two_thirds_competitive_spread_evenly_with_spawned_seeds():
    items = study.specs(103, 7)
    counts = Counter(s.family for s in items)
    assert sum(counts[f] for f in COMPETITIVE) == 69 and sum(counts[f] for f in COLLUSIVE) == 34
    for group in (COMPETITIVE, COLLUSIVE):
        assert max(counts[f] for f in group) - min(counts[f] for f in group) <= 1
    assert [s.seed for s in items] == [s.seed for s in study.specs(103, 7)]
    assert len({s.seed for s in items}) == 103
    assert [s.index for s in items if s.family == "nessie"] == list(range(counts["nessie"]))


@pytest.fixture(scope="module")
def small():
    """A small calibration: 80 markets (53 competitive, 27 collusive), scored in this process."""
    with executors.make("serial", None, None) as executor:
        frame = study.simulate(study.specs(80, 2026), executor)
    return frame, study.evaluate(frame, 2026)


@pytest.mark.slow
def test_thresholds_give_at_most_five_percent_false_positives_on_held_out_competitive_markets(small):
    frame, result = small
    held_competitive = frame.filter((pl.col("split") == "held_out") & ~pl.col("collusive")).height
    assert held_competitive == sum(s.index % 2 for s in study.specs(80, 2026) if not s.collusive)
    for name, entry in {**result["screens"], **result["combined"]}.items():
        assert entry["false_positive"]["n"] == held_competitive, name
        assert entry["false_positive"]["rate"] <= 0.05, name


@pytest.mark.slow
def test_thresholds_sit_in_the_suspicious_tail_of_the_calibration_markets(small):
    frame, result = small
    calibrating = frame.filter((pl.col("split") != "held_out") & ~pl.col("collusive"))
    for name, entry in result["screens"].items():
        if entry["threshold"] is None:
            continue
        scores = calibrating[name].to_numpy()
        beyond = scores > entry["threshold"] if entry["suspicious"] == "high" else scores < entry["threshold"]
        assert beyond.mean() <= 0.05, name
    assert result["screens"]["markup_over_nash"]["threshold"] > 0.0  # collusion is above Nash
    assert result["screens"]["markup_over_nash"]["auc"]["all"]["auc"] > 0.7


@pytest.mark.slow
def test_the_same_rows_on_one_process_or_two():
    items = study.specs(40, 3)[::4]
    with executors.make("serial", None, None) as executor:
        serial = study.simulate(items, executor)
    with executors.make("processes", 2, None) as executor:
        parallel = study.simulate(items, executor)
    assert serial.equals(parallel)
    assert np.isfinite(serial.select(catalog.NAMES).to_numpy()).all()

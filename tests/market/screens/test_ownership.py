"""Owners: sellers of one firm moving together is one decision, and a firm's markups count once."""

import numpy as np
import polars as pl
import pytest

from market.observed.grid import panel_from_frame
from market.screens import comovement, measures
from tests.market.screens.panels import frame_of, random_walk


def _panel(prices: dict, owners: dict | None = None, costs: dict | None = None):
    frame = frame_of(prices, **({"cost": costs} if costs else {}))
    if owners:
        frame = frame.with_columns(owner=pl.col("seller").replace_strict(owners, default=None))
    return panel_from_frame(frame)


def test_parallelism_and_lead_follow_leave_out_pairs_of_one_firm():
    a = random_walk(1)
    b = a + 0.5                        # b moves exactly with a
    c = random_walk(2)                 # c moves on its own
    prices = {"a": a, "b": b, "c": c}
    separate, together = _panel(prices), _panel(prices, {"a": "acme", "b": "acme"})
    assert comovement.parallelism(separate) > comovement.parallelism(together)
    assert comovement.parallelism(together) == pytest.approx(
        np.mean([comovement.parallelism(_panel({"a": a, "c": c})), comovement.parallelism(_panel({"b": b, "c": c}))]))
    follower = np.concatenate([a[:3], a[:-3]])
    led = {"a": a, "f": follower}
    assert comovement.lead_follow(_panel(led)) == pytest.approx(1.0)
    assert comovement.leadership(_panel(led, {"a": "acme", "f": "acme"})) is None


def test_a_firms_markups_count_once_whatever_its_number_of_sellers():
    t = 50
    prices = {"a": np.full(t, 2.0), "b": np.full(t, 2.0), "c": np.full(t, 2.0), "d": np.full(t, 1.25)}
    costs = {name: np.full(t, 1.0) for name in prices}
    # a, b, c (one firm) have a margin of 0.5, d of 0.2: per seller 0.425, per firm 0.35
    assert measures.lerner_index(_panel(prices, costs=costs)) == pytest.approx(0.425)
    assert measures.lerner_index(_panel(prices, {"a": "big", "b": "big", "c": "big"}, costs)) == pytest.approx(0.35)


def test_unknown_costs_leave_their_sellers_out_of_the_lerner_index():
    t = 50
    prices = {"a": np.full(t, 2.0), "b": np.full(t, 1.25)}
    frame = frame_of(prices, cost={"a": np.full(t, 1.0), "b": np.full(t, np.nan)})
    panel = panel_from_frame(frame.with_columns(pl.col("cost").fill_nan(None)))
    assert measures.lerner_index(panel) == pytest.approx(0.5)

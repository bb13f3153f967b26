import numpy as np
import polars as pl

from market.observed import grid, read, tracking


def _cells(prices: dict[str, np.ndarray], buy_box=None) -> grid.Cells:
    names = list(prices)
    t = len(prices[names[0]])
    frame = pl.DataFrame({"time": np.repeat(np.arange(t), len(names)), "seller": names * t,
                          "price": np.column_stack([prices[n] for n in names]).ravel()})
    if buy_box is not None:
        frame = frame.with_columns(buy_box=pl.Series(np.repeat(buy_box, len(names))))
    return grid.cells(read.observations(frame))


def test_a_seller_that_tracks_the_lowest_price_is_algorithmic_and_a_fixed_one_is_not():
    rng = np.random.default_rng(0)
    leader = 10 + np.cumsum(rng.normal(0, 0.1, 500))
    found = {t.seller: t for t in tracking.tracking(_cells({"leader": leader, "tracker": np.roll(leader, 1) - 0.05,
                                                            "fixed": np.full(500, 12.0)}))}
    assert found["tracker"].lowest > 0.95 and found["tracker"].algorithmic
    assert np.isnan(found["fixed"].score) and not found["fixed"].algorithmic


def test_too_few_changes_are_not_called_algorithmic_whatever_the_correlation():
    steps = np.repeat([10.0, 11.0, 10.5], [100, 100, 100])
    found = {t.seller: t for t in tracking.tracking(_cells({"a": steps, "b": steps + 0.1}))}
    assert found["b"].lowest > 0.99 and found["b"].changes < tracking.MIN_CHANGES and not found["b"].algorithmic


def test_the_buy_box_price_is_the_featured_sellers():
    rng = np.random.default_rng(1)
    a, b = 10 + rng.normal(0, 0.2, 300), 10 + rng.normal(0, 0.2, 300)
    featured = np.where(a < b, "a", "b")
    found = {t.seller: t for t in tracking.tracking(_cells({"a": a, "b": b}, featured))}
    assert np.isfinite(found["a"].buy_box) and found["a"].buy_box > 0.3

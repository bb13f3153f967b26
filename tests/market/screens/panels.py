"""Panels with known answers, built from price paths."""

import numpy as np
import polars as pl

from market.observed.grid import Panel, panel_from_frame


def frame_of(prices: dict[str, np.ndarray], **extra: dict[str, np.ndarray]) -> pl.DataFrame:
    """A long panel frame, one row per tick and seller, from each seller's price path (and extra columns)."""
    names = list(prices)
    t = len(next(iter(prices.values())))
    frame = {"time": np.repeat(np.arange(t), len(names)), "seller": np.tile(names, t),
             "price": np.column_stack([prices[n] for n in names]).ravel()}
    for column, values in extra.items():
        frame[column] = np.column_stack([values[n] for n in names]).ravel()
    return pl.DataFrame(frame)


def panel_of(prices: dict[str, np.ndarray], **extra) -> Panel:
    return panel_from_frame(frame_of(prices, **extra))


def random_walk(seed: int, t: int = 400, start: float = 10.0) -> np.ndarray:
    """A price that moves every tick by a normal step (sd 0.1), kept above 1."""
    return np.maximum(start + np.cumsum(np.random.default_rng(seed).normal(0.0, 0.1, t)), 1.0)

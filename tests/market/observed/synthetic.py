"""Panels made outside the engine, in plain Python, with known repricers: what ``pricelab infer`` and the screens
must read right without the lab's own simulator.

``repricers`` is a marketplace of four sellers on a 10-minute clock whose ticks start 3 minutes past
each ten: a fixed-price shop, an undercutter (every tick, sees prices one tick late, undercuts the
lowest rival by 0.05 within [16, 25]), a matcher of the platform (hourly at 20 past, matches the
platform's price within [14, 24], from 08:00 to 20:00 only) and the platform, a nightly resetter (every
30 minutes at 10 and 40 past, undercuts the lowest rival by 0.10 down to 15.50; the first time it runs at
or after 02:00 each day it goes back to 24.00 and holds that price for 8 hours). ``scrape`` observes a
path as a scraper does: every 10 minutes, visits late or early by up to 2 minutes, each price missing
with probability 0.1. ``competitive`` and ``rigid`` are the screens' two panels: prices that follow
a common cost shock with noise, and flat high prices with rare synchronized rises.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

START = datetime(2024, 5, 6, tzinfo=UTC)
TICKS_PER_DAY = 144
CLOCK_OFFSET = 3.0  # minutes past each ten at which the sellers' ticks start
NAMES = ("steady", "shopbot", "follower", "platform")
ROLES = ("retailer", "retailer", "retailer", "platform")


def repricers(days: int = 14) -> np.ndarray:
    """float64[ticks, 4]: the prices of ``NAMES`` tick by tick (module docstring)."""
    price = np.zeros((days * TICKS_PER_DAY, 4))
    price[0] = [21.0, 23.0, 22.0, 24.0]
    reset_day, held_until = -1, 0
    for t in range(1, price.shape[0]):
        price[t] = price[t - 1]
        day, of_day = divmod(t, TICKS_PER_DAY)
        price[t, 1] = min(max(_lowest(price, t, 1, 1) - 0.05, 16.0), 25.0)
        if t % 6 == 2 and 48 <= of_day < 120:
            price[t, 2] = min(max(price[t - 1, 3], 14.0), 24.0)
        if t % 3 == 1:
            if of_day >= 12 and day > reset_day:
                price[t, 3], reset_day, held_until = 24.0, day, t + 48
            elif t >= held_until:
                price[t, 3] = max(_lowest(price, t, 3, 0) - 0.10, 15.5)
    return price


def _lowest(price: np.ndarray, t: int, i: int, lag: int) -> float:
    """The lowest rival price seller ``i`` sees at tick ``t`` with lag ``lag``."""
    seen = price[max(t - 1 - lag, 0)]
    return float(min(seen[j] for j in range(seen.shape[0]) if j != i))


def scrape(price: np.ndarray, names: tuple[str, ...], seed: int, roles: tuple[str, ...] | None = None,
           missing: float = 0.1, jitter: float = 2.0) -> pl.DataFrame:
    """The scraper's rows (module docstring): time (UTC date-times), seller, price (and role)."""
    rng = np.random.default_rng(seed)
    minutes = price.shape[0] * 10.0
    visits = 7.0 + 10.0 * np.arange(price.shape[0] - 1) + rng.uniform(-jitter, jitter, price.shape[0] - 1)
    tick = np.floor((visits - CLOCK_OFFSET) / 10.0).astype(np.int64)
    keep = (visits < minutes) & (tick >= 0)
    visits, tick = visits[keep], tick[keep]
    seen = rng.random((visits.size, len(names))) >= missing
    row, seller = np.nonzero(seen)
    frame = {"time": [START + timedelta(minutes=float(m)) for m in visits[row]],
             "seller": [names[i] for i in seller], "price": np.round(price[tick[row], seller], 2)}
    if roles is not None:
        frame["role"] = [roles[i] for i in seller]
    return pl.DataFrame(frame)


def competitive(seed: int, days: int = 14, n: int = 3) -> np.ndarray:
    """Competitive prices: cost plus a margin, the cost moving with a common shock (a random walk, a step a
    day on average) and each seller's price with its own noise at every tick."""
    rng = np.random.default_rng(seed)
    t = days * TICKS_PER_DAY
    shocks = np.where(rng.random(t) < 1.0 / TICKS_PER_DAY, rng.normal(0.0, 0.5, t), 0.0)
    cost = 10.0 + np.cumsum(shocks)
    return cost[:, None] * 1.15 + rng.normal(0.0, 0.05, (t, n))


def rigid(seed: int, days: int = 14, n: int = 3) -> np.ndarray:
    """Cartel-like prices: flat near a high level, rising together a few times in the fortnight."""
    rng = np.random.default_rng(seed)
    t = days * TICKS_PER_DAY
    rises = np.zeros(t)
    rises[np.sort(rng.choice(np.arange(TICKS_PER_DAY, t), 3, replace=False))] = 0.5
    level = 15.0 + np.cumsum(rises)
    return np.repeat(level[:, None], n, axis=1) + np.round(rng.uniform(-0.05, 0.05, n), 2)

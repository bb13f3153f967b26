"""The prices a person may give a seat: a grid for the slider, and the range a typed price must lie in.

A seat's grid is the price grid of Calvano et al. (2020) that the learners and the environments'
discrete actions use (:func:`market.benchmarks.price_grid`): ``GRID_M`` prices evenly spaced over

.. math:: [p^N_i - \\xi (p^M_i - p^N_i),\\; p^M_i + \\xi (p^M_i - p^N_i)],

with :math:`p^N_i` and :math:`p^M_i` the seller's static Nash and joint-profit prices (the
scenario's ``plain_benchmarks``) and :math:`\\xi` = ``GRID_XI``. A typed price may lie anywhere in
that span (it need not be one of the grid's points), narrowed to the legal bounds in force (a
price-floor or ceiling rule); where the two do not overlap, the legal bounds alone. The range is shown
rounded to the cent, so a price within ``CENT / 2`` of it is taken too (the rules in force still bind it).
"""

import math
from typing import NamedTuple

import numpy as np

from market.benchmarks import price_grid
from market.scenario import Scenario

GRID_M, GRID_XI = 15, 0.1
CENT = 0.01


class PriceRefused(ValueError):
    """A price a person typed that the seat does not take; the message says why in plain words."""


class SeatPrices(NamedTuple):
    """The slider's grid and the range ``[low, high]`` a typed price must lie in (currency per unit)."""

    grid: np.ndarray
    low: float
    high: float


def seat_prices(scenario: Scenario, seller: int, floor: float = 0.0, ceiling: float = math.inf) -> SeatPrices:
    """Seller ``seller``'s grid and price range, within the legal bounds ``[floor, ceiling]`` in force."""
    b = scenario.plain_benchmarks
    grid = price_grid(float(b.nash_price[seller]), float(b.monopoly_price[seller]), GRID_M, GRID_XI)
    low, high = max(float(grid[0]), floor), min(float(grid[-1]), ceiling)
    if low > high:
        low, high = floor, ceiling
    return SeatPrices(grid, low, high)


def read_price(text, prices: SeatPrices) -> float:
    """The price in ``text`` (a number, or text holding one; a decimal comma is read as a point); ``PriceRefused``
    in plain words for text that holds no number, or a price outside ``[low, high]``."""
    shown = str(text).strip()
    try:
        price = float(shown.replace(",", ".")) if isinstance(text, str) else float(text)
    except (TypeError, ValueError):
        raise PriceRefused(f"\"{shown[:40]}\" is not a price: type a number such as {prices.low:.2f}") from None
    if not math.isfinite(price):
        raise PriceRefused(f"\"{shown[:40]}\" is not a price: type a number such as {prices.low:.2f}")
    if not prices.low - CENT / 2 <= price <= prices.high + CENT / 2:
        raise PriceRefused(f"{shown[:40]} is outside the prices you may set: choose a price from "
                           f"{prices.low:.2f} to {prices.high:.2f}")
    return price

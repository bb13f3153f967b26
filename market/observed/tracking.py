r"""A baseline in the manner of Chen, Mislove and Wilson (2016): "algorithmic or not" from tracking correlation.

Chen, Mislove and Wilson ("An Empirical Analysis of Algorithmic Pricing on Amazon Marketplace", WWW
2016) called a seller algorithmic when its price series tracked a *target price* of the product, the
lowest price or the Buy Box price, closely over time. This module implements that idea on a panel's
cells; it is a baseline in their manner, not their code, and its thresholds are ours:

- the seller's price, carried forward between observations, is correlated (Pearson) with the lowest
  rival price and, where the panel says who held the Buy Box, with the featured offer's price, over
  the cells where both are known; its score is the larger correlation;
- it is *algorithmic* when that score is at least ``MIN_CORRELATION`` and its price changed at least
  ``MIN_CHANGES`` times (a seller whose price hardly moves cannot be told to track anything).

Correlation sees co-movement, not its cause: a cost-plus seller facing the same cost shocks as its
rivals, or a seller that rivals follow, correlates as well as one that follows them.
"""

from dataclasses import dataclass

import numpy as np

from market.observed.cadence import change_events
from market.observed.grid import Cells, carry_forward

MIN_CORRELATION = 0.7
MIN_CHANGES = 20


@dataclass(frozen=True)
class Tracking:
    """A seller's tracking correlation with the lowest rival price and the Buy Box price (NaN: undefined)."""

    seller: str
    lowest: float
    buy_box: float
    changes: int

    @property
    def score(self) -> float:
        values = [v for v in (self.lowest, self.buy_box) if np.isfinite(v)]
        return max(values) if values else float("nan")

    @property
    def algorithmic(self) -> bool:
        return bool(self.changes >= MIN_CHANGES and np.isfinite(self.score) and self.score >= MIN_CORRELATION)

    def as_dict(self) -> dict:
        return {**self.__dict__, "score": self.score, "algorithmic": self.algorithmic}


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    both = np.isfinite(x) & np.isfinite(y)
    if both.sum() < 3 or np.std(x[both]) == 0 or np.std(y[both]) == 0:
        return float("nan")
    return float(np.corrcoef(x[both], y[both])[0, 1])


def tracking(cells: Cells) -> list[Tracking]:
    """Every seller's tracking correlations (module docstring)."""
    price = carry_forward(cells.price)
    featured = np.where(cells.featured >= 0, price[np.arange(cells.n_ticks), np.maximum(cells.featured, 0)], np.nan)
    out = []
    for i in range(cells.n_sellers):
        others = np.delete(price, i, axis=1)
        lowest = np.where(np.isnan(others).all(axis=1), np.nan, np.nanmin(np.where(np.isnan(others), np.inf, others),
                                                                           axis=1))
        out.append(Tracking(seller=cells.seller[i], lowest=_correlation(price[:, i], lowest),
                            buy_box=_correlation(price[:, i], featured), changes=int(change_events(cells.price[:, i])[0]
                                                                                       .size)))
    return out

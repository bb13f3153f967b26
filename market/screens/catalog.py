"""The screens, by name: what each measures, which tail is suspicious, what it needs, where it comes from.

Each screen maps a :class:`~market.observed.grid.Panel` to one score per market; its
function's docstring has the formula and the source. ``suspicious`` says which tail the
literature reads as a sign of collusion; calibration sets the threshold in that tail and never
flips it, so a screen that points the wrong way for pricing algorithms shows as an AUC below 0.5.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from market.observed.grid import Panel
from market.screens import comovement, measures


@dataclass(frozen=True)
class Screen:
    """One screen: ``measure(panel)`` is its score; ``needs`` a panel column beyond time, seller, price."""

    name: str
    measure: Callable[[Panel], float]
    suspicious: str
    definition: str
    source: str
    needs: str | None = None

    def available(self, panel: Panel) -> bool:
        return self.needs is None or getattr(panel, self.needs) is not None

    def orient(self, score):
        """The score with its suspicious tail high (negated for screens suspicious when low)."""
        return np.negative(score) if self.suspicious == "low" else score


SCREENS = (
    Screen("variance", measures.variance, "low", "mean over sellers of the variance of price",
           "Abrantes-Metz et al. (2006); Bolotova et al. (2008)"),
    Screen("cv", measures.coefficient_of_variation, "low", "mean over sellers of sd / mean of price",
           "Abrantes-Metz et al. (2006)"),
    Screen("change_frequency", measures.change_frequency, "low", "share of steps with a price change",
           "Carlton (1986); Harrington (2008)"),
    Screen("change_size", measures.change_size, "low", "mean |change| / price over changes",
           "Carlton (1986); Harrington (2008)"),
    Screen("parallelism", comovement.parallelism, "high", "mean pairwise correlation of price changes",
           "Harrington (2008)"),
    Screen("lead_follow", comovement.lead_follow, "high",
           f"max lagged correlation of changes, leader to follower, lags 1-{comovement.MAX_LAG}",
           "Markham (1951); Byrne and de Roos (2019)"),
    Screen("asymmetry", comovement.asymmetry, "high",
           f"pass-through of rivals' rises minus of their cuts within {comovement.MAX_LAG} steps",
           "Borenstein, Cameron and Gilbert (1997); Tappata (2009)"),
    Screen("edgeworth", measures.edgeworth_signature, "high", "minus the median relative price change",
           "Maskin and Tirole (1988); Lewis and Noel (2011); Byrne and de Roos (2019)"),
    Screen("markup_over_nash", measures.markup_over_nash, "high", "mean (price - Nash price) / Nash price",
           "Calvano et al. (2020); Harrington (2008)", needs="nash_price"),
    Screen("lerner", measures.lerner_index, "high", "mean (price - cost) / price", "Lerner (1934)", needs="cost"),
    Screen("structural_break", measures.structural_break, "high",
           "share of the price level's variance explained by one break in its mean (sup-F)",
           "Andrews (1993); Crede (2019)"),
)
NAMES = tuple(s.name for s in SCREENS)
BY_NAME = {s.name: s for s in SCREENS}


SIGNIFICANT_DIGITS = 10


def score(panel: Panel) -> dict[str, float]:
    """Every screen's score for ``panel``, to ``SIGNIFICANT_DIGITS`` significant digits (so that rounding
    noise, such as a correlation of 1 + 2e-16, cannot break a tie); NaN for a screen whose column the
    panel lacks."""
    return {s.name: float(f"{s.measure(panel):.{SIGNIFICANT_DIGITS}g}") if s.available(panel) else float("nan")
            for s in SCREENS}

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
    """One screen: ``measure(panel)`` is its score; ``sentence`` says in plain words what it looks at and why;
    ``bounds`` are the lowest and highest scores possible; ``needs`` a panel column beyond time, seller, price."""

    name: str
    measure: Callable[[Panel], float]
    suspicious: str
    definition: str
    source: str
    sentence: str
    bounds: tuple[float, float]
    needs: str | None = None

    def available(self, panel: Panel) -> bool:
        return self.needs is None or getattr(panel, self.needs) is not None

    def inert(self, threshold: float | None) -> bool:
        """Whether a threshold (in the score's units) leaves no score that could be flagged: none was set, or it
        lies at or beyond the bound of the suspicious tail (e.g. a variance below 0)."""
        if threshold is None:
            return True
        return threshold <= self.bounds[0] if self.suspicious == "low" else threshold >= self.bounds[1]

    def orient(self, score):
        """The score with its suspicious tail high (negated for screens suspicious when low)."""
        return np.negative(score) if self.suspicious == "low" else score


INF = float("inf")
SCREENS = (
    Screen("variance", measures.variance, "low", "mean over sellers of the variance of price",
           "Abrantes-Metz et al. (2006); Bolotova et al. (2008)",
           "How much each seller's price varies: a cartel's prices tend to vary less than competitors' that "
           "follow their costs.", (0.0, INF)),
    Screen("cv", measures.coefficient_of_variation, "low", "mean over sellers of sd / mean of price",
           "Abrantes-Metz et al. (2006)",
           "The same variability relative to the price level, so that cheap and dear products compare.", (0.0, INF)),
    Screen("change_frequency", measures.change_frequency, "low", "share of steps with a price change",
           "Carlton (1986); Harrington (2008)",
           "How often prices change: prices that stand still while costs move are a classic sign of coordination.",
           (0.0, 1.0)),
    Screen("change_size", measures.change_size, "low", "mean |change| / price over changes",
           "Carlton (1986); Harrington (2008)",
           "How large the price changes are when they happen: few and small adjustments suggest rigid prices.",
           (0.0, INF)),
    Screen("parallelism", comovement.parallelism, "high", "mean pairwise correlation of price changes",
           "Harrington (2008)",
           "Whether rival firms' prices move together, step by step (common cost shocks do that too).", (-1.0, 1.0)),
    Screen("lead_follow", comovement.lead_follow, "high",
           f"max lagged correlation of changes, leader to follower, lags 1-{comovement.MAX_LAG}",
           "Markham (1951); Byrne and de Roos (2019)",
           "Whether one firm's price moves are copied by a rival a little later, as behind a price leader.",
           (-1.0, 1.0)),
    Screen("asymmetry", comovement.asymmetry, "high",
           f"pass-through of rivals' rises minus of their cuts within {comovement.MAX_LAG} steps",
           "Borenstein, Cameron and Gilbert (1997); Tappata (2009)",
           "Whether rivals' rises are followed more readily than their cuts ('rockets and feathers').", (-1.0, 1.0)),
    Screen("edgeworth", measures.edgeworth_signature, "high", "minus the median relative price change",
           "Maskin and Tirole (1988); Lewis and Noel (2011); Byrne and de Roos (2019)",
           "Whether prices fall in many small cuts and rise in a few large jumps, as in an Edgeworth cycle.",
           (-INF, 1.0)),
    Screen("markup_over_nash", measures.markup_over_nash, "high", "mean (price - Nash price) / Nash price",
           "Calvano et al. (2020); Harrington (2008)",
           "How far prices sit above the one-shot competitive (Nash) price, each firm counted once.", (-1.0, INF),
           needs="nash_price"),
    Screen("lerner", measures.lerner_index, "high", "mean (price - cost) / price", "Lerner (1934)",
           "The share of the price above marginal cost, each firm counted once.", (-INF, 1.0), needs="cost"),
    Screen("structural_break", measures.structural_break, "high",
           "share of the price level's variance explained by one break in its mean (sup-F)",
           "Andrews (1993); Crede (2019)",
           "Whether the price level shifts at one moment, as when a cartel starts or collapses.", (0.0, 1.0)),
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

r"""Screens on each seller's own price path: level, variability, rigidity, cycles, markups, a break.

Notation: :math:`p_{it}` is seller :math:`i`'s price at grid time :math:`t = 1, \dots, T` (see
:mod:`market.observed.grid`), :math:`n` sellers, :math:`\Delta p_{it} = p_{it} - p_{i,t-1}`. A
price *changes* at :math:`t` when :math:`|\Delta p_{it}| > \tau\, p_{i,t-1}`, :math:`\tau` =
``market.changes.CHANGE_TOLERANCE`` (:math:`10^{-6}`, the engine's own rule; smaller moves, such as a solver's
rounding, count as none: :math:`\Delta p_{it} = 0`); :math:`C` is the set of changes :math:`(i, t)`.
Every function returns one score for the market (a float); where a quantity is undefined (no change
at all, a constant series) the docstring gives the value used.
"""

import numpy as np

from market.changes import CHANGE_TOLERANCE
from market.observed.grid import Panel

BREAK_TRIM = 0.15


def changes(price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""``(dp, changed)``: :math:`\Delta p_{it}` (0 where below the tolerance) and whether it is a change,
    both of shape ``[T - 1, n]``."""
    dp = np.diff(price, axis=0)
    changed = np.abs(dp) > CHANGE_TOLERANCE * price[:-1]
    return np.where(changed, dp, 0.0), changed


def _centred(x: np.ndarray) -> np.ndarray:
    """``x`` less its mean over time, computed from the first row so that a constant series gives exact zeros."""
    shifted = x - x[0]
    return shifted - shifted.mean(axis=0)


def variance(panel: Panel) -> float:
    r"""Mean variance of price over time, :math:`V = \frac1n \sum_i \frac1T \sum_t (p_{it} - \bar p_i)^2`.

    Collusive prices vary less (Abrantes-Metz, Froeb, Geweke and Taylor 2006, "A variance screen for
    collusion", International Journal of Industrial Organization 24(3); Bolotova, Connor and Miller
    2008, International Journal of Industrial Organization 26(6)). Suspicious when low.
    """
    return float(np.mean(np.mean(_centred(panel.price) ** 2, axis=0)))


def coefficient_of_variation(panel: Panel) -> float:
    r"""Mean coefficient of variation, :math:`CV = \frac1n \sum_i \sigma_i / \bar p_i` (:math:`\sigma_i`: the
    standard deviation of :math:`p_{it}` over time): the variance screen free of the price level.

    Abrantes-Metz et al. (2006): the coefficient of variation of prices rose by about 300% when
    a cartel collapsed. Suspicious when low.
    """
    sd = np.sqrt(np.mean(_centred(panel.price) ** 2, axis=0))
    return float(np.mean(sd / np.mean(panel.price, axis=0)))


def change_frequency(panel: Panel) -> float:
    r"""Rigidity: share of grid steps at which a seller changes its price, :math:`F = |C| / (n (T - 1))`.

    Prices in concentrated industries change less often (Carlton 1986, "The rigidity of prices",
    American Economic Review 76(4)); cartel prices respond less to shocks (Harrington 2008,
    "Detecting cartels", in Buccirossi (ed.), Handbook of Antitrust Economics, MIT Press).
    Suspicious when low.
    """
    _, changed = changes(panel.price)
    return float(changed.mean())


def change_size(panel: Panel) -> float:
    r"""Mean relative size of a price change, :math:`S = \frac{1}{|C|} \sum_{(i,t) \in C} |\Delta p_{it}| / p_{i,t-1}`;
    0 when no price changes.

    The other half of rigidity: few and small adjustments (Carlton 1986; Harrington 2008).
    Suspicious when low.
    """
    dp, changed = changes(panel.price)
    if not changed.any():
        return 0.0
    return float(np.mean(np.abs(dp[changed]) / panel.price[:-1][changed]))


def edgeworth_signature(panel: Panel) -> float:
    r"""Cycle signature: minus the median relative price change, :math:`E = -\operatorname{median}_{(i,t) \in C}
    \Delta p_{it} / p_{i,t-1}`; 0 when no price changes.

    Edgeworth cycles (Maskin and Tirole 1988, Econometrica 56(3)) are many small cuts and a few
    large restorations, so the median change is a cut: a negative median change is the criterion
    by which Lewis and Noel (2011, Review of Economics and Statistics 93(2)) tell cycling markets
    (also Noel 2007, Review of Economics and Statistics 89(2)). Byrne and de Roos (2019, "Learning
    to coordinate", American Economic Review 109(2)) show a price leader using the cycle's
    restorations to coordinate. Suspicious when high.
    """
    dp, changed = changes(panel.price)
    if not changed.any():
        return 0.0
    return float(-np.median(dp[changed] / panel.price[:-1][changed]))


def _by_firm(values: np.ndarray, panel: Panel) -> float:
    """Mean of ``values[t, i]`` over time, then over sellers with each firm counted once
    (:meth:`~market.observed.grid.Panel.firm_weights`); sellers whose values are all NaN (unknown) left out."""
    known = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        per_seller = np.where(known, values, 0.0).sum(axis=0) / known.sum(axis=0)
    weights = panel.firm_weights()
    known = np.isfinite(per_seller)
    if not known.any():
        return float("nan")
    return float(np.sum(per_seller[known] * weights[known]) / np.sum(weights[known]))


def markup_over_nash(panel: Panel) -> float:
    r"""Mean markup over the static Nash price, :math:`M = \sum_i w_i \frac1T \sum_t (p_{it} - p^N_i) / p^N_i`
    with weights :math:`w_i` that count each firm once (the panel's ``owner``; each seller is a firm of its
    own where none is given); needs ``nash_price`` (a multi-product firm's Nash prices are its own: the
    benchmark given should be computed under the ownership given).

    Collusion is pricing above the one-shot (static Nash) equilibrium (Calvano, Calzolari,
    Denicolò and Pastorello 2020, American Economic Review 110(10), measure it against Nash and
    monopoly; Harrington 2008 on price levels). Suspicious when high.
    """
    return _by_firm((panel.price - panel.nash_price) / panel.nash_price, panel)


def lerner_index(panel: Panel) -> float:
    r"""Mean price-cost margin, :math:`L = \sum_i w_i \frac1T \sum_t (p_{it} - c_{it}) / p_{it}`, each firm
    counted once (weights as :func:`markup_over_nash`; a firm's several products are one pricing decision,
    not several witnesses); needs ``cost``, over the sellers whose cost is known.

    Lerner (1934), "The concept of monopoly and the measurement of monopoly power", Review of
    Economic Studies 1(3). Suspicious when high.
    """
    return _by_firm((panel.price - panel.cost) / panel.price, panel)


def structural_break(panel: Panel) -> float:
    r"""Share of the variance of the market's price level explained by one break in its mean.

    With :math:`m_t = \frac1n \sum_i p_{it}`, a break after :math:`k` splits the series into means
    :math:`\bar m_{1:k}` and :math:`\bar m_{k+1:T}`; the explained sum of squares is
    :math:`\frac{k (T-k)}{T} (\bar m_{1:k} - \bar m_{k+1:T})^2` and the score
    :math:`B = \max_k \mathrm{ESS}_k / \sum_t (m_t - \bar m)^2` over :math:`k \in [0.15 T, 0.85 T]`
    (0 for a constant level). :math:`B` is Andrews' (1993) sup-F statistic on a scale free of
    :math:`T`: :math:`\sup F = (T - 2) B / (1 - B)` (Andrews 1993, "Tests for parameter instability and
    structural change with unknown change point", Econometrica 61(4)). Cartels' births and deaths
    show as breaks in the price level (Harrington 2008; Crede 2019, "A structural break cartel
    screen for dating and detecting collusion", Review of Industrial Organization 54(3)).
    Suspicious when high.
    """
    return break_point(panel)[0]


def break_point(panel: Panel) -> tuple[float, int]:
    """``(B, k)``: the score of :func:`structural_break` and the grid index of the first point after the break."""
    level = panel.price.mean(axis=1)
    t = level.shape[0]
    total = float(np.sum(_centred(level) ** 2))
    k = np.arange(max(1, int(np.ceil(BREAK_TRIM * t))), min(t - 1, int(np.floor((1.0 - BREAK_TRIM) * t))) + 1)
    if total <= 0.0 or k.size == 0:
        return 0.0, 0
    shifted = level - level[0]
    head = np.cumsum(shifted)[k - 1]
    before, after = head / k, (shifted.sum() - head) / (t - k)
    explained = k * (t - k) / t * (before - after) ** 2
    best = int(np.argmax(explained))
    return float(min(explained[best] / total, 1.0)), int(k[best])

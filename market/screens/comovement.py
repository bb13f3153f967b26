r"""Screens on how sellers' prices move together: parallel moves, who follows whom, rises against cuts.

Notation as in :mod:`market.screens.measures` (price changes below its tolerance count as 0);
:math:`\rho(x, y)` is Pearson's correlation,
undefined (and left out) where either series is constant. Lags are counted in grid steps, up to
``MAX_LAG`` (36: six hours on the lab's 10-minute grid).
"""

from dataclasses import dataclass

import numpy as np

from market.observed.grid import Panel
from market.screens.measures import CHANGE_TOLERANCE, changes

MAX_LAG = 36


@dataclass(frozen=True)
class Leadership:
    """The strongest lead-follow link: ``follower`` repeats ``leader``'s price changes ``lag`` steps later."""

    leader: int
    follower: int
    lag: int
    correlation: float


def _standardise(x: np.ndarray) -> np.ndarray:
    """Columns to mean 0 and unit norm; constant columns become NaN (their correlations are undefined)."""
    centred = x - x.mean(axis=0)
    norm = np.sqrt(np.sum(centred**2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 1e-12 * (1.0 + np.abs(x).max(axis=0)), centred / norm, np.nan)


def cross_correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""``r[i, j]`` = :math:`\rho(x_{\cdot i}, y_{\cdot j})` for the columns of ``x`` and ``y`` (same length);
    NaN where undefined."""
    return _standardise(x).T @ _standardise(y)


def parallelism(panel: Panel) -> float:
    r"""Mean correlation of price changes across pairs of sellers of different firms,
    :math:`\Pi = \operatorname{mean}_{i<j,\ f_i \ne f_j} \rho(\Delta p_i, \Delta p_j)` over the pairs where both
    prices move (0 when no pair does; :math:`f` the panel's owners, a seller without one a firm of its own:
    one firm's sellers moving together is one decision, not coordination). Identical moves give 1.

    Parallel price movements are a classic marker of coordination, though also of common cost
    shocks (Harrington 2008, "Detecting cartels", Handbook of Antitrust Economics). Suspicious when high.
    """
    dp = changes(panel.price)[0]
    pairs = np.triu(panel.rivals(), k=1)
    r = cross_correlation(dp, dp)[pairs]
    r = r[np.isfinite(r)]
    return float(r.mean()) if r.size else 0.0


def leadership(panel: Panel, max_lag: int = MAX_LAG) -> Leadership | None:
    r"""The strongest lagged correlation :math:`\rho(\Delta p_{i,t-k}, \Delta p_{j,t})` over leaders :math:`i`,
    followers :math:`j` of another firm and lags :math:`k = 1, \dots, \min(K, \lfloor T/4 \rfloor)`; None if no
    price moves.

    A follower that copies a leader's changes ``k`` steps later scores 1 at lag ``k``.
    """
    dp = changes(panel.price)[0]
    rivals = panel.rivals()
    best = None
    for lag in range(1, min(max_lag, dp.shape[0] // 4) + 1):
        r = np.where(rivals, cross_correlation(dp[:-lag], dp[lag:]), np.nan)
        if np.isfinite(r).any():
            i, j = np.unravel_index(np.nanargmax(r), r.shape)
            if best is None or r[i, j] > best.correlation:
                best = Leadership(int(i), int(j), lag, float(r[i, j]))
    return best


def lead_follow(panel: Panel) -> float:
    r"""Lead-follow strength: the correlation of :func:`leadership` (who reacts to whom, after how long);
    0 when no price moves.

    Price leadership: one seller moves and rivals follow (Markham 1951, "The nature and
    significance of price leadership", American Economic Review 41(5); Byrne and de Roos 2019,
    "Learning to coordinate", American Economic Review 109(2), on a leader's price jumps that
    rivals follow within hours). Suspicious when high.
    """
    best = leadership(panel)
    return 0.0 if best is None else best.correlation


def following(panel: Panel, horizon: int = MAX_LAG) -> np.ndarray:
    r"""``f[i, 0]``, ``f[i, 1]``: how often seller ``i`` follows its rivals' rises, and their cuts.

    With :math:`r_{it}` the mean price of ``i``'s rivals (the sellers of other firms) and :math:`h` the
    horizon, :math:`U^+_i` are the
    steps :math:`t` (with :math:`t + h \le T`) at which :math:`r_{it}` rises (a change, as for prices) and
    :math:`U^-_i` those at which it falls;
    :math:`f^+_i = |\{t \in U^+_i : p_{i,t+h} > p_{i,t-1}\}| / |U^+_i|` and
    :math:`f^-_i = |\{t \in U^-_i : p_{i,t+h} < p_{i,t-1}\}| / |U^-_i|`. NaN where the rivals never rise
    (or never cut).
    """
    price = panel.price
    t = panel.n_times
    others = panel.rivals().astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rivals = (price @ others) / others.sum(axis=0)
    h = min(horizon, t - 2)
    move, _ = changes(rivals[: t - h])
    before, after = price[: t - h - 1], price[h + 1:]
    response = np.where(np.abs(after - before) > CHANGE_TOLERANCE * before, after - before, 0.0)
    follow = np.full((panel.n_sellers, 2), np.nan)
    for side, sign in enumerate((1.0, -1.0)):
        events = sign * move > 0.0
        followed = (sign * response > 0.0) & events
        with np.errstate(invalid="ignore", divide="ignore"):
            follow[:, side] = np.where(events.any(axis=0), followed.sum(axis=0) / events.sum(axis=0), np.nan)
    return follow


def asymmetry(panel: Panel) -> float:
    r"""Rockets and feathers: mean over sellers of :math:`f^+_i - f^-_i` (:func:`following`), the share of
    rivals' rises a seller follows with a rise within the horizon minus the share of their cuts it
    follows with a cut; over the sellers whose rivals both rose and cut (0 if none). In [-1, 1].

    Prices that follow rises fast and cuts slowly (Borenstein, Cameron and Gilbert 1997, "Do
    gasoline prices respond asymmetrically to crude oil price changes?", Quarterly Journal of
    Economics 112(1), who name oligopolistic coordination among the explanations; Tappata 2009,
    "Rockets and feathers", RAND Journal of Economics 40(4), gives one from consumer search).
    Here the response is to rivals' prices, which the panel always has. Suspicious when high.
    """
    follow = following(panel)
    both = np.isfinite(follow).all(axis=1)
    return float(np.mean(follow[both, 0] - follow[both, 1])) if both.any() else 0.0

r"""Static benchmarks: best responses, the Nash equilibrium, the joint-profit optimum, price grids.

The stage game is the logit market of :mod:`market.demand` with every offer fully
visible to the segments that can see it (no featured-offer attention). Seller :math:`i`
earns, per shopper, on its sales to each segment :math:`k` (shares :math:`s_{ki}`, weights :math:`W_k`),

.. math::  \pi_i = \sum_k W_k \Big[(\alpha_{ki} p_i - \kappa_{ki})\, s_{ki}
                   + \sum_{j \ne i} (\beta_{kij} p_j + \gamma_{kij})\, s_{kj}\Big]

where :math:`\alpha_{ki} = 1 - r` keeps what the referral fee :math:`r` leaves and
:math:`\kappa_{ki} = c_i + f` adds the fulfilment fee to the marginal cost when those sales go
through the platform (:math:`\alpha_{ki} = 1, \kappa_{ki} = c_i` through a web shop), and the
stakes :math:`\beta, \gamma` are what others' sales earn seller :math:`i` (the platform's fees,
a brand's wholesale margin; zero for everyone else). Differentiating,

.. math::  \frac{\partial \pi_i}{\partial p_i} = \sum_k W_k s_{ki}\left[\alpha_{ki}
           - \frac{1 - s_{ki}}{\mu}\left(\alpha_{ki} p_i - \kappa_{ki} - g_{ki}\right)\right],
           \qquad g_{ki} = \frac{\sum_{j\ne i}(\beta_{kij}p_j+\gamma_{kij})\, w_{kj} e^{(a_j-p_j)/\mu}}
                                {\sum_{j\ne i} w_{kj} e^{(a_j-p_j)/\mu} + e^{a_0/\mu}}

and the best response solves the bracketed first-order condition by the Illinois method.
The Nash equilibrium iterates best responses (Gauss-Seidel); the joint-profit optimum is
the same iteration for an owner of every offer (:math:`\alpha=1, \kappa_{ki}=c_i,
\beta_{kij}=1, \gamma_{kij}=-c_j`), i.e. coordinate ascent on industry profit
:math:`\sum_i (p_i - c_i) q_i`, in which fees are transfers.

With one segment, Nash markups satisfy :math:`p_i - c_i = \mu / (1 - s_i)` and the
joint-profit optimum has a common markup :math:`p_i - c_i = \mu / s_0`.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from market.demand import market_demand, segment_shares
from market.jit import tick_kernel

_TOLERANCE = 1e-13


@njit(cache=True, inline="always")
def _log_share(log_rest, log_weight, utility):
    """log s = -log(1 + exp(log_rest - log_weight - utility)), stable at both ends."""
    z = log_rest - log_weight - utility
    if z > 0.0:
        return -z - np.log1p(np.exp(-z))
    return -np.log1p(np.exp(z))


@tick_kernel
def _foc(p, i, alpha, kappa, quality, mu, log_rest, log_weight, stake, segment_weight):
    r"""First-order condition divided by demand:
    :math:`\sum_k \omega_k [\alpha_{ki} - (1-s_k)(\alpha_{ki} p - \kappa_{ki} - g_k)/\mu] / \sum_k \omega_k`.

    The :math:`\alpha_{ki}` are summed as the first visible segment's plus the others' differences
    from it, so a seller whose margins do not depend on the segment adds exact zeros.
    """
    utility = (quality - p) / mu
    top = -np.inf
    reference = -1
    for k in range(segment_weight.shape[0]):
        if log_weight[k] > -np.inf:
            v = np.log(segment_weight[k]) + _log_share(log_rest[k], log_weight[k], utility)
            if v > top:
                top = v
            if reference < 0:
                reference = k
    kept = 0.0
    numerator = 0.0
    denominator = 0.0
    for k in range(segment_weight.shape[0]):
        if log_weight[k] > -np.inf:
            log_s = _log_share(log_rest[k], log_weight[k], utility)
            omega = np.exp(np.log(segment_weight[k]) + log_s - top)
            kept += omega * (alpha[k, i] - alpha[reference, i])
            numerator += omega * (1.0 - np.exp(log_s)) * (alpha[k, i] * p - kappa[k, i] - stake[k])
            denominator += omega
    return alpha[reference, i] + kept / denominator - numerator / (denominator * mu)


@tick_kernel
def best_response(i, price, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight,
                  mu, outside_quality, log_rest, stake, log_weight):
    r"""Seller ``i``'s profit-maximising price given the others' ``price`` (its own entry ignored).

    ``log_rest``, ``stake`` and ``log_weight`` are scratch arrays with one entry per segment. Returns
    :math:`\kappa_{bi}/\alpha_{bi}` of the last segment :math:`b` (price at cost) for a seller no shopper can see.
    """
    n = price.shape[0]
    n_segments = segment_weight.shape[0]
    visible = False
    min_stake = 0.0
    max_stake = 0.0
    for k in range(n_segments):
        if visibility[k, i] <= 0.0 or segment_weight[k] <= 0.0:
            log_rest[k] = 0.0
            stake[k] = 0.0
            continue
        visible = True
        top = outside_quality / mu
        for j in range(n):
            if j != i and visibility[k, j] > 0.0:
                top = max(top, (quality[j] - price[j]) / mu)
        rest = np.exp(outside_quality / mu - top)
        earned = 0.0
        for j in range(n):
            if j != i and visibility[k, j] > 0.0:
                e = visibility[k, j] * np.exp((quality[j] - price[j]) / mu - top)
                rest += e
                earned += (stake_share[k, i, j] * price[j] + stake_unit[k, i, j]) * e
        log_rest[k] = top + np.log(rest)
        stake[k] = earned / rest
        min_stake = min(min_stake, stake[k])
        max_stake = max(max_stake, stake[k])
    if not visible:
        return kappa[n_segments - 1, i] / alpha[n_segments - 1, i]
    lo = np.inf
    min_alpha = np.inf
    min_cost = np.inf
    max_cost = -np.inf
    for k in range(n_segments):
        if visibility[k, i] > 0.0 and segment_weight[k] > 0.0:
            log_weight[k] = np.log(visibility[k, i])
            lo = min(lo, (kappa[k, i] + min(stake[k], 0.0)) / alpha[k, i])
            min_alpha = min(min_alpha, alpha[k, i])
            min_cost = min(min_cost, kappa[k, i] / alpha[k, i])
            max_cost = max(max_cost, kappa[k, i] / alpha[k, i])
        else:
            log_weight[k] = -np.inf
    f_lo = _foc(lo, i, alpha, kappa, quality[i], mu, log_rest, log_weight, stake, segment_weight)
    width = (max_stake - min_stake) / min_alpha + (max_cost - min_cost) + mu
    hi = lo + width
    f_hi = _foc(hi, i, alpha, kappa, quality[i], mu, log_rest, log_weight, stake, segment_weight)
    while f_hi > 0.0:
        width *= 2.0
        lo, f_lo = hi, f_hi
        hi = lo + width
        f_hi = _foc(hi, i, alpha, kappa, quality[i], mu, log_rest, log_weight, stake, segment_weight)
    # Illinois (modified regula falsi) on the bracket [lo, hi], f_lo > 0 > f_hi.
    p = hi
    for _ in range(200):
        p = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        f = _foc(p, i, alpha, kappa, quality[i], mu, log_rest, log_weight, stake, segment_weight)
        if f == 0.0 or abs(hi - lo) < _TOLERANCE * (1.0 + abs(p)):
            break
        if (f > 0.0) == (f_hi > 0.0):
            f_lo *= 0.5
        else:
            lo, f_lo = hi, f_hi
        hi, f_hi = p, f
    return p


@tick_kernel
def _profit_of(i, price, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight, mu,
               outside_quality, quantity, scratch, segment_top):
    r"""Seller i's profit per shopper at ``price`` (own margins plus its stakes in others' sales).

    The margins of the last segment :math:`b` apply to all sales, and each other segment adds
    the difference of its own on its own sales,
    :math:`\pi_i = m_{bi} \cdot q + \sum_{k \ne b} W_k (m_{ki} - m_{bi}) \cdot s_k`, so a game whose
    margins do not depend on the segment adds exact zeros. The other arrays are scratch.
    """
    market_demand(price, quality, visibility, segment_weight, mu, outside_quality, quantity, scratch, segment_top)
    b = segment_weight.shape[0] - 1
    profit = _margins_on(i, price, alpha, kappa, stake_share, stake_unit, b, -1, quantity)
    for k in range(b):
        if segment_weight[k] > 0.0:
            segment_shares(price, quality, visibility[k], mu, outside_quality, quantity)
            profit += segment_weight[k] * _margins_on(i, price, alpha, kappa, stake_share, stake_unit, k, b, quantity)
    return profit


@njit(cache=True, inline="always")
def _margins_on(i, price, alpha, kappa, stake_share, stake_unit, k, base, quantity):
    r"""Seller i's margins in segment k, less those in segment ``base`` (none if ``base < 0``), on ``quantity``:
    :math:`(\alpha_{ki} p_i - \kappa_{ki}) q_i + \sum_{j \ne i} (\beta_{kij} p_j + \gamma_{kij}) q_j`."""
    alpha_ki = alpha[k, i] - (alpha[base, i] if base >= 0 else 0.0)
    kappa_ki = kappa[k, i] - (kappa[base, i] if base >= 0 else 0.0)
    profit = (alpha_ki * price[i] - kappa_ki) * quantity[i]
    for j in range(price.shape[0]):
        if j != i:
            share = stake_share[k, i, j] - (stake_share[base, i, j] if base >= 0 else 0.0)
            unit = stake_unit[k, i, j] - (stake_unit[base, i, j] if base >= 0 else 0.0)
            profit += (share * price[j] + unit) * quantity[j]
    return profit


@tick_kernel
def _leader_value(p, i, price, follower, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight,
                  mu, outside_quality, work, log_rest, stake, log_weight):
    """Leader i's profit at price p once the followers have best-responded (three Gauss-Seidel sweeps)."""
    x = work[0]
    for j in range(price.shape[0]):
        x[j] = price[j]
    x[i] = p
    for _ in range(3):
        for j in range(price.shape[0]):
            if follower[j] > 0.0 and j != i:
                x[j] = best_response(j, x, quality, alpha, kappa, stake_share, stake_unit, visibility,
                                     segment_weight, mu, outside_quality, log_rest, stake, log_weight)
    return _profit_of(i, x, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight, mu,
                      outside_quality, work[1], work[2], log_rest)


@tick_kernel
def leader_price(i, price, follower, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight, mu,
                 outside_quality, work, log_rest, stake, log_weight):
    r"""Seller i's price when it anticipates that the sellers flagged in ``follower`` best-respond to it.

    Maximises :math:`\pi_i(p, BR_F(p, p_{-F}))` by golden-section search on
    :math:`[\min_k \kappa_{ki}/\alpha_{ki}, \min_k \kappa_{ki}/\alpha_{ki} + 20\mu]` (the Stackelberg leader of
    Brown and MacKay 2023, whose slower sellers price against faster rivals' pricing rules).
    ``work`` is scratch of shape (3, n); the other scratch arrays have one entry per segment.
    """
    a = np.inf
    for k in range(segment_weight.shape[0]):
        a = min(a, kappa[k, i] / alpha[k, i])
    b = a + 20.0 * mu
    ratio = 0.5 * (np.sqrt(5.0) - 1.0)
    while b - a > 1e-9 * (1.0 + abs(a)):
        c = b - ratio * (b - a)
        d = a + ratio * (b - a)
        value_c = _leader_value(c, i, price, follower, quality, alpha, kappa, stake_share, stake_unit, visibility,
                                segment_weight, mu, outside_quality, work, log_rest, stake, log_weight)
        value_d = _leader_value(d, i, price, follower, quality, alpha, kappa, stake_share, stake_unit, visibility,
                                segment_weight, mu, outside_quality, work, log_rest, stake, log_weight)
        if value_c >= value_d:
            b = d
        else:
            a = c
    return 0.5 * (a + b)


@njit(cache=True)
def _iterate_best_responses(start, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight,
                            mu, outside_quality, max_sweeps):
    price = start.copy()
    log_rest = np.empty(segment_weight.shape[0])
    stake = np.empty(segment_weight.shape[0])
    log_weight = np.empty(segment_weight.shape[0])
    for sweep in range(max_sweeps):
        change = 0.0
        size = 0.0
        for i in range(price.shape[0]):
            p = best_response(i, price, quality, alpha, kappa, stake_share, stake_unit, visibility,
                              segment_weight, mu, outside_quality, log_rest, stake, log_weight)
            change = max(change, abs(p - price[i]))
            price[i] = p
            size = max(size, abs(p))
        if change < 1e-12 * (1.0 + size):
            return price, sweep + 1
    return price, max_sweeps


@njit(cache=True)
def _profile_profits(grid, n, quality, alpha, kappa, stake_share, stake_unit, visibility, segment_weight, mu,
                     outside_quality):
    m = grid.shape[0]
    profit = np.empty((m**n, n))
    price = np.empty(n)
    quantity = np.empty(n)
    scratch = np.empty(n)
    segment_top = np.empty(segment_weight.shape[0])
    for s in range(m**n):
        rest = s
        for j in range(n - 1, -1, -1):
            price[j] = grid[rest % m]
            rest //= m
        for i in range(n):
            profit[s, i] = _profit_of(i, price, quality, alpha, kappa, stake_share, stake_unit, visibility,
                                      segment_weight, mu, outside_quality, quantity, scratch, segment_top)
    return profit


@dataclass(frozen=True)
class StaticGame:
    r"""The one-shot pricing game that the benchmarks solve (per shopper, one tick).

    Attributes are numpy arrays over sellers (``cost``, ``quality``), over segments and sellers
    (``alpha``, ``kappa``: what a seller keeps of its price and pays per unit on its sales to each
    segment, as they go through the platform or not), stakes by segment, seller and seller
    (``stake_share``, ``stake_unit``), shopper segments (``visibility`` of shape (segments,
    sellers), ``segment_weight``), and the scalars ``mu``, ``outside_quality`` and ``shoppers``
    (expected shoppers per tick). Margins and stakes that do not depend on the segment may be
    given without the segment axis (``alpha`` over sellers, stakes seller by seller).
    """

    cost: np.ndarray
    quality: np.ndarray
    mu: float
    outside_quality: float
    alpha: np.ndarray
    kappa: np.ndarray
    stake_share: np.ndarray
    stake_unit: np.ndarray
    visibility: np.ndarray
    segment_weight: np.ndarray
    shoppers: float = 1.0

    def __post_init__(self):
        n_segments, n = self.visibility.shape
        for name, shape in (("alpha", (n_segments, n)), ("kappa", (n_segments, n)),
                            ("stake_share", (n_segments, n, n)), ("stake_unit", (n_segments, n, n))):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            object.__setattr__(self, name, np.ascontiguousarray(np.broadcast_to(value, shape)))

    @classmethod
    def logit(cls, cost, quality, mu, outside_quality=0.0, shoppers=1.0):
        """Everyone sees every offer, no fees: the Calvano et al. (2020) stage game."""
        cost = np.asarray(cost, dtype=np.float64)
        n = cost.shape[0]
        quality = np.ascontiguousarray(np.broadcast_to(np.asarray(quality, dtype=np.float64), (n,)))
        return cls(cost=cost, quality=quality, mu=float(mu), outside_quality=float(outside_quality),
                   alpha=np.ones(n), kappa=cost.copy(), stake_share=np.zeros((n, n)),
                   stake_unit=np.zeros((n, n)), visibility=np.ones((1, n)), segment_weight=np.ones(1),
                   shoppers=float(shoppers))

    @property
    def n_sellers(self) -> int:
        return self.cost.shape[0]

    def quantity(self, price) -> np.ndarray:
        """Expected units sold per tick at ``price``."""
        price = np.ascontiguousarray(price, dtype=np.float64)
        q = np.empty_like(price)
        market_demand(price, self.quality, self.visibility, self.segment_weight, self.mu, self.outside_quality, q,
                      np.empty_like(price), np.empty_like(self.segment_weight))
        return q * self.shoppers

    def profit(self, price) -> np.ndarray:
        r"""Each seller's profit per tick,
        :math:`N \sum_k W_k [(\alpha_{ki} p_i-\kappa_{ki})s_{ki} + \sum_j(\beta_{kij}p_j+\gamma_{kij})s_{kj}]`."""
        price = np.ascontiguousarray(price, dtype=np.float64)
        n = self.n_sellers
        quantity, scratch, segment_top = np.empty(n), np.empty(n), np.empty_like(self.segment_weight)
        return self.shoppers * np.array([
            _profit_of(i, price, self.quality, self.alpha, self.kappa, self.stake_share, self.stake_unit,
                       self.visibility, self.segment_weight, self.mu, self.outside_quality, quantity, scratch,
                       segment_top) for i in range(n)])

    def profile_profits(self, grid) -> np.ndarray:
        """``profit[s, i]``: :meth:`profit` of seller ``i`` at every profile ``s`` of prices on ``grid``,
        numbered in mixed radix with seller 0 most significant (one numba loop over ``m**n`` profiles)."""
        grid = np.ascontiguousarray(grid, dtype=np.float64)
        return self.shoppers * _profile_profits(grid, self.n_sellers, self.quality, self.alpha, self.kappa,
                                                self.stake_share, self.stake_unit, self.visibility,
                                                self.segment_weight, self.mu, self.outside_quality)

    def industry_profit(self, price) -> float:
        r"""Industry profit per tick :math:`\sum_i (p_i - c_i) q_i` (fees are transfers)."""
        price = np.asarray(price, dtype=np.float64)
        return float(np.sum((price - self.cost) * self.quantity(price)))

    def best_response(self, i: int, price) -> float:
        """Seller ``i``'s static best response to the others' prices."""
        k = self.segment_weight.shape[0]
        return best_response(i, np.asarray(price, dtype=np.float64), self.quality, self.alpha, self.kappa,
                             self.stake_share, self.stake_unit, self.visibility, self.segment_weight,
                             self.mu, self.outside_quality, np.empty(k), np.empty(k), np.empty(k))


@dataclass(frozen=True)
class Benchmarks:
    """Nash and joint-profit (monopoly) prices and per-tick profits of a static game."""

    nash_price: np.ndarray
    nash_profit: np.ndarray
    monopoly_price: np.ndarray
    monopoly_profit: np.ndarray
    nash_industry_profit: float
    monopoly_industry_profit: float

    def as_dict(self) -> dict:
        return {
            "nash_price": self.nash_price.tolist(),
            "nash_profit": self.nash_profit.tolist(),
            "monopoly_price": self.monopoly_price.tolist(),
            "monopoly_profit": self.monopoly_profit.tolist(),
            "nash_industry_profit": self.nash_industry_profit,
            "monopoly_industry_profit": self.monopoly_industry_profit,
        }


def nash_equilibrium(game: StaticGame, max_sweeps: int = 100_000) -> np.ndarray:
    """Static Nash prices: the fixed point of the sellers' best responses."""
    start = np.min(game.kappa / game.alpha, axis=0) + game.mu
    price, sweeps = _iterate_best_responses(start, game.quality, game.alpha, game.kappa, game.stake_share,
                                            game.stake_unit, game.visibility, game.segment_weight, game.mu,
                                            game.outside_quality, max_sweeps)
    if sweeps >= max_sweeps:
        raise ArithmeticError(f"best-response iteration did not converge in {max_sweeps} sweeps")
    return price


def joint_profit_prices(game: StaticGame, max_sweeps: int = 100_000) -> np.ndarray:
    r"""Prices maximising industry profit :math:`\sum_i (p_i - c_i) q_i` (coordinate ascent)."""
    n_segments, n = game.visibility.shape
    stake_share = np.broadcast_to(np.ones((n, n)) - np.eye(n), (n_segments, n, n))
    stake_unit = np.ascontiguousarray(-(stake_share * game.cost[None, None, :]))
    start = game.cost + game.mu
    price, sweeps = _iterate_best_responses(start, game.quality, np.ones((n_segments, n)),
                                            np.tile(game.cost, (n_segments, 1)), np.ascontiguousarray(stake_share),
                                            stake_unit, game.visibility, game.segment_weight, game.mu,
                                            game.outside_quality, max_sweeps)
    if sweeps >= max_sweeps:
        raise ArithmeticError(f"joint-profit ascent did not converge in {max_sweeps} sweeps")
    return price


def solve(game: StaticGame) -> Benchmarks:
    """Nash and joint-profit benchmarks of ``game``."""
    nash = nash_equilibrium(game)
    monopoly = joint_profit_prices(game)
    return Benchmarks(nash_price=nash, nash_profit=game.profit(nash), monopoly_price=monopoly,
                      monopoly_profit=game.profit(monopoly), nash_industry_profit=game.industry_profit(nash),
                      monopoly_industry_profit=game.industry_profit(monopoly))


def price_grid(nash_price, monopoly_price, m: int = 15, xi: float = 0.1) -> np.ndarray:
    r"""Calvano et al. (2020) grid: ``m`` equally spaced prices on
    :math:`[p_N - \xi(p_M - p_N),\ p_M + \xi(p_M - p_N)]`.

    With unequal sellers, the bounds use the lowest Nash and the highest monopoly price.
    """
    if m < 2:
        raise ValueError(f"price grid: m = {m}: must be >= 2")
    low = float(np.min(nash_price))
    high = float(np.max(monopoly_price))
    span = high - low
    return np.linspace(low - xi * span, high + xi * span, m)

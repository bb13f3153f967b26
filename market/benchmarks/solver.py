r"""The smooth game's kernels: best responses, the joint-profit ascent, a leader's price, profits.

The stage game is the logit market of :mod:`market.demand` with every offer's weight :math:`w_{ki}`
fixed (its visibility to a segment times the attention it gets there; the featured offer's weights,
which move with prices, are :mod:`market.benchmarks.display`'s). Seller :math:`i` earns, per
shopper, on its sales to each segment :math:`k` (shares :math:`s_{ki}`, weights :math:`W_k`),

.. math::  \pi_i = \sum_k W_k \Big[(\alpha_{ki} p_i - \kappa_{ki})\, s_{ki}
                   + \sum_{j \ne i} (\beta_{kij} p_j + \gamma_{kij})\, s_{kj}\Big]

where :math:`\alpha_{ki} = 1 - r` keeps what the referral fee :math:`r` leaves and
:math:`\kappa_{ki} = c_i + f` adds the fulfilment fee to the marginal cost when those sales go
through the platform (:math:`\alpha_{ki} = 1, \kappa_{ki} = c_i` through a web shop), and the
stakes :math:`\beta, \gamma` are what others' sales earn seller :math:`i` (the platform's fees,
a brand's wholesale margin, a co-owned seller's margin: :mod:`market.benchmarks.ownership`; zero
for everyone else). Differentiating,

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

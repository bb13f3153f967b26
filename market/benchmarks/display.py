r"""The platform's display rule: the featured offer ("Buy Box"), and best responses and benchmarks under it.

The platform features one listed offer: the lowest-priced, its own judged at
:math:`p_P / (1 + \text{self\_preference})` (ties: the lowest index; under dynamic price-directed
prominence the incumbent keeps it unless strictly undercut). The featured offer keeps the full
attention of the shoppers who buy it on the platform; another listed offer keeps
:math:`1 - \text{featured\_attention}` of it, or, under price-directed prominence (``pdp``), none
unless it ties the featured price (``dynamic_pdp``: none). A seller's weight in segment :math:`k`
is :math:`w_{ki} = v_{ki} \cdot a_i` through the platform and :math:`v_{ki}` in its own web shop.
:func:`featured_offer` and :func:`offer_weights` are the engine's own rule (``market.engine``).

Demand therefore jumps where a seller's judged price crosses the lowest judged price of the others,
its threshold :math:`T_i`. Seller :math:`i`'s best response (:func:`display_best_response`) compares

* holding the featured offer: the smooth best response :math:`b^A_i` with weights :math:`W^A` (i featured),
  if it lies below :math:`T_i`, else the threshold itself: the highest price that wins (:math:`T_i` where
  i wins the tie, else :math:`T_i - \delta`, undercutting by the step :math:`\delta = 10^{-3}\mu`);
* not holding it: the smooth best response :math:`b^B_i` with weights :math:`W^B` (the others' best offer
  featured), if above :math:`T_i`, else just above it;
* under ``pdp``, the tie :math:`p_i = T_i`, at which both offers are shown;

and takes the most profitable. The supremum of its profit (:math:`\pi^A(T_i)` where the undercut's limit is
not attained) is what a deviation from a profile can reach.

:func:`market_best_response` is the engine's best response (display-aware where the display moves demand) and
:func:`leader_price` its leader's (``anticipating``). The benchmarks under the display are
:mod:`market.benchmarks.display_game`'s.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from market.benchmarks.solver import _profit_of, best_response
from market.interventions import BUYBOX_DYNAMIC_PDP, BUYBOX_LOWEST, BUYBOX_PDP
from market.jit import tick_kernel

UNDERCUT = 1e-3  # a best response undercuts to win the featured offer by this many mu


class DisplayMarket(NamedTuple):
    """What the display-aware kernels read (the engine's ``market.state.Market`` has the same fields)."""

    quality: np.ndarray           # float64[n]
    alpha: np.ndarray             # float64[segments, n]: the firm's terms (market.benchmarks.ownership)
    kappa: np.ndarray             # float64[segments, n]
    stake_share: np.ndarray       # float64[segments, n, n]
    stake_unit: np.ndarray        # float64[segments, n, n]
    visibility: np.ndarray        # float64[segments, n]
    segment_weight: np.ndarray    # float64[segments]
    mu: float
    outside_quality: float
    on_platform: np.ndarray       # bool[n]: listed on the platform
    via_platform: np.ndarray      # bool[segments, n]: sales to the segment go through the platform
    featured_attention: float
    platform_index: int           # -1: the platform does not sell


class DisplayWork(NamedTuple):
    """Scratch of the display-aware best response (the engine's ``market.state.Responses`` has these fields)."""

    segment: np.ndarray           # float64[3, segments]
    trial: np.ndarray             # float64[n]: the prices with one seller's candidate
    weight: np.ndarray            # float64[segments, n]: the offers' weights
    demand: np.ndarray            # float64[2, n]: demand and scratch for a profit


def work_arrays(n_segments: int, n: int) -> DisplayWork:
    return DisplayWork(segment=np.zeros((3, n_segments)), trial=np.zeros(n), weight=np.zeros((n_segments, n)),
                       demand=np.zeros((2, n)))


@njit(cache=True, inline="always")
def judged_price(price, j, platform_index, self_preference):
    """The price at which offer j competes for the featured slot: the platform's own at price / (1 + bias)."""
    return price[j] / (1.0 + self_preference) if j == platform_index else price[j]


@njit(cache=True, inline="always")
def _available(inventory, j):
    return inventory is None or inventory.available[j]


@tick_kernel
def featured_offer(price, on_platform, platform_index, self_preference, buybox, incumbent, skip, inventory):
    """The featured offer among the listed, available offers other than ``skip`` (-1: none).

    The lowest judged price wins (ties: the lowest index); under dynamic price-directed prominence the
    ``incumbent`` (-1: none) keeps it unless strictly undercut. ``inventory`` None: every offer is in stock.
    """
    featured = -1
    best = np.inf
    for j in range(price.shape[0]):
        if on_platform[j] and j != skip and _available(inventory, j):
            judged = judged_price(price, j, platform_index, self_preference)
            if judged < best:
                best = judged
                featured = j
    if buybox == BUYBOX_DYNAMIC_PDP and featured >= 0 and incumbent >= 0 and incumbent != skip \
            and on_platform[incumbent] and _available(inventory, incumbent):
        if price[featured] >= price[incumbent]:
            featured = incumbent
    return featured


@tick_kernel
def offer_weights(price, featured, buybox, market, inventory, weight):
    """Fill ``weight[k, j]``: segment k's weight of offer j, its visibility times the attention it keeps.

    Through the platform a listed offer other than the ``featured`` one keeps ``1 - featured_attention``, or
    under ``pdp`` all of it if it ties the featured price and none otherwise, under ``dynamic_pdp`` none; in
    its own web shop an offer keeps full attention. An offer out of stock has none anywhere.
    """
    for j in range(price.shape[0]):
        direct = 1.0 if _available(inventory, j) else 0.0
        listed = direct
        if direct > 0.0 and market.on_platform[j] and j != featured:
            if buybox == BUYBOX_PDP and price[j] == price[featured]:
                listed = 1.0
            elif buybox == BUYBOX_PDP or buybox == BUYBOX_DYNAMIC_PDP:
                listed = 0.0
            else:
                listed = 1.0 - market.featured_attention
        for k in range(weight.shape[0]):
            weight[k, j] = market.visibility[k, j] * (listed if market.via_platform[k, j] else direct)


@tick_kernel
def display_matters(market, buybox):
    """Whether the display moves demand: two listed offers or more, and attention lost by those not featured."""
    listed = 0
    for j in range(market.on_platform.shape[0]):
        if market.on_platform[j]:
            listed += 1
    return listed >= 2 and (market.featured_attention > 0.0 or buybox != BUYBOX_LOWEST)


@tick_kernel
def _smooth_response(i, market, work):
    """Seller i's best response to ``work.trial`` with the weights ``work.weight`` fixed."""
    return best_response(i, work.trial, market.quality, market.alpha, market.kappa, market.stake_share,
                         market.stake_unit, work.weight, market.segment_weight, market.mu, market.outside_quality,
                         work.segment[0], work.segment[1], work.segment[2])


@tick_kernel
def _value_with(i, p, market, work):
    """Seller i's (firm's) profit per shopper at ``work.trial`` with its price ``p``, the weights ``work.weight``."""
    work.trial[i] = p
    return _profit_of(i, work.trial, market.quality, market.alpha, market.kappa, market.stake_share,
                      market.stake_unit, work.weight, market.segment_weight, market.mu, market.outside_quality,
                      work.demand[0], work.demand[1], work.segment[0])


@tick_kernel
def _value_at(i, p, market, buybox, self_preference, incumbent, work):
    """Seller i's (firm's) profit per shopper at ``work.trial`` with its price ``p``, under the display it brings."""
    work.trial[i] = p
    f = featured_offer(work.trial, market.on_platform, market.platform_index, self_preference, buybox, incumbent,
                       -1, None)
    offer_weights(work.trial, f, buybox, market, None, work.weight)
    return _value_with(i, p, market, work)


@tick_kernel
def _holds_featured(i, p, market, buybox, self_preference, incumbent, work):
    """Whether seller i holds the featured offer at price ``p`` against ``work.trial``."""
    work.trial[i] = p
    return featured_offer(work.trial, market.on_platform, market.platform_index, self_preference, buybox, incumbent,
                          -1, None) == i


@tick_kernel
def display_best_response(i, price, market, buybox, self_preference, incumbent, work):
    r"""Seller i's best response to the others' ``price`` (its own entry ignored) under the display rule.

    Returns ``(price, supremum)``: the most profitable of the candidates of the module docstring, and the
    supremum per shopper of its firm's profit over its prices (the limit of the undercut where that is
    not attained). ``incumbent``: the offer featured before (dynamic ``pdp`` only; -1: none).
    """
    n = price.shape[0]
    trial = work.trial
    for j in range(n):
        trial[j] = price[j]
    platform = market.platform_index
    other = featured_offer(trial, market.on_platform, platform, self_preference, buybox, incumbent, i, None)
    if not market.on_platform[i] or other < 0:
        featured = i if market.on_platform[i] else other
        trial[i] = -np.inf if featured == i else np.inf
        offer_weights(trial, featured, buybox, market, None, work.weight)
        p = _smooth_response(i, market, work)
        return p, _value_with(i, p, market, work)
    step = UNDERCUT * market.mu
    tie = judged_price(trial, other, platform, self_preference)
    if i == platform:
        tie *= 1.0 + self_preference
    shown_tied = buybox == BUYBOX_PDP
    wins_tie = _holds_featured(i, tie, market, buybox, self_preference, incumbent, work) and not shown_tied
    # Holding the featured offer: the others' weights as when i is featured alone.
    trial[i] = -np.inf
    offer_weights(trial, i, buybox, market, None, work.weight)
    best_a = _smooth_response(i, market, work)
    sup_a = _value_with(i, min(best_a, tie), market, work)
    price_a = min(best_a, tie if wins_tie else tie - step)
    # Not holding it: the others' best offer featured.
    trial[i] = np.inf
    offer_weights(trial, other, buybox, market, None, work.weight)
    best_b = _smooth_response(i, market, work)
    sup_b = _value_with(i, max(best_b, tie), market, work)
    price_b = max(best_b, tie + step if (wins_tie or shown_tied) else tie)
    chosen = price_a
    value = _value_at(i, price_a, market, buybox, self_preference, incumbent, work)
    value_b = _value_at(i, price_b, market, buybox, self_preference, incumbent, work)
    if value_b > value:
        chosen, value = price_b, value_b
    if shown_tied:
        value_tie = _value_at(i, tie, market, buybox, self_preference, incumbent, work)
        if value_tie > value:
            chosen, value = tie, value_tie
    return chosen, max(value, sup_a, sup_b)


@tick_kernel
def market_best_response(i, price, market, buybox, self_preference, incumbent, work):
    """Seller i's best response to ``price`` on the demand it faces: across the featured offer's threshold where
    the display moves demand (:func:`display_best_response`), else the smooth game's with the market's weights."""
    if display_matters(market, buybox):
        return display_best_response(i, price, market, buybox, self_preference, incumbent, work)[0]
    return best_response(i, price, market.quality, market.alpha, market.kappa, market.stake_share, market.stake_unit,
                         market.visibility, market.segment_weight, market.mu, market.outside_quality,
                         work.segment[0], work.segment[1], work.segment[2])


@tick_kernel
def _leader_value(p, i, price, follower, market, buybox, self_preference, shown, work, leader):
    """Leader i's (firm's) profit per shopper at price p once the followers have best-responded (three Gauss-Seidel
    sweeps); ``shown``: whether the display moves demand; ``leader`` is scratch of shape (3, n)."""
    x = leader[0]
    for j in range(price.shape[0]):
        x[j] = price[j]
    x[i] = p
    for _ in range(3):
        for j in range(price.shape[0]):
            if follower[j] > 0.0 and j != i:
                x[j] = market_best_response(j, x, market, buybox, self_preference, -1, work)
    if shown:
        for j in range(price.shape[0]):
            work.trial[j] = x[j]
        return _value_at(i, p, market, buybox, self_preference, -1, work)
    return _profit_of(i, x, market.quality, market.alpha, market.kappa, market.stake_share, market.stake_unit,
                      market.visibility, market.segment_weight, market.mu, market.outside_quality, leader[1],
                      leader[2], work.segment[0])


@tick_kernel
def _golden_section(a, b, i, price, follower, market, buybox, self_preference, shown, work, leader):
    """The leader's price maximising :func:`_leader_value` on [a, b] by golden section (to 1e-9, relative)."""
    ratio = 0.5 * (np.sqrt(5.0) - 1.0)
    while b - a > 1e-9 * (1.0 + abs(a)):
        c = b - ratio * (b - a)
        d = a + ratio * (b - a)
        value_c = _leader_value(c, i, price, follower, market, buybox, self_preference, shown, work, leader)
        value_d = _leader_value(d, i, price, follower, market, buybox, self_preference, shown, work, leader)
        if value_c >= value_d:
            b = d
        else:
            a = c
    return 0.5 * (a + b)


@tick_kernel
def leader_price(i, price, follower, market, buybox, self_preference, work, leader):
    r"""Seller i's price when it anticipates that the sellers flagged in ``follower`` best-respond to it (the
    Stackelberg leader of Brown and MacKay 2023, whose slower sellers price against faster rivals' pricing rules).

    Maximises :math:`\pi_i(p, BR_F(p, p_{-F}))` on :math:`[\min_k \kappa_{ki}/\alpha_{ki}, +20\mu]` by golden
    section. Where the display moves demand, the leader's profit jumps where a follower takes or leaves the featured
    offer: the search then scans 64 prices first and refines the best between its neighbours. ``leader`` is
    scratch of shape (3, n).
    """
    low = np.inf
    for k in range(market.segment_weight.shape[0]):
        low = min(low, market.kappa[k, i] / market.alpha[k, i])
    shown = display_matters(market, buybox)
    if not shown:
        return _golden_section(low, low + 20.0 * market.mu, i, price, follower, market, buybox, self_preference,
                               shown, work, leader)
    points = 64
    width = 20.0 * market.mu / (points - 1)
    best, best_value = low, -np.inf
    for s in range(points):
        value = _leader_value(low + s * width, i, price, follower, market, buybox, self_preference, shown, work,
                              leader)
        if value > best_value:
            best, best_value = low + s * width, value
    refined = _golden_section(max(low, best - width), best + width, i, price, follower, market, buybox,
                              self_preference, shown, work, leader)
    if _leader_value(refined, i, price, follower, market, buybox, self_preference, shown, work, leader) >= best_value:
        return refined
    return best

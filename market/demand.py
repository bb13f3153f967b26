r"""Logit demand with an outside option, by shopper segment.

Shoppers come in segments :math:`k` (here: those who shop only on the platform, and those
who compare every channel). A shopper of segment :math:`k` sees offer :math:`i` with
weight :math:`w_{ki} \ge 0` (0: not visible; below 1: less attention, e.g. an offer that
is not featured on the platform, seen by a segment that buys it there) and buys it with probability

.. math::  s_{ki} = \frac{w_{ki} \exp((a_i - p_i)/\mu)}
                         {\sum_j w_{kj} \exp((a_j - p_j)/\mu) + \exp(a_0/\mu)}

(Anderson, de Palma and Thisse 1992; the form used by Calvano et al. 2020). Demand per
shopper is :math:`q_i = \sum_k W_k s_{ki}` where :math:`W_k` is the segment's share of
shoppers. Consumer surplus per shopper is the log-sum (inclusive value), measured from
the outside option:

.. math::  CS = \sum_k W_k \left[\mu \log\left(\sum_j w_{kj} e^{(a_j-p_j)/\mu}
           + e^{a_0/\mu}\right) - a_0\right]

Exponents are shifted by their maximum before ``exp``, so any finite prices (even
:math:`10^6` or :math:`-10^6`) give finite shares.
"""

import numpy as np

from market.jit import tick_kernel

SEGMENTS = ("platform_only", "everyone")  # a scenario's segments: who shops only on the platform, who compares all


@tick_kernel
def segment_shares(price, quality, weight, mu, outside_quality, share):
    r"""Fill ``share`` with one segment's choice probabilities; return its log-denominator.

    Parameters
    ----------
    price, quality : ndarray(float, ndim=1)
        Offers' prices and qualities :math:`a_i`.
    weight : ndarray(float, ndim=1)
        The segment's weight of each offer, :math:`w_i` (visibility times attention).
    mu : float
        Horizontal differentiation :math:`\mu > 0`.
    outside_quality : float
        :math:`a_0`.
    share : ndarray(float, ndim=1)
        Output, :math:`s_i`.

    Returns
    -------
    float
        :math:`\log(\sum_j w_j e^{(a_j-p_j)/\mu} + e^{a_0/\mu})`.
    """
    top = outside_quality / mu
    for i in range(price.shape[0]):
        if weight[i] > 0.0:
            top = max(top, (quality[i] - price[i]) / mu)
    denominator = np.exp(outside_quality / mu - top)
    for i in range(price.shape[0]):
        w = weight[i]
        share[i] = w * np.exp((quality[i] - price[i]) / mu - top) if w > 0.0 else 0.0
        denominator += share[i]
    for i in range(price.shape[0]):
        share[i] /= denominator
    return top + np.log(denominator)


# exp(-600) is far above the smallest double: a segment whose best offer is within this many
# units of the best offer overall can share one set of exponentials without underflow.
_SHARED_SHIFT_LIMIT = 600.0


@tick_kernel
def market_demand(price, quality, weight, segment_weight, mu, outside_quality, quantity, scratch, segment_top):
    r"""Demand per shopper summed over segments; return consumer surplus per shopper.

    Parameters
    ----------
    weight : ndarray(float, ndim=2)
        Shape (segments, offers): :math:`w_{ki}`, the segment's visibility of the offer times its
        attention there (which differs by segment for an offer sold through the platform to one
        segment and in its own web shop to another).
    segment_weight : ndarray(float, ndim=1)
        :math:`W_k`, summing to 1.
    quantity : ndarray(float, ndim=1)
        Output, :math:`q_i = \sum_k W_k s_{ki}` (units per shopper).
    scratch : ndarray(float, ndim=1)
        Scratch of the offers' length.
    segment_top : ndarray(float, ndim=1)
        Scratch of the segments' length; on return, for each segment of positive weight, its
        log-denominator :math:`\log(\sum_j w_{kj} e^{(a_j-p_j)/\mu} + e^{a_0/\mu})`, so that
        :math:`s_{ki} = w_{ki} e^{(a_i-p_i)/\mu - \text{segment\_top}_k}`.

    Notes
    -----
    The exponentials are computed once, shifted by the largest utility, and shared by the
    segments; a segment whose own best utility lies more than 600 below that (where the
    shared exponentials could underflow) is computed on its own by ``segment_shares``.
    """
    n = price.shape[0]
    n_segments = segment_weight.shape[0]
    inverse_mu = 1.0 / mu
    top = outside_quality / mu
    for k in range(n_segments):
        segment_top[k] = top
    for i in range(n):
        u = (quality[i] - price[i]) * inverse_mu
        scratch[i] = u
        top = max(top, u)
        for k in range(n_segments):
            if weight[k, i] > 0.0:
                segment_top[k] = max(segment_top[k], u)
    for i in range(n):
        scratch[i] = np.exp(scratch[i] - top)
        quantity[i] = 0.0
    outside = np.exp(outside_quality / mu - top)
    surplus = 0.0
    for k in range(n_segments):
        if segment_weight[k] <= 0.0:
            continue
        if top - segment_top[k] > _SHARED_SHIFT_LIMIT:
            # Rare: own shift for this segment; quantity is used as the second scratch and rebuilt.
            return _market_demand_by_segment(price, quality, weight, segment_weight, mu, outside_quality, quantity,
                                             scratch, segment_top)
        denominator = outside
        for i in range(n):
            denominator += weight[k, i] * scratch[i]
        scale = segment_weight[k] / denominator
        for i in range(n):
            quantity[i] += scale * weight[k, i] * scratch[i]
        segment_top[k] = top + np.log(denominator)
        surplus += segment_weight[k] * (mu * segment_top[k] - outside_quality)
    return surplus


@tick_kernel
def _market_demand_by_segment(price, quality, weight, segment_weight, mu, outside_quality, quantity, share,
                              log_denominator):
    """``market_demand`` with each segment shifted by its own best utility (no shared exponentials)."""
    for i in range(price.shape[0]):
        quantity[i] = 0.0
    surplus = 0.0
    for k in range(segment_weight.shape[0]):
        if segment_weight[k] <= 0.0:
            continue
        log_denominator[k] = segment_shares(price, quality, weight[k], mu, outside_quality, share)
        for i in range(price.shape[0]):
            quantity[i] += segment_weight[k] * share[i]
        surplus += segment_weight[k] * (mu * log_denominator[k] - outside_quality)
    return surplus


def logit_demand(price, quality, mu, outside_quality, visibility=None, segment_weight=None):
    """Demand per shopper and consumer surplus per shopper for numpy inputs.

    With no ``visibility`` every shopper sees every offer (one segment).
    Returns ``(quantity, consumer_surplus)``.
    """
    price = np.ascontiguousarray(price, dtype=np.float64)
    quality = np.ascontiguousarray(np.broadcast_to(quality, price.shape), dtype=np.float64)
    if visibility is None:
        visibility = np.ones((1, price.shape[0]))
        segment_weight = np.ones(1)
    quantity = np.empty_like(price)
    segment_weight = np.ascontiguousarray(segment_weight, dtype=np.float64)
    visibility = np.ascontiguousarray(visibility, dtype=np.float64)
    surplus = market_demand(price, quality, visibility, segment_weight, float(mu), float(outside_quality), quantity,
                            np.empty_like(price), np.empty_like(segment_weight))
    return quantity, surplus

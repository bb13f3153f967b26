r"""Logit demand with an outside option, by shopper segment.

Shoppers come in segments :math:`k` (here: those who shop only on the platform, and those
who compare every channel). A shopper of segment :math:`k` sees offer :math:`i` with
weight :math:`w_{ki} \ge 0` (0: not visible; below 1: less attention, e.g. an offer that
is not featured) and buys it with probability

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
from numba import njit


@njit(cache=True)
def segment_shares(price, quality, weight, mu, outside_quality, share):
    r"""Fill ``share`` with one segment's choice probabilities; return its log-denominator.

    Parameters
    ----------
    price, quality, weight : ndarray(float, ndim=1)
        Offers' prices, qualities :math:`a_i` and visibility weights :math:`w_i`.
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
            x = (quality[i] - price[i]) / mu
            if x > top:
                top = x
    denominator = np.exp(outside_quality / mu - top)
    for i in range(price.shape[0]):
        if weight[i] > 0.0:
            e = weight[i] * np.exp((quality[i] - price[i]) / mu - top)
            share[i] = e
            denominator += e
        else:
            share[i] = 0.0
    for i in range(price.shape[0]):
        share[i] /= denominator
    return top + np.log(denominator)


@njit(cache=True)
def market_demand(price, quality, visibility, segment_weight, mu, outside_quality, quantity, share):
    r"""Demand per shopper summed over segments; return consumer surplus per shopper.

    Parameters
    ----------
    visibility : ndarray(float, ndim=2)
        :math:`w_{ki}`, shape (segments, offers).
    segment_weight : ndarray(float, ndim=1)
        :math:`W_k`, summing to 1.
    quantity : ndarray(float, ndim=1)
        Output, :math:`q_i = \sum_k W_k s_{ki}` (units per shopper).
    share : ndarray(float, ndim=1)
        Scratch of the offers' length.
    """
    for i in range(price.shape[0]):
        quantity[i] = 0.0
    surplus = 0.0
    for k in range(segment_weight.shape[0]):
        if segment_weight[k] <= 0.0:
            continue
        log_denominator = segment_shares(price, quality, visibility[k], mu, outside_quality, share)
        for i in range(price.shape[0]):
            quantity[i] += segment_weight[k] * share[i]
        surplus += segment_weight[k] * (mu * log_denominator - outside_quality)
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
    surplus = market_demand(price, quality, np.ascontiguousarray(visibility, dtype=np.float64),
                            np.ascontiguousarray(segment_weight, dtype=np.float64), float(mu),
                            float(outside_quality), quantity, np.empty_like(price))
    return quantity, surplus

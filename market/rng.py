r"""Counter-based random numbers for numba kernels.

Every draw is a pure function of ``(seed, stream, tick, seller, draw)``: no generator
state is carried from one tick to the next, so stepping one tick at a time, advancing
a whole horizon in one call, splitting the horizon into chunks, or running on another
process gives the same numbers.

The hash is SplitMix64's finaliser (Steele, Lea and Flood 2014) applied to the counter
words one after another:

.. math::  h_0 = \mathrm{mix}(seed),\quad h_{k+1} = \mathrm{mix}(h_k \oplus (w_k + \gamma))

with :math:`\gamma = \mathtt{0x9E3779B97F4A7C15}`; the top 53 bits of the result give a
uniform float in :math:`[0, 1)`. Poisson, normal, binomial and multinomial draws are built from
these uniforms, so they are pure functions of their counters too.
"""

import math

import numpy as np
from numba import njit

from market.jit import tick_kernel

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

# Streams: independent families of draws.
STREAM_ARRIVALS = 0
STREAM_STRATEGY = 1
STREAM_LEARNING = 2
STREAM_INIT = 3
STREAM_SHOCKS = 4    # demand shocks xi: (seed, STREAM_SHOCKS, day, seller)
STREAM_CHOICES = 5   # sampled choices: (seed, STREAM_CHOICES, tick, seller); seller n: rounding the shoppers


@njit(cache=True, inline="always")
def mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def hash5(seed, stream, tick, seller, draw):
    """64-bit hash of the five counter words (all int64 or uint64)."""
    h = mix(np.uint64(seed) + GOLDEN_GAMMA)
    h = mix(h ^ (np.uint64(stream) + GOLDEN_GAMMA))
    h = mix(h ^ (np.uint64(tick) + GOLDEN_GAMMA))
    h = mix(h ^ (np.uint64(seller) + GOLDEN_GAMMA))
    return mix(h ^ (np.uint64(draw) + GOLDEN_GAMMA))


@njit(cache=True, inline="always")
def uniform(seed, stream, tick, seller, draw):
    """Uniform float in [0, 1) determined by the counter words."""
    return float(hash5(seed, stream, tick, seller, draw) >> np.uint64(11)) * _TO_UNIT


@tick_kernel
def poisson(mean, seed, stream, tick, seller):
    r"""Poisson draw with the given mean, from counter-based uniforms.

    Means below 10 use inversion of the CDF; larger means use Hörmann's (1993)
    transformed rejection with squeeze (PTRS), which needs about 1.1 pairs of uniforms.
    """
    if mean <= 0.0:
        return 0
    if mean < 10.0:
        u = uniform(seed, stream, tick, seller, 0)
        k = 0
        p = np.exp(-mean)
        cdf = p
        while u > cdf and k < 1000:
            k += 1
            p *= mean / k
            cdf += p
        return k
    slam = np.sqrt(mean)
    loglam = np.log(mean)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    draw = 0
    while True:
        u = uniform(seed, stream, tick, seller, draw) - 0.5
        v = uniform(seed, stream, tick, seller, draw + 1)
        draw += 2
        us = 0.5 - abs(u)
        k = np.floor((2 * a / us + b) * u + mean + 0.43)
        if us >= 0.07 and v <= vr:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        lhs = np.log(v) + np.log(inv_alpha) - np.log(a / (us * us) + b)
        rhs = -mean + k * loglam - _log_factorial(k)
        if lhs <= rhs:
            return int(k)


@njit(cache=True, inline="always")
def _log_factorial(k):
    if k < 10:
        out = 0.0
        for i in range(2, int(k) + 1):
            out += np.log(i)
        return out
    # Stirling's series, accurate to ~1e-10 for k >= 10.
    return (k + 0.5) * np.log(k + 1.0) - (k + 1.0) + 0.5 * np.log(2 * np.pi) + 1.0 / (12 * (k + 1.0)) \
        - 1.0 / (360 * (k + 1.0) ** 3)


@njit(cache=True, inline="always")
def normal(seed, stream, tick, seller):
    r"""Standard normal draw by Box and Muller (1958) from the uniforms of draws 0 and 1:
    :math:`z = \sqrt{-2 \log(1 - u_0)} \cos(2 \pi u_1)`."""
    u0 = uniform(seed, stream, tick, seller, 0)
    u1 = uniform(seed, stream, tick, seller, 1)
    return np.sqrt(-2.0 * np.log1p(-u0)) * np.cos(2.0 * np.pi * u1)


@tick_kernel
def binomial(n, p, seed, stream, tick, seller):
    r"""Binomial draw: successes in ``n`` trials of probability ``p``, from counter-based uniforms.

    With :math:`q = \min(p, 1-p)` (and :math:`n - X` for :math:`p > 1/2`): below :math:`nq = 10`, inversion of
    the CDF from 0 (one uniform); above, Hörmann's (1993) transformed rejection (BTRS), about 1.2 pairs of
    uniforms a draw, accepted against the exact log-probabilities (``math.lgamma``).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    q = 1.0 - p if flip else p
    k = _binomial_inversion(n, q, seed, stream, tick, seller) if n * q < 10.0 else \
        _binomial_btrs(n, q, seed, stream, tick, seller)
    return n - k if flip else k


@njit(cache=True, inline="always")
def _binomial_inversion(n, p, seed, stream, tick, seller):
    """Smallest k with P(X <= k) >= u, the probabilities by their recurrence from P(X = 0) = (1 - p)^n."""
    u = uniform(seed, stream, tick, seller, 0)
    ratio = p / (1.0 - p)
    pmf = np.exp(n * np.log1p(-p))
    cdf = pmf
    k = 0
    while u > cdf and k < n:
        pmf *= ratio * (n - k) / (k + 1)
        k += 1
        cdf += pmf
    return k


@njit(cache=True, inline="always")
def _binomial_btrs(n, p, seed, stream, tick, seller):
    """Hörmann (1993), "The generation of binomial random variates", algorithm BTRS, for n p >= 10, p <= 1/2."""
    q = 1.0 - p
    spq = np.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    log_odds = np.log(p / q)
    m = np.floor((n + 1) * p)
    h = math.lgamma(m + 1.0) + math.lgamma(n - m + 1.0)
    draw = 0
    while True:
        u = uniform(seed, stream, tick, seller, draw) - 0.5
        v = uniform(seed, stream, tick, seller, draw + 1)
        draw += 2
        us = 0.5 - abs(u)
        k = np.floor((2.0 * a / us + b) * u + c)
        if us >= 0.07 and v <= v_r:
            return int(k)
        if k < 0.0 or k > n:
            continue
        v = np.log(v * alpha / (a / (us * us) + b))
        if v <= h - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0) + (k - m) * log_odds:
            return int(k)


@tick_kernel
def multinomial(n, probability, count, seed, stream, tick):
    r"""Fill ``count`` with the choices of ``n`` shoppers among offers of ``probability`` (the rest choose
    none): offer :math:`i` draws :math:`\text{Binomial}(n - \sum_{j<i} c_j,\ p_i / (1 - \sum_{j<i} p_j))`
    on the counter's seller word :math:`i`, which gives the multinomial distribution. Returns the shoppers who
    chose an offer."""
    left = n
    rest = 1.0
    for i in range(probability.shape[0]):
        share = probability[i] / rest if rest > 0.0 else 1.0
        c = binomial(left, min(max(share, 0.0), 1.0), seed, stream, tick, i) if left > 0 else 0
        count[i] = c
        left -= c
        rest -= probability[i]
    return n - left

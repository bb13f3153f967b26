"""Confidence intervals and tests across seeds and sessions.

Quantiles and tails come from ``scipy.special`` (``stdtrit``, ``ndtr``), the functions that ``scipy.stats``'
``t.ppf`` and ``norm.sf`` call: the same numbers, without the half second that importing ``scipy.stats`` takes.
"""

import numpy as np
from scipy.special import ndtr, stdtrit


def half_width(sd, n, level: float = 0.95):
    r"""Half-width of the Student-t interval of a mean, :math:`t_{1-\alpha/2,\, n-1}\, s / \sqrt n`
    (elementwise over arrays of ``sd`` and ``n``); NaN where ``n < 2``."""
    n = np.asarray(n, dtype=np.float64)
    quantile = stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2)
    return np.where(n > 1, quantile * np.asarray(sd, dtype=np.float64) / np.sqrt(np.maximum(n, 1)), np.nan)


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    r"""Mean and Student-t confidence interval, :math:`\bar x \pm t_{1-\alpha/2, n-1}\, s / \sqrt n`.

    With one value the interval is that value's point (no spread to estimate).
    """
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    half = float(half_width(x.std(ddof=1), x.size, level))
    return mean, mean - half, mean + half


def spawn_seeds(master: int, n: int) -> list[int]:
    """``n`` run seeds from ``SeedSequence(master).spawn``: independent of execution order."""
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
            for child in np.random.SeedSequence(master).spawn(n)]


def paired(baseline, treated, level: float = 0.95) -> dict[str, float]:
    r"""Paired difference of ``treated`` and ``baseline`` measured on the same seeds (common random numbers).

    With :math:`d_s = x^{arm}_s - x^{base}_s` over the :math:`n` seeds where both are finite:
    ``difference`` :math:`\bar d`, ``se`` :math:`s_d / \sqrt n`, the Student-t interval ``ci_low``,
    ``ci_high`` (:func:`mean_ci`), ``relative_change_pct`` :math:`100\, \bar d / \bar x^{base}` (NaN unless
    the baseline's mean is above 1e-9: a share of a zero or negative level, such as a Delta below the Nash
    benchmark, has no meaning) and ``n``. One seed gives no spread: ``se`` is NaN and the interval a point.
    """
    base = np.asarray(baseline, dtype=np.float64)
    arm = np.asarray(treated, dtype=np.float64)
    keep = np.isfinite(base) & np.isfinite(arm)
    base, d = base[keep], arm[keep] - base[keep]
    if d.size == 0:
        nan = float("nan")
        return {"difference": nan, "se": nan, "ci_low": nan, "ci_high": nan, "relative_change_pct": nan, "n": 0}
    mean, low, high = mean_ci(d, level)
    base_mean = float(base.mean())
    return {"difference": mean, "se": float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan"),
            "ci_low": low, "ci_high": high,
            "relative_change_pct": 100.0 * mean / base_mean if base_mean > 1e-9 else float("nan"),
            "n": int(d.size)}


def pooled_mean(means, rows) -> tuple[float, float]:
    r"""A mean over rows that come in clusters (a session's deviations), from each cluster's mean :math:`v_s`
    and row count :math:`w_s`: :math:`R = \sum_s w_s v_s / \sum_s w_s`, and its cluster-robust standard error
    (the ratio estimator's, by the delta method)

    .. math::  \widehat{se}(R) = \frac{\sqrt{\frac{N}{N-1} \sum_s w_s^2 (v_s - R)^2}}{\sum_s w_s}

    over the :math:`N` clusters (NaN with one)."""
    v = np.asarray(means, dtype=np.float64)
    w = np.asarray(rows, dtype=np.float64)
    total = w.sum()
    pooled = float((w * v).sum() / total)
    if v.size < 2:
        return pooled, float("nan")
    return pooled, float(np.sqrt(v.size / (v.size - 1) * ((w * (v - pooled)) ** 2).sum()) / total)


def sd_with_se(values) -> tuple[float, float]:
    r"""The sample standard deviation :math:`s` and its standard error by the delta method,
    :math:`\sqrt{(\hat\mu_4 - s^4) / (4 s^2 n)}` (:math:`\hat\mu_4` the fourth central moment; no normality
    assumed); NaN with fewer than two values or no spread."""
    x = np.asarray(values, dtype=np.float64)
    if x.size < 2:
        return 0.0, float("nan")
    s = float(x.std(ddof=1))
    if s == 0.0:
        return s, float("nan")
    fourth = float(((x - x.mean()) ** 4).mean())
    return s, float(np.sqrt(max(fourth - s**4, 0.0) / (4.0 * s * s * x.size)))


def z_test(estimate: float, se: float, reference: float, reference_se: float = 0.0) -> tuple[float, float]:
    r"""Test of :math:`H_0`: the estimate's population value equals ``reference``:
    :math:`z = (\hat\theta - \theta_0) / \sqrt{se^2 + se_0^2}` (``reference_se``: the reference's own standard
    error when it is itself an estimate from independent sessions; 0 treats it as exact) and its two-sided
    :math:`p = 2\,(1 - \Phi(|z|))`. NaN when the combined standard error is 0 or unknown."""
    scale = float(np.sqrt(se**2 + reference_se**2))
    if not np.isfinite(scale) or scale == 0.0:
        return float("nan"), float("nan")
    z = (estimate - reference) / scale
    return float(z), float(2.0 * ndtr(-abs(z)))

"""Confidence intervals across seeds."""

import numpy as np
from scipy.stats import t as student_t


def half_width(sd, n, level: float = 0.95):
    r"""Half-width of the Student-t interval of a mean, :math:`t_{1-\alpha/2,\, n-1}\, s / \sqrt n`
    (elementwise over arrays of ``sd`` and ``n``); NaN where ``n < 2``."""
    n = np.asarray(n, dtype=np.float64)
    quantile = student_t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
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
    ``ci_high`` (:func:`mean_ci`), ``relative_change_pct`` :math:`100\, \bar d / \bar x^{base}` (NaN when
    the baseline's mean is 0 to 1e-9) and ``n``. One seed gives no spread: ``se`` is NaN and the interval a point.
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
            "relative_change_pct": 100.0 * mean / base_mean if abs(base_mean) > 1e-9 else float("nan"),
            "n": int(d.size)}

"""Confidence intervals across seeds."""

import numpy as np
from scipy.stats import t as student_t


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    r"""Mean and Student-t confidence interval, :math:`\bar x \pm t_{1-\alpha/2, n-1}\, s / \sqrt n`.

    With one value the interval is that value's point (no spread to estimate).
    """
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    half = float(student_t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def spawn_seeds(master: int, n: int) -> list[int]:
    """``n`` run seeds from ``SeedSequence(master).spawn``: independent of execution order."""
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
            for child in np.random.SeedSequence(master).spawn(n)]

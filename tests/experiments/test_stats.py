"""The Student-t quantile and the normal tail are scipy.stats' own (``t.ppf``, ``norm.sf``), bit for bit."""

import numpy as np
from scipy.stats import norm, t

from experiments.stats import half_width, z_test


def test_half_width_uses_scipy_stats_t_quantile():
    n = np.arange(2, 500)
    for level in (0.8, 0.95, 0.99):
        expected = t.ppf(0.5 + level / 2, n - 1) * 1.5 / np.sqrt(n)
        assert np.array_equal(half_width(1.5, n, level), expected)


def test_z_test_p_is_scipy_stats_two_sided_normal_tail():
    for estimate in (0.0, 0.3, -2.5, 7.0, 40.0):
        z, p = z_test(estimate, 0.4, 0.1, 0.3)
        assert z == (estimate - 0.1) / 0.5 and p == 2.0 * norm.sf(abs(z))

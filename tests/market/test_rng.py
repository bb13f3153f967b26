import numpy as np
import pytest
from numba import njit
from scipy import stats

from market.rng import binomial, multinomial, normal, poisson, uniform


@njit
def _uniforms(seed, n):
    out = np.empty(n)
    for k in range(n):
        out[k] = uniform(seed, 1, k, 3, 0)
    return out


@njit
def _poissons(mean, seed, n):
    out = np.empty(n)
    for k in range(n):
        out[k] = poisson(mean, seed, 0, k, 0)
    return out


def test_uniform_is_a_pure_function_of_its_counters():
    assert uniform(1, 2, 3, 4, 5) == uniform(1, 2, 3, 4, 5)
    draws = {uniform(1, 2, 3, 4, d) for d in range(100)} | {uniform(s, 2, 3, 4, 0) for s in range(100)}
    assert len(draws) == 199  # changing any one counter changes the draw


def test_uniform_moments():
    u = _uniforms(7, 200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.003
    assert abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01


def test_poisson_moments_small_and_large_means():
    for mean in (0.5, 4.0, 25.0, 1000.0):
        x = _poissons(mean, 11, 100_000)
        assert np.all(x == np.floor(x)) and x.min() >= 0
        se = np.sqrt(mean / x.size)
        assert abs(x.mean() - mean) < 5 * se
        assert abs(x.var() / mean - 1) < 0.05


@njit
def _binomials(n, p, seed, draws):
    out = np.empty(draws)
    for k in range(draws):
        out[k] = binomial(n, p, seed, 5, k, 2)
    return out


@njit
def _normals(seed, draws):
    out = np.empty(draws)
    for k in range(draws):
        out[k] = normal(seed, 4, k, 1)
    return out


def _chi_square_p_value(x, pmf, support):
    """Pearson's test of draws ``x`` against ``pmf`` on ``support``, cells of expected count < 5 pooled into
    their neighbours."""
    observed = np.array([(x == k).sum() for k in support], dtype=float)
    expected = pmf * x.size
    cells_o, cells_e, o, e = [], [], 0.0, 0.0
    for ok, ek in zip(observed, expected, strict=True):
        o, e = o + ok, e + ek
        if e >= 5:
            cells_o.append(o)
            cells_e.append(e)
            o, e = 0.0, 0.0
    cells_o[-1] += o
    cells_e[-1] += e + (x.size - expected.sum())
    return stats.chisquare(cells_o, np.array(cells_e) * sum(cells_o) / sum(cells_e)).pvalue


@pytest.mark.parametrize(("n", "p"), [(7, 0.3), (40, 0.2), (20, 0.5), (1000, 0.3), (1000, 0.92), (50_000, 0.0001),
                                      (10**7, 0.4)])
def test_binomial_draws_follow_the_binomial_distribution(n, p):
    """Inversion (n min(p, 1-p) < 10) and BTRS (above), p > 1/2 by symmetry: Pearson's chi-square test of
    100,000 draws against scipy's pmf does not reject at the 0.1% level (the draws are fixed by the seed)."""
    x = _binomials(n, p, 13, 100_000)
    assert np.all(x == np.floor(x)) and x.min() >= 0 and x.max() <= n
    mean, sd = n * p, np.sqrt(n * p * (1 - p))
    support = np.arange(max(0, int(mean - 8 * sd)), min(n, int(mean + 8 * sd)) + 1)
    assert _chi_square_p_value(x, stats.binom.pmf(support, n, p), support) > 1e-3
    assert abs(x.mean() - mean) < 5 * sd / np.sqrt(x.size)


def test_binomial_edges():
    assert binomial(0, 0.5, 1, 5, 0, 0) == 0
    assert binomial(10, 0.0, 1, 5, 0, 0) == 0
    assert binomial(10, 1.0, 1, 5, 0, 0) == 10


def test_multinomial_counts_and_moments():
    """Counts sum to the shoppers who chose an offer; means n p_i, variances n p_i (1 - p_i), covariances
    -n p_i p_j (5 standard errors)."""
    probability = np.array([0.3, 0.05, 0.4, 0.0])
    n, draws = 500, 20_000
    counts = np.empty((draws, 4))
    for t in range(draws):
        chose = multinomial(n, probability, counts[t], 9, 5, t)
        assert chose == counts[t].sum() <= n
    assert np.all(counts[:, 3] == 0)
    mean = n * probability
    assert np.all(np.abs(counts.mean(axis=0) - mean) < 5 * np.sqrt(mean * (1 - probability) / draws) + 1e-12)
    covariance = np.cov(counts[:, :3].T)
    expected = n * (np.diag(probability[:3]) - np.outer(probability[:3], probability[:3]))
    assert np.allclose(covariance, expected, rtol=0.05, atol=0.05 * n * 0.05)


def test_normal_moments():
    z = _normals(3, 200_000)
    assert abs(z.mean()) < 5 / np.sqrt(z.size)
    assert abs(z.var() - 1) < 0.015
    assert stats.kstest(z, "norm").pvalue > 1e-3

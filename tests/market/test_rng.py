import numpy as np
from numba import njit

from market.rng import poisson, uniform


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

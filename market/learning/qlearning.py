r"""Simultaneous Q-learning sessions: Calvano, Calzolari, Denicolò and Pastorello (2020, AER).

:math:`n` sellers (2 to 4 in the paper's experiments) choose prices on a common grid of
:math:`m` points every period. Seller :math:`i`'s state is last period's profile of all
sellers' grid indices (memory one), numbered in mixed radix with seller 0 most significant,

.. math::  s = \sum_{j=0}^{n-1} a_j\, m^{\,n-1-j}, \qquad s \in \{0, \dots, m^n - 1\},

so the state of period :math:`t+1` *is* the action profile of period :math:`t`, and the
stage profits of every profile are one precomputed table ``profit[s, i]`` (expected, not
sampled, logit demand). Each period every seller explores with probability
:math:`\varepsilon_t = e^{-\beta t}` (a uniform grid index) and otherwise plays its greedy
action, then updates

.. math::  Q_i(s, a_i) \leftarrow (1-\alpha)\, Q_i(s, a_i)
           + \alpha \left[\pi_i(s') + \delta \max_{a} Q_i(s', a)\right],

with :math:`s'` the new profile. :math:`Q` starts at each action's payoff against rivals
who price uniformly at random, discounted for ever:
:math:`Q_i^0(s, a) = m^{-(n-1)} \sum_{a_{-i}} \pi_i(a, a_{-i}) / (1 - \delta)`.
A session has converged when no seller's greedy action has changed in any state for
``stable_periods`` (100,000) consecutive periods; it stops at ``max_periods`` (:math:`10^9`)
otherwise.

Speed (see ``shared/stack-notes.md``): the kernel caches every state's greedy action and
maximal :math:`Q`, so a period costs a few memory reads; exploration is multiplied down by
:math:`e^{-\beta}` each period (re-anchored to :math:`e^{-\beta t}` every :math:`2^{20}`
periods); random numbers come from SplitMix64 run as a counter from a key hashed from the
session seed, so a session is a pure function of (parameters, seed).
"""

import functools
from dataclasses import dataclass

import numpy as np
from numba import njit

from market.benchmarks import Benchmarks, StaticGame, price_grid, solve
from market.rng import GOLDEN_GAMMA, STREAM_LEARNING, hash5, mix

STABLE_PERIODS = 100_000
MAX_PERIODS = 10**9
# The papers' baselines: the defaults of the replication kernels and of the engine's learners.
CALVANO = {"alpha": 0.15, "beta": 4e-6, "delta": 0.95, "m": 15, "xi": 0.1}  # Calvano et al. (2020), section III
KLEIN = {"alpha": 0.3, "theta": 2.76e-5, "delta": 0.95, "k": 6, "periods": 500_000}  # Klein (2021), section 4
MEMORY_BUDGET_BYTES = 2**30
_TO_UNIT = 1.0 / 9007199254740992.0
_RESYNC = (1 << 20) - 1


def check_parameters(alpha: float, beta: float, delta: float, m: int, n_sellers: int) -> None:
    """Raise ``ValueError`` naming the first bad parameter (before any work starts)."""
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha = {alpha}: must be in (0, 1]")
    if not beta >= 0.0 or not np.isfinite(beta):
        raise ValueError(f"beta = {beta}: must be a finite number >= 0")
    if not 0.0 <= delta < 1.0:
        raise ValueError(f"delta = {delta}: must be in [0, 1)")
    if m < 2:
        raise ValueError(f"m = {m}: must be >= 2 prices")
    if n_sellers < 2:
        raise ValueError(f"n_sellers = {n_sellers}: must be >= 2")
    if n_sellers * np.log2(m) > 60:  # m^n itself would not fit in memory's addresses
        raise ValueError(f"n_sellers = {n_sellers}: {n_sellers} sellers with m = {m} prices need m^n = "
                         f"10^{n_sellers * np.log10(m):,.0f} states (limit 1 GiB of Q-tables)")
    need = table_bytes(m, n_sellers)
    if need > MEMORY_BUDGET_BYTES:
        raise ValueError(f"n_sellers = {n_sellers}: {n_sellers} sellers with m = {m} prices need "
                         f"{m}^{n_sellers} states and {need / 2**30:.1f} GiB of Q-tables (limit 1 GiB)")


def table_bytes(m: int, n_sellers: int) -> int:
    """Bytes of one session's arrays: Q (n m^{n+1}), greedy and max caches and profits (3 n m^n)."""
    states = m ** n_sellers
    return 8 * n_sellers * states * (m + 3)


@dataclass(frozen=True)
class QLearningSetup:
    """Everything a session needs: the grid, the profit table and the learning parameters.

    ``profit`` is ``ndarray(float, ndim=2)`` of shape (m^n, n): seller ``i``'s expected profit
    per period when the sellers play the profile numbered ``s``.
    """

    grid: np.ndarray
    profit: np.ndarray
    benchmarks: Benchmarks
    alpha: float = CALVANO["alpha"]
    beta: float = CALVANO["beta"]
    delta: float = CALVANO["delta"]
    stable_periods: int = STABLE_PERIODS
    max_periods: int = MAX_PERIODS

    @property
    def m(self) -> int:
        return self.grid.shape[0]

    @property
    def n_sellers(self) -> int:
        return self.profit.shape[1]

    @classmethod
    def calvano(cls, n_sellers: int = 2, cost=1.0, quality=2.0, mu: float = 0.25, outside_quality: float = 0.0,
                m: int = CALVANO["m"], xi: float = CALVANO["xi"], alpha: float = CALVANO["alpha"],
                beta: float = CALVANO["beta"], delta: float = CALVANO["delta"], **limits) -> "QLearningSetup":
        """The logit market of Calvano et al. (2020); defaults are their baseline.

        ``cost`` and ``quality`` are a number or one value per seller. The grid spans the
        static Nash and joint-profit prices widened by ``xi`` (:func:`market.benchmarks.price_grid`).
        """
        check_parameters(alpha, beta, delta, m, n_sellers)
        cost = np.broadcast_to(np.asarray(cost, dtype=np.float64), (n_sellers,))
        game = StaticGame.logit(cost, quality, mu, outside_quality)
        benchmarks = solve(game)
        grid = price_grid(benchmarks.nash_price, benchmarks.monopoly_price, m, xi)
        return cls(grid=grid, profit=profit_table(game, grid), benchmarks=benchmarks, alpha=alpha, beta=beta,
                   delta=delta, **limits)


def profit_table(game: StaticGame, grid: np.ndarray) -> np.ndarray:
    """``profit[s, i]``: seller ``i``'s stage profit at profile ``s`` (mixed radix, seller 0 first)."""
    return game.profile_profits(grid)


def initial_q(profit: np.ndarray, m: int, delta: float) -> np.ndarray:
    r"""Q-tables of shape (n, m^n, m): :math:`Q_i^0(s,a) = \bar\pi_i(a) / (1-\delta)` in every state,
    with :math:`\bar\pi_i(a)` seller i's mean profit at own action :math:`a` over uniform rivals."""
    n = profit.shape[1]
    q = np.empty((n, m**n, m))
    by_action = profit.reshape((m,) * n + (n,))
    for i in range(n):
        others = tuple(j for j in range(n) if j != i)
        mean = by_action[..., i].mean(axis=others)
        q[i] = mean / (1.0 - delta)
    return q


@dataclass(frozen=True)
class Session:
    """A finished learning session: Q-tables, greedy policies and how learning ended.

    ``greedy[i, s]`` is seller ``i``'s greedy grid index in state ``s``; ``state`` the last
    state reached (the profile of the last period played).
    """

    q: np.ndarray
    greedy: np.ndarray
    converged: bool
    periods: int
    state: int


def greedy_cache(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greedy action (lowest index among ties) and maximum of each row of ``q`` (shape (n, S, m))."""
    return np.argmax(q, axis=2).astype(np.int64), np.max(q, axis=2)


def run_session(setup: QLearningSetup, seed: int) -> Session:
    """Learn from :func:`initial_q` until convergence or ``max_periods``; a pure function of (setup, seed)."""
    q = initial_q(setup.profit, setup.m, setup.delta)
    greedy, best = greedy_cache(q)
    converged, periods, state = _learn(setup.profit, q, greedy, best, setup.alpha, setup.beta, setup.delta,
                                       seed, setup.stable_periods, setup.max_periods)
    return Session(q=q, greedy=greedy, converged=bool(converged), periods=int(periods), state=int(state))


@njit(cache=True, inline="always")
def stream_uniform(counter):
    """Uniform float in [0, 1): the top 53 bits of SplitMix64's finaliser of ``counter``."""
    return float(mix(counter) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True, inline="always")
def q_update(value, target, alpha):
    r"""The Q-learning update of every learner, here and in the engine (:mod:`market.strategies.learning`):
    :math:`Q(s, a) + \alpha\,[\text{target} - Q(s, a)]`, with ``value`` :math:`= Q(s, a)`. Calvano's target is
    :math:`\pi + \delta \max_b Q(s', b)`, Klein's :math:`\pi_t + \delta \pi_{t+1} + \delta^2 \max_b Q(s', b)`."""
    return value + alpha * (target - value)


@njit(cache=True, inline="always")
def update(q, greedy, best, i, s, a, target, alpha):
    r"""Seller i's :func:`q_update` of ``q[i, s, a]`` with ``target`` :math:`= \pi_i + \delta \max_b Q_i(s', b)`,
    keeping ``greedy[i, s]`` and ``best[i, s]`` equal to the row's argmax and max. Returns True if
    the greedy action changed. Ties keep the incumbent; a recomputed argmax takes the lowest index.
    """
    new = q_update(q[i, s, a], target, alpha)
    q[i, s, a] = new
    g = greedy[i, s]
    if a == g:
        if new >= best[i, s]:
            best[i, s] = new
            return False
        top = 0
        value = q[i, s, 0]
        for b in range(1, q.shape[2]):
            if q[i, s, b] > value:
                top = b
                value = q[i, s, b]
        best[i, s] = value
        greedy[i, s] = top
        return top != g
    if new > best[i, s]:
        best[i, s] = new
        greedy[i, s] = a
        return True
    return False


def _learn(profit, q, greedy, best, alpha, beta, delta, seed, stable_periods, max_periods):
    """The session loop (:func:`_session_loop`, compiled for the number of sellers); updates q, greedy and best in
    place. Returns (converged, periods, last state)."""
    return _session_loop(q.shape[0])(profit, q, greedy, best, alpha, beta, delta, seed, stable_periods, max_periods)


@functools.cache
def _session_loop(n):
    """The session loop for ``n`` sellers. ``n`` is a constant of the compiled loop, so that its loops over sellers
    unroll (a third faster at two sellers than a loop over a variable count); numba caches one loop per ``n``.

    The initial state is uniform over profiles; draw ``k`` is ``mix(key + k * gamma)`` with
    ``key = hash5(seed, STREAM_LEARNING, 0, 0, 0)`` (draw 0 picks the initial state).
    """
    @njit(cache=True, error_model="numpy")
    def loop(profit, q, greedy, best, alpha, beta, delta, seed, stable_periods, max_periods):
        counter = hash5(seed, STREAM_LEARNING, 0, 0, 0)
        s = int(stream_uniform(counter) * profit.shape[0])
        m = q.shape[2]
        action = np.empty(n, dtype=np.int64)
        decay = np.exp(-beta)
        epsilon = 1.0
        stable = 0
        for t in range(max_periods):
            nxt = 0
            for i in range(n):
                counter += GOLDEN_GAMMA
                if stream_uniform(counter) < epsilon:
                    counter += GOLDEN_GAMMA
                    a = int(stream_uniform(counter) * m)
                else:
                    a = greedy[i, s]
                action[i] = a
                nxt = nxt * m + a
            changed = False
            for i in range(n):
                target = profit[nxt, i] + delta * best[i, nxt]
                changed |= update(q, greedy, best, i, s, action[i], target, alpha)
            s = nxt
            stable = 0 if changed else stable + 1
            if stable >= stable_periods:
                return True, t + 1, s
            epsilon *= decay
            if (t & _RESYNC) == _RESYNC:
                epsilon = np.exp(-beta * (t + 1))
        return False, max_periods, s
    return loop

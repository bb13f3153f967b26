r"""Sequential Q-learning: Klein (2021), "Autonomous algorithmic collusion: Q-learning under
sequential pricing", RAND Journal of Economics 52(3), 538-558 (working paper: Tinbergen
Institute DP 18-056).

Two sellers alternate: seller 0 moves in even periods, seller 1 in odd ones, and a price
stands for two periods. The mover's state is the rival's standing price. The market is
Klein's: a homogeneous good, zero marginal cost, linear demand, the cheaper seller serves
the market and a tie splits it,

.. math::  D_i(p_i, p_j) = \begin{cases} 1 - p_i & p_i < p_j \\ \tfrac12 (1 - p_i) & p_i = p_j
           \\ 0 & p_i > p_j \end{cases}, \qquad \pi_i = p_i D_i(p_i, p_j),

on the grid :math:`p \in \{0, 1/k, \dots, 1\}` (:math:`k = 6` in the baseline, 12 as an
extension). The joint-profit optimum is :math:`p = 1/2` with :math:`\pi_i = 1/8`; the
grid's competitive equilibrium is :math:`p = 1/k`. Seller :math:`i`, having set
:math:`p_i` at :math:`t` in state :math:`p_j`, learns at :math:`t+2` once the rival has answered
with :math:`p_j'`:

.. math::  Q_i(p_j, p_i) \leftarrow (1-\alpha) Q_i(p_j, p_i) + \alpha\left[\pi_i(p_i, p_j)
           + \delta\, \pi_i(p_i, p_j') + \delta^2 \max_p Q_i(p_j', p)\right].

Exploration is :math:`\varepsilon_t = (1-\theta)^t`; Klein's run length :math:`T = 500{,}000`
and :math:`\theta = 2.76 \times 10^{-5}` put :math:`\varepsilon` at 0.1% half way;
:math:`\alpha = 0.3`, :math:`\delta = 0.95`; Q-tables start at zero. The parameter values here
are as we read the paper; check them against it before citing our numbers as a replication.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from market import budget
from market.learning.outcomes import limit_cycle
from market.learning.qlearning import KLEIN, STABLE_PERIODS, stream_uniform, update
from market.rng import GOLDEN_GAMMA, STREAM_LEARNING, hash5

JOINT_PROFIT = 0.125


def klein_profit(k: int) -> np.ndarray:
    """``profit[a, b]``: a seller's profit at own grid index ``a`` against the rival's ``b`` (grid i/k)."""
    if k < 1:
        raise ValueError(f"k = {k}: must be >= 1 (the grid has k + 1 prices)")
    price = np.arange(k + 1) / k
    own, rival = np.meshgrid(price, price, indexing="ij")
    demand = np.where(own < rival, 1.0 - own, np.where(own == rival, 0.5 * (1.0 - own), 0.0))
    return own * demand


@dataclass(frozen=True)
class KleinSetup:
    """Klein's (2021) market and learning parameters."""

    k: int = KLEIN["k"]
    alpha: float = KLEIN["alpha"]
    delta: float = KLEIN["delta"]
    theta: float = KLEIN["theta"]
    periods: int = KLEIN["periods"]
    stable_periods: int = STABLE_PERIODS

    def __post_init__(self):
        if not 0.0 < self.alpha <= 1.0:
            raise ValueError(f"alpha = {self.alpha}: must be in (0, 1]")
        if not 0.0 <= self.delta < 1.0:
            raise ValueError(f"delta = {self.delta}: must be in [0, 1)")
        if not 0.0 <= self.theta < 1.0:
            raise ValueError(f"theta = {self.theta}: must be in [0, 1)")
        if self.k < 1:
            raise ValueError(f"k = {self.k}: must be >= 1 (the grid has k + 1 prices)")
        if self.periods < 2:
            raise ValueError(f"periods = {self.periods}: must be >= 2")
        budget.require(32.0 * (self.k + 1) ** 2, f"k = {self.k}: a session's Q-tables and profits "
                       f"({self.k + 1:,}^2 entries each)", "use a smaller k")

    @property
    def grid(self) -> np.ndarray:
        return np.arange(self.k + 1) / self.k

    @property
    def nash_profit(self) -> float:
        """Per-seller profit at the grid's competitive equilibrium, both at :math:`1/k`."""
        return 0.5 * (1.0 / self.k) * (1.0 - 1.0 / self.k)


@dataclass(frozen=True)
class KleinSummary:
    """One sequential session: Q-tables' greedy policies at the end and their limit cycle.

    ``profitability`` is the mean per-seller profit over the cycle divided by 1/8 (Klein's
    measure); ``delta`` the same gain measured from the grid's competitive profit;
    ``constant`` whether both prices stay fixed on the cycle (a focal price, not an Edgeworth cycle).
    """

    seed: int
    converged: bool
    periods: int
    profitability: float
    delta: float
    price: np.ndarray
    cycle_length: int
    constant: bool
    greedy: np.ndarray


def run_klein(setup: KleinSetup, seed: int) -> tuple[np.ndarray, np.ndarray, bool, np.ndarray]:
    """Learn for ``setup.periods`` periods; returns (q (2, m, m), greedy (2, m), stable at the end, last prices)."""
    m = setup.k + 1
    profit = klein_profit(setup.k)
    q = np.zeros((2, m, m))
    greedy = np.zeros((2, m), dtype=np.int64)
    best = np.zeros((2, m))
    price = np.empty(2, dtype=np.int64)
    stable = _learn_sequential(profit, q, greedy, best, price, setup.alpha, setup.delta, setup.theta, seed,
                               setup.periods)
    return q, greedy, stable >= setup.stable_periods, price


@njit(cache=True)
def _learn_sequential(profit, q, greedy, best, price, alpha, delta, theta, seed, periods):
    """Klein's alternating loop (see the module docstring); returns periods since the last greedy change.

    Draws: ``mix(key + k gamma)``; draws 1 and 2 set the initial prices.
    """
    m = profit.shape[0]
    counter = hash5(seed, STREAM_LEARNING, 0, 0, 0)
    state = np.zeros(2, dtype=np.int64)
    for i in range(2):
        counter += GOLDEN_GAMMA
        price[i] = int(stream_uniform(counter) * m)
    state[1] = price[0]
    epsilon = 1.0
    stable = 0
    for t in range(periods):
        i = t & 1
        j = 1 - i
        s = price[j]
        changed = False
        if t >= 2:
            a = price[i]
            target = profit[a, state[i]] + delta * profit[a, s] + delta * delta * best[i, s]
            changed = update(q, greedy, best, i, state[i], a, target, alpha)
        counter += GOLDEN_GAMMA
        if stream_uniform(counter) < epsilon:
            counter += GOLDEN_GAMMA
            price[i] = int(stream_uniform(counter) * m)
        else:
            price[i] = greedy[i, s]
        state[i] = s
        stable = 0 if changed else stable + 1
        epsilon *= 1.0 - theta
    return stable


def sequential_successor(greedy: np.ndarray) -> np.ndarray:
    """Greedy play on states ``x = w m^2 + p_0 m + p_1`` (``w``: who moved last): the other seller answers."""
    m = greedy.shape[1]
    w, p0, p1 = np.unravel_index(np.arange(2 * m * m), (2, m, m))
    new0 = np.where(w == 1, greedy[0, p1], p0)
    new1 = np.where(w == 0, greedy[1, p0], p1)
    return np.ravel_multi_index((1 - w, new0, new1), (2, m, m)).astype(np.int64)


def klein_summary(setup: KleinSetup, seed: int) -> KleinSummary:
    """Run one session and measure the limit cycle of greedy play from where learning stopped."""
    m = setup.k + 1
    _, greedy, converged, price = run_klein(setup, seed)
    last_mover = (setup.periods - 1) & 1
    start = np.ravel_multi_index((last_mover, price[0], price[1]), (2, m, m))
    states = limit_cycle(sequential_successor(greedy), int(start))
    _, p0, p1 = np.unravel_index(states, (2, m, m))
    profit = klein_profit(setup.k)
    mean_profit = 0.5 * (profit[p0, p1] + profit[p1, p0]).mean()
    return KleinSummary(
        seed=seed, converged=bool(converged), periods=setup.periods, profitability=float(mean_profit / JOINT_PROFIT),
        delta=float((mean_profit - setup.nash_profit) / (JOINT_PROFIT - setup.nash_profit)),
        price=np.array([setup.grid[p0].mean(), setup.grid[p1].mean()]), cycle_length=int(states.shape[0]),
        constant=bool(np.all(p0 == p0[0]) and np.all(p1 == p1[0])), greedy=greedy)

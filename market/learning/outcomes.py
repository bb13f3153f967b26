r"""What learned strategies do once learning stops: limit cycles, Delta, equilibrium and punishment checks.

Greedy play is deterministic: with memory one, state :math:`s` (last period's profile) leads to
:math:`\sigma(s) = \sum_j g_j(s)\, m^{n-1-j}`, where :math:`g_j(s)` is seller :math:`j`'s greedy
grid index. Following :math:`\sigma` from the state where learning stopped reaches a
**limit cycle** :math:`s_1, \dots, s_L` (Calvano et al. 2020, section IV). On it:

* profit gain :math:`\Delta = (\bar\Pi - \Pi_N)/(\Pi_M - \Pi_N)`, :math:`\bar\Pi` the
  industry profit per period averaged over the cycle, :math:`\Pi_N, \Pi_M` its static Nash
  and joint-profit values (per seller: the same with :math:`\bar\pi_i, \pi_{N,i}, \pi_{M,i}`);
* **equilibrium check**: seller :math:`i` best-responds on the cycle if, in every cycle state,
  its greedy action attains :math:`\max_a Q_i^*(s, a)`, where :math:`Q_i^*` solves its dynamic
  programme against the rivals' fixed greedy strategies (a weaker check, ``one_shot_gap``, allows
  only one-period deviations followed by the seller's own greedy strategy),

  .. math::  Q_i^*(s, a) = \pi_i(s') + \delta \max_b Q_i^*(s', b), \quad s' = (a, g_{-i}(s)),

  found by policy iteration; the outcome is a Nash equilibrium of the repeated game (on path)
  when every seller best-responds;
* **impulse response**: in cycle state :math:`s_1` the deviator plays its static best response
  on the grid to the rivals' greedy actions for one period, then everyone plays greedily; the
  deviation's discounted gain is :math:`V^{dev} - V^{base}` with
  :math:`V(s) = \sum_{t \ge 0} \delta^t \pi_i(\sigma^{t+1}(s))` summed exactly (every path ends
  in a cycle, summed as a geometric series: :func:`policy_values`);
* **deviations as the authors' package measures them** (:func:`deviations`): every seller deviates,
  from every cycle state, to its static best response for one period; the deviation is incentive
  compatible when its true discounted value :math:`Q_i^g(s, a^{BR})` (one period at :math:`a^{BR}`,
  then the learned strategies) is strictly below that of the learned action, :math:`Q_i^g(s, g_i(s))`
  (a tie, e.g. a best response that is the learned action, is not), as ``DetailedAnalysis.f90`` and the
  R scripts of the online appendix's tables count it.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from market.benchmarks import Benchmarks

IMPULSE_PERIODS = 25
_BEST_REPLY_TOLERANCE = 1e-9


def successor(greedy: np.ndarray, m: int) -> np.ndarray:
    r"""Next state under greedy play, :math:`\sigma(s) = \sum_j g_j(s) m^{n-1-j}`, for every state."""
    n = greedy.shape[0]
    weight = m ** np.arange(n - 1, -1, -1, dtype=np.int64)
    return (weight[:, None] * greedy).sum(axis=0)


def decode(state: int, n: int, m: int) -> np.ndarray:
    """Grid indices of the profile numbered ``state`` (seller 0 most significant)."""
    return np.array(np.unravel_index(state, (m,) * n), dtype=np.int64)


@njit(cache=True)
def limit_cycle(succ, start):
    """States of the cycle that iterating ``succ`` from ``start`` reaches, in order of play."""
    order = np.full(succ.shape[0], -1, dtype=np.int64)
    path = np.empty(succ.shape[0] + 1, dtype=np.int64)
    s = start
    k = 0
    while order[s] < 0:
        order[s] = k
        path[k] = s
        k += 1
        s = succ[s]
    return path[order[s]:k].copy()


@njit(cache=True)
def policy_values(reward, succ, delta, value):
    r"""Fill ``value`` with :math:`V(s) = r(s) + \delta V(\sigma(s))` for the deterministic map ``succ``.

    Each path of the functional graph ends in a cycle :math:`c_0, \dots, c_{L-1}`, where
    :math:`V(c_0) = \sum_{j<L} \delta^j r(c_j) / (1 - \delta^L)`; every other state on the walk
    is then filled backwards. Exact (no iteration), :math:`O(S)`.
    """
    n_states = succ.shape[0]
    mark = np.zeros(n_states, dtype=np.int64)  # 0 new, 1 on the current walk, 2 done
    walk = np.empty(n_states, dtype=np.int64)
    for first in range(n_states):
        k = 0
        s = first
        while mark[s] == 0:
            mark[s] = 1
            walk[k] = s
            k += 1
            s = succ[s]
        if mark[s] == 1:  # the walk closed a new cycle at s: V(s) from the cycle's rewards
            j = k - 1
            while walk[j] != s:
                j -= 1
            total = 0.0
            weight = 1.0
            for c in walk[j:k]:
                total += weight * reward[c]
                weight *= delta
            value[s] = total / (1.0 - weight)
            mark[s] = 2
        for j in range(k - 1, -1, -1):
            c = walk[j]
            if mark[c] == 1:
                value[c] = reward[c] + delta * value[succ[c]]
                mark[c] = 2


@njit(cache=True)
def best_reply_q(profit, greedy, i, m, delta, improve=True):
    r""":math:`Q_i^*` (shape (S, m)) against the rivals' greedy strategies, by policy iteration.

    Starts from seller i's greedy policy; evaluates each policy exactly (:func:`policy_values`)
    and switches an action only for a gain above :math:`10^{-12}` (relative), so ties cannot cycle.
    With ``improve=False`` it stops after the first evaluation: :math:`Q_i^g(s, a)`, the value of
    deviating to :math:`a` for one period and following the greedy strategy afterwards.
    """
    n_states = greedy.shape[1]
    n = greedy.shape[0]
    place = m ** (n - 1 - i)
    nxt = np.empty((n_states, m), dtype=np.int64)
    for s in range(n_states):
        base = 0
        for j in range(n):
            base = base * m + (0 if j == i else greedy[j, s])
        for a in range(m):
            nxt[s, a] = base + a * place
    policy = greedy[i].copy()
    succ = np.empty(n_states, dtype=np.int64)
    reward = np.empty(n_states)
    value = np.empty(n_states)
    q = np.empty((n_states, m))
    improved = True
    while improved:
        for s in range(n_states):
            succ[s] = nxt[s, policy[s]]
            reward[s] = profit[succ[s], i]
        policy_values(reward, succ, delta, value)
        improved = False
        for s in range(n_states):
            for a in range(m):
                q[s, a] = profit[nxt[s, a], i] + delta * value[nxt[s, a]]
            if not improve:
                continue
            top = policy[s]
            for a in range(m):
                if q[s, a] > q[s, top] + 1e-12 * abs(q[s, top]):
                    top = a
            if top != policy[s]:
                policy[s] = top
                improved = True
    return q


def best_reply_gaps(states: np.ndarray, profit: np.ndarray, greedy: np.ndarray, m: int, delta: float,
                    improve: bool = True) -> np.ndarray:
    r"""Per seller, the largest relative gain from a best reply in any of ``states``:
    :math:`\max_s [\max_a Q_i(s,a) - Q_i(s, g_i(s))] / \max_a Q_i(s,a)` with :math:`Q_i = Q_i^*`, or with
    :math:`Q_i = Q_i^g` (one-period deviations) when ``improve`` is false (0: no profitable deviation)."""
    n = greedy.shape[0]
    out = np.empty(n)
    for i in range(n):
        star = best_reply_q(profit, greedy, i, m, delta, improve)
        top = star[states].max(axis=1)
        out[i] = float(np.max((top - star[states, greedy[i, states]]) / np.abs(top)))
    return out


@dataclass(frozen=True)
class CycleOutcome:
    """Greedy play's limit cycle: its states, profit gain, prices, and the equilibrium check.

    ``best_reply_gap[i]`` is seller i's relative gain from its best reply on the cycle, and
    ``one_shot_gap[i]`` from its best one-period deviation followed by its greedy strategy
    (:func:`best_reply_gaps`); below ``1e-9`` a gap counts as none.
    """

    states: np.ndarray
    delta: float
    delta_by_seller: np.ndarray
    price: np.ndarray
    profit: np.ndarray
    best_reply_gap: np.ndarray
    one_shot_gap: np.ndarray

    @property
    def length(self) -> int:
        return int(self.states.shape[0])

    @property
    def is_nash(self) -> bool:
        return bool(np.all(self.best_reply_gap <= _BEST_REPLY_TOLERANCE))

    @property
    def one_shot_proof(self) -> bool:
        """No seller gains from a one-period deviation anywhere on the cycle."""
        return bool(np.all(self.one_shot_gap <= _BEST_REPLY_TOLERANCE))


def cycle_outcome(profit: np.ndarray, greedy: np.ndarray, grid: np.ndarray, start: int, benchmarks: Benchmarks,
                  delta: float) -> CycleOutcome:
    """Follow greedy play from ``start`` to its limit cycle and measure it (see the module docstring)."""
    n, m = greedy.shape[0], grid.shape[0]
    states = limit_cycle(successor(greedy, m), start)
    mean_profit = profit[states].mean(axis=0)
    index = np.array([decode(s, n, m) for s in states])
    nash, monopoly = benchmarks.nash_profit, benchmarks.monopoly_profit
    industry_nash, industry_monopoly = nash.sum(), monopoly.sum()
    return CycleOutcome(
        states=states,
        delta=float((mean_profit.sum() - industry_nash) / (industry_monopoly - industry_nash)),
        delta_by_seller=(mean_profit - nash) / (monopoly - nash),
        price=grid[index].mean(axis=0), profit=mean_profit,
        best_reply_gap=best_reply_gaps(states, profit, greedy, m, delta),
        one_shot_gap=best_reply_gaps(states, profit, greedy, m, delta, improve=False))


@dataclass(frozen=True)
class Impulse:
    """One forced deviation: ``price`` and ``profit`` of shape (periods + 1, n), row 0 the pre-shock
    period; ``gain`` the deviator's discounted gain (negative: the deviation does not pay)."""

    price: np.ndarray
    profit: np.ndarray
    gain: float

    @property
    def profitable(self) -> bool:
        return self.gain > 1e-12


def impulse_response(profit: np.ndarray, greedy: np.ndarray, grid: np.ndarray, start: int, deviator: int,
                     delta: float, periods: int = IMPULSE_PERIODS) -> Impulse:
    """Force ``deviator`` to its static best response on the grid for one period from state ``start``."""
    n, _ = greedy.shape
    m = grid.shape[0]
    succ = successor(greedy, m)
    rivals = greedy[:, start].copy()
    options = np.repeat(rivals[None, :], m, axis=0)
    options[:, deviator] = np.arange(m)
    weight = m ** np.arange(n - 1, -1, -1, dtype=np.int64)
    candidates = options @ weight
    shocked = int(candidates[np.argmax(profit[candidates, deviator])])
    path = np.empty(periods + 1, dtype=np.int64)
    path[0], path[1] = start, shocked
    for t in range(2, periods + 1):
        path[t] = succ[path[t - 1]]
    index = np.array([decode(s, n, m) for s in path])
    value = np.empty(succ.shape[0])
    policy_values(profit[succ, deviator], succ, delta, value)
    deviation = profit[shocked, deviator] + delta * value[shocked]
    return Impulse(price=grid[index], profit=profit[path], gain=float(deviation - value[start]))


@dataclass(frozen=True)
class Deviations:
    r"""One-period deviations to the static best response, by every seller from every cycle state (rows
    ``[seller, cycle state]``), measured as Calvano et al.'s package does (``DetailedAnalysis.f90``, and the R
    scripts of their online appendix's tables: columns IC, IR and punishment length).

    ``incentive_compatible``: :math:`Q_i^g(s, a^{BR}) < Q_i^g(s, g_i(s))`, strictly; ``price_response``: the
    non-deviators' relative price change from the deviation period :math:`\tau = 1` to :math:`\tau = 2`
    (their mean); ``punishment_length``: the period, counting the deviation's as 1, at which play is back on
    the pre-deviation cycle, or, where it settles on another cycle, the first period of that cycle's state
    (the package's ``ShockLength``).
    """

    incentive_compatible: np.ndarray
    price_response: np.ndarray
    punishment_length: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.incentive_compatible.size)


def deviations(profit: np.ndarray, greedy: np.ndarray, grid: np.ndarray, states: np.ndarray,
               delta: float) -> Deviations:
    """Every seller's deviation from every state of the limit cycle ``states`` (see :class:`Deviations`)."""
    n, m = greedy.shape[0], grid.shape[0]
    succ = successor(greedy, m)
    weight = m ** np.arange(n - 1, -1, -1, dtype=np.int64)
    on_cycle = set(states.tolist())
    compatible = np.zeros((n, states.shape[0]), dtype=np.bool_)
    response = np.zeros((n, states.shape[0]))
    length = np.zeros((n, states.shape[0]), dtype=np.int64)
    for i in range(n):
        q = best_reply_q(profit, greedy, i, m, delta, False)
        for k, s in enumerate(states):
            options = np.repeat(greedy[:, s][None, :], m, axis=0)
            options[:, i] = np.arange(m)
            candidates = options @ weight
            best = int(np.argmax(profit[candidates, i]))
            compatible[i, k] = q[s, best] < q[s, greedy[i, s]]
            shocked = int(candidates[best])
            before, after = grid[decode(shocked, n, m)], grid[decode(int(succ[shocked]), n, m)]
            response[i, k] = np.mean(np.delete((after - before) / before, i))
            length[i, k] = _shock_length(succ, shocked, on_cycle)
    return Deviations(compatible, response, length)


def _shock_length(succ: np.ndarray, shocked: int, on_cycle: set) -> int:
    """Periods from the deviation (period 1, state ``shocked``) to the first state on the pre-deviation cycle,
    or, if play first repeats a state off it, the period at which that state was first visited."""
    visited = {}
    s, period = shocked, 1
    while True:
        if s in on_cycle:
            return period
        if s in visited:
            return visited[s]
        visited[s] = period
        s, period = int(succ[s]), period + 1

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
  programme against the rivals' fixed greedy strategies,

  .. math::  Q_i^*(s, a) = \pi_i(s') + \delta \max_b Q_i^*(s', b), \quad s' = (a, g_{-i}(s)),

  found by value iteration; the outcome is a Nash equilibrium of the repeated game (on path)
  when every seller best-responds;
* **impulse response**: in cycle state :math:`s_1` the deviator plays its static best response
  on the grid to the rivals' greedy actions for one period, then everyone plays greedily; the
  deviation's discounted gain is :math:`V^{dev} - V^{base}` with
  :math:`V(s) = \sum_{t \ge 0} \delta^t \pi_i(\sigma^{t+1}(s))` summed exactly (the path ends
  in a cycle, summed as a geometric series).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from market.benchmarks import Benchmarks

IMPULSE_PERIODS = 25
_VALUE_TOLERANCE = 1e-11
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
def path_value(reward, succ, start, delta):
    r""":math:`\sum_{t\ge 0} \delta^t\, r(\sigma^{t+1}(s))` from ``start``: exact, the tail cycle as a geometric sum."""
    order = np.full(succ.shape[0], -1, dtype=np.int64)
    discounted = np.empty(succ.shape[0] + 1)
    total = 0.0
    weight = 1.0
    s = start
    k = 0
    while order[s] < 0:
        order[s] = k
        s = succ[s]
        discounted[k] = total
        total += weight * reward[s]
        weight *= delta
        k += 1
    head = discounted[order[s]]
    return head + (total - head) / (1.0 - delta ** (k - order[s]))


@njit(cache=True)
def best_reply_q(profit, greedy, i, m, delta, start):
    """:math:`Q_i^*` (shape (S, m)) by value iteration from ``start`` (e.g. the learned table)."""
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
    q = start.copy()
    value = np.empty(n_states)
    while True:
        for s in range(n_states):
            value[s] = np.max(q[s])
        change = 0.0
        for s in range(n_states):
            for a in range(m):
                new = profit[nxt[s, a], i] + delta * value[nxt[s, a]]
                change = max(change, abs(new - q[s, a]))
                q[s, a] = new
        if change < _VALUE_TOLERANCE * (1.0 - delta):
            return q


def best_reply_gaps(states: np.ndarray, profit: np.ndarray, greedy: np.ndarray, q: np.ndarray,
                    delta: float) -> np.ndarray:
    r"""Per seller, the largest relative gain from a best reply in any of ``states``:
    :math:`\max_s [\max_a Q_i^*(s,a) - Q_i^*(s, g_i(s))] / \max_a Q_i^*(s,a)` (0: greedy play is a best reply)."""
    n, _, m = q.shape
    out = np.empty(n)
    for i in range(n):
        star = best_reply_q(profit, greedy, i, m, delta, q[i])
        top = star[states].max(axis=1)
        out[i] = float(np.max((top - star[states, greedy[i, states]]) / np.abs(top)))
    return out


@dataclass(frozen=True)
class CycleOutcome:
    """Greedy play's limit cycle: its states, profit gain, prices, and the equilibrium check.

    ``best_reply_gap[i]`` is seller i's relative gain from its best reply on the cycle
    (:func:`best_reply_gaps`); below ``1e-9`` it counts as a best reply.
    """

    states: np.ndarray
    delta: float
    delta_by_seller: np.ndarray
    price: np.ndarray
    profit: np.ndarray
    best_reply_gap: np.ndarray

    @property
    def length(self) -> int:
        return int(self.states.shape[0])

    @property
    def is_nash(self) -> bool:
        return bool(np.all(self.best_reply_gap <= _BEST_REPLY_TOLERANCE))


def cycle_outcome(profit: np.ndarray, greedy: np.ndarray, q: np.ndarray, grid: np.ndarray, start: int,
                  benchmarks: Benchmarks, delta: float) -> CycleOutcome:
    """Follow greedy play from ``start`` to its limit cycle and measure it (see the module docstring)."""
    n, _, m = q.shape
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
        best_reply_gap=best_reply_gaps(states, profit, greedy, q, delta))


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
    reward = np.ascontiguousarray(profit[:, deviator])
    deviation = reward[shocked] + delta * path_value(reward, succ, shocked, delta)
    return Impulse(price=grid[index], profit=profit[path], gain=float(deviation - path_value(reward, succ, start,
                                                                                              delta)))

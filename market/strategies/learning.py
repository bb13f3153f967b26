r"""Learning sellers in the engine: Q-learning (simultaneous and sequential), bandits, a price-leadership prober.

Each learner prices on its own grid and keeps a table ``q`` (a 2-D view into the engine's
table pool, shape :func:`table_shape`) and four memory slots. When it reprices at tick
:math:`t` the engine (through :func:`market.strategies.dispatch.learner_price`) calls its
``observe`` kernel, ``observe(observed, rival_min, grid)``, for the row of its table, and then its
kernel, ``kernel(q, grid, param, memory, state_index, reward, rival_min, seed, t, seller, learn)``, with

* ``state_index``: what it observes. Q-learning: the profile of all sellers' grid indices
  seen (rivals' prices of tick :math:`t-1-\text{lag}`, mapped to the nearest point of this
  seller's grid, own last price included), numbered in mixed radix with seller 0 most
  significant (:func:`profile_index`); Klein: the grid index of the lowest observed rival price;
* ``reward``: its mean profit per tick since its previous repricing;
* ``rival_min``: the lowest observed rival price (the prober's signal).

The kernel credits ``reward`` to the previous (state, action) and returns the new price.
The Q-learners' update is the one of the replication kernels (:func:`market.learning.qlearning.q_update`),
and their defaults are Calvano's and Klein's there (``CALVANO``, ``KLEIN``).
Memory slots: Q-learners ``(last state, last action, repricings so far)``; bandits
``(last action, pulls so far)``; the prober ``(mode, base price, price, repricings in mode)``.
Random draws are ``uniform(seed, STREAM_LEARNING, t, seller, k)``, ``k = 0, 1``.

Updates (:math:`s` previous state, :math:`a` previous action, :math:`s'` the new state, :math:`r` reward):

* ``qlearning`` (Calvano et al. 2020): :math:`Q(s,a) \mathrel{+}= \alpha[r + \delta\max_b Q(s',b) - Q(s,a)]`,
  exploration :math:`\varepsilon = e^{-\beta t}`;
* ``klein_qlearning`` (Klein 2021): :math:`Q(s,a) \mathrel{+}= \alpha[(1+\delta) r + \delta^2\max_b Q(s',b)
  - Q(s,a)]`, :math:`\varepsilon = (1-\theta)^t`. Repricing every second tick, :math:`(1+\delta) r` stands
  for Klein's :math:`\pi_t + \delta\pi_{t+1}` (they differ by :math:`(1-\delta)(\pi_t-\pi_{t+1})/2`);
  :mod:`market.learning.klein` has the exact form;
* ``epsilon_greedy``: value :math:`v_a \mathrel{+}= \eta (r - v_a)` with :math:`\eta = \alpha`, or
  :math:`1/n_a` (sample mean) when :math:`\alpha = 0`; explore with :math:`\varepsilon_0 e^{-\lambda t}`;
* ``ucb`` (UCB1, Auer, Cesa-Bianchi and Fischer 2002): untried prices first, then
  :math:`\arg\max_a v_a + c\sqrt{2\ln N / n_a}`;
* ``price_leadership``: raise the price by ``step``; keep the rise if the lowest rival price
  reaches it (less ``slack``) within ``window`` repricings, else revert; wait ``cooldown``
  repricings between probes.
"""

import numpy as np
from numba import njit

from market.benchmarks import StaticGame, price_grid
from market.jit import inner_kernel, tick_kernel
from market.learning.qlearning import CALVANO, KLEIN, initial_q, profit_table, q_update
from market.rng import STREAM_LEARNING, uniform
from market.strategies.registry import Param, StrategySpec, register

_GRID = (Param("m", CALVANO["m"], 2, 100, "prices on the grid"),
         Param("xi", CALVANO["xi"], 0.0, 1.0, "grid widening beyond the Nash and monopoly prices"))
_ALPHA = 1e-9  # lowest learning rate allowed: alpha is in (0, 1]
_HOLD, _PROBE = 1.0, 2.0


@tick_kernel
def nearest_index(grid, price):
    """Index of the grid point nearest ``price`` (``grid`` increasing)."""
    k = np.searchsorted(grid, price)
    if k == 0:
        return 0
    if k == grid.shape[0]:
        return k - 1
    return k if grid[k] - price < price - grid[k - 1] else k - 1


@tick_kernel
def profile_index(price, grid):
    r"""Mixed-radix number of the profile of nearest grid indices, :math:`\sum_j a_j m^{n-1-j}`."""
    s = 0
    for j in range(price.shape[0]):
        s = s * grid.shape[0] + nearest_index(grid, price[j])
    return s


@njit(cache=True, inline="always")
def _argmax(row):
    top = 0
    for b in range(1, row.shape[0]):
        if row[b] > row[top]:
            top = b
    return top


@tick_kernel
def _q_step(q, memory, s, reward, discount, horizon, alpha, epsilon, seed, t, seller, learn):
    """Credit ``horizon * reward + discount * max Q(s)`` to the previous pair; choose epsilon-greedily.
    Frozen (``learn`` false): no update, the greedy action."""
    if memory[2] > 0 and learn:
        s0, a0 = int(memory[0]), int(memory[1])
        q[s0, a0] = q_update(q[s0, a0], horizon * reward + discount * q[s, _argmax(q[s])], alpha)
    if learn and uniform(seed, STREAM_LEARNING, t, seller, 0) < epsilon:
        a = int(uniform(seed, STREAM_LEARNING, t, seller, 1) * q.shape[1])
    else:
        a = _argmax(q[s])
    memory[0] = s
    memory[1] = a
    memory[2] += 1
    return a


@tick_kernel
def _bandit_step(q, param, memory, reward, seed, t, seller, ucb, learn):
    """Update the pulled arm's value and count (rows 0, 1), then choose the next arm.
    Frozen (``learn`` false): no update, the arm of highest value."""
    if memory[1] > 0 and learn:
        a0 = int(memory[0])
        q[1, a0] += 1.0
        step = 1.0 / q[1, a0] if ucb or param[2] == 0.0 else param[2]
        q[0, a0] += step * (reward - q[0, a0])
    if not learn:
        a = _argmax(q[0])
    elif ucb:
        a = _ucb_arm(q, param[0], memory[1])
    elif uniform(seed, STREAM_LEARNING, t, seller, 0) < param[0] * np.exp(-param[1] * t):
        a = int(uniform(seed, STREAM_LEARNING, t, seller, 1) * q.shape[1])
    else:
        a = _argmax(q[0])
    memory[0] = a
    memory[1] += 1
    return a


@njit(cache=True, inline="always")
def _ucb_arm(q, c, pulls):
    """The lowest-index untried arm, else the arm with the highest upper confidence bound."""
    top = 0
    bound = -np.inf
    for a in range(q.shape[1]):
        if q[1, a] == 0.0:
            return a
        b = q[0, a] + c * np.sqrt(2.0 * np.log(pulls) / q[1, a])
        if b > bound:
            top, bound = a, b
    return top


@inner_kernel
def observe_profile(observed, rival_min, grid):
    """Q-learning's state: the profile of everyone's prices seen (:func:`profile_index`)."""
    return profile_index(observed, grid)


@inner_kernel
def observe_rival(observed, rival_min, grid):
    """Klein's state: the grid index of the lowest rival price seen."""
    return nearest_index(grid, rival_min)


@inner_kernel
def observe_nothing(observed, rival_min, grid):
    """Bandits and the prober have one state."""
    return 0


@inner_kernel
def qlearning(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn):
    """Calvano's Q-learner; param = (alpha, beta, delta, m, xi)."""
    return grid[_q_step(q, memory, state, reward, param[2], 1.0, param[0], np.exp(-param[1] * t), seed, t, seller,
                        learn)]


@inner_kernel
def klein_qlearning(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn):
    """Klein's sequential Q-learner; param = (alpha, theta, delta, m, xi)."""
    delta = param[2]
    return grid[_q_step(q, memory, state, reward, delta * delta, 1.0 + delta, param[0], (1.0 - param[1]) ** t, seed,
                        t, seller, learn)]


@inner_kernel
def epsilon_greedy(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn):
    """param = (epsilon, decay, alpha, m, xi)."""
    return grid[_bandit_step(q, param, memory, reward, seed, t, seller, False, learn)]


@inner_kernel
def ucb(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn):
    """param = (c, m, xi)."""
    return grid[_bandit_step(q, param, memory, reward, seed, t, seller, True, learn)]


@inner_kernel
def price_leadership(q, grid, param, memory, state, reward, rival_min, seed, t, seller, learn):
    """Price-leadership prober; param = (step, window, cooldown, slack, floor, ceiling). It has no table."""
    step, window, cooldown, slack, floor, ceiling = param[0], param[1], param[2], param[3], param[4], param[5]
    if memory[0] == 0.0:
        start = ceiling if rival_min == np.inf else rival_min
        memory[0], memory[2], memory[3] = _HOLD, min(max(start, floor), ceiling), 0.0
    if memory[0] == _PROBE:
        memory[3] += 1.0
        if rival_min >= memory[2] - slack - 1e-9:
            memory[0], memory[3] = _HOLD, 0.0
        elif memory[3] >= window:
            memory[0], memory[2], memory[3] = _HOLD, memory[1], 0.0
        return memory[2]
    if memory[3] >= cooldown and memory[2] < ceiling:
        memory[0], memory[1], memory[2], memory[3] = _PROBE, memory[2], min(memory[2] + step, ceiling), 0.0
    else:
        memory[3] += 1.0
    return memory[2]


QLEARNING = register(StrategySpec(
    name="qlearning",
    doc="Q-learning on a price grid with memory one (state: everyone's last prices); Calvano's baseline.",
    source="Calvano, Calzolari, Denicolò and Pastorello (2020), American Economic Review 110(10).",
    kernel=qlearning, observe=observe_profile, family="learner",
    params=(Param("alpha", CALVANO["alpha"], _ALPHA, 1.0, "learning rate"),
            Param("beta", CALVANO["beta"], 0.0, 1.0, "exploration decay: epsilon = exp(-beta t)"),
            Param("delta", CALVANO["delta"], 0.0, 0.999999, "discount factor per repricing"), *_GRID),
    uses_rival_prices=True, stochastic=True, learns=True, memory=3))

KLEIN_QLEARNING = register(StrategySpec(
    name="klein_qlearning",
    doc="Sequential Q-learning: state is the rival's standing price; sellers alternate (period 2, phases 0/1).",
    source="Klein (2021), RAND Journal of Economics 52(3), 538-558.",
    kernel=klein_qlearning, observe=observe_rival, family="learner",
    params=(Param("alpha", KLEIN["alpha"], _ALPHA, 1.0, "learning rate"),
            Param("theta", KLEIN["theta"], 0.0, 0.999999, "exploration decay: epsilon = (1 - theta)^t"),
            Param("delta", KLEIN["delta"], 0.0, 0.999999, "discount factor per tick"),
            Param("m", KLEIN["k"] + 1, 2, 100, "prices on the grid (Klein: k + 1 = 7)"), _GRID[1]),
    uses_rival_prices=True, stochastic=True, learns=True, memory=3))

EPSILON_GREEDY = register(StrategySpec(
    name="epsilon_greedy",
    doc="Bandit over the price grid: the best price so far, or a random one with probability epsilon.",
    source="Sutton and Barto (2018), Reinforcement Learning, ch. 2; in pricing, Hansen, Misra and Pai (2021).",
    kernel=epsilon_greedy, observe=observe_nothing, family="learner",
    params=(Param("epsilon", 0.1, 0.0, 1.0, "initial exploration probability"),
            Param("decay", 0.0, 0.0, 1.0, "exploration decay: epsilon exp(-decay t)"),
            Param("alpha", 0.0, 0.0, 1.0, "step size; 0 = sample mean"), *_GRID),
    stochastic=True, learns=True, memory=2))

UCB = register(StrategySpec(
    name="ucb",
    doc="UCB1 bandit over the price grid: optimism in the face of uncertainty.",
    source="Auer, Cesa-Bianchi and Fischer (2002), Machine Learning 47; in pricing, Hansen, Misra and Pai (2021).",
    kernel=ucb, observe=observe_nothing, family="learner",
    params=(Param("c", 0.1, 0.0, 1e6, "exploration bonus, in units of profit per tick"), *_GRID),
    learns=True, memory=2))

PRICE_LEADERSHIP = register(StrategySpec(
    name="price_leadership",
    doc="Raise the price by a step; keep the rise if rivals follow within a window, else revert.",
    source="Price leadership: Markham (1951), American Economic Review; Rotemberg and Saloner (1990), RES.",
    kernel=price_leadership, observe=observe_nothing, family="learner",
    params=(Param("step", 0.05, 0.0, 1e6, "size of a probe, in currency units", tune=(0.0, 0.25)),
            Param("window", 3, 1, 1e6, "repricings to wait for rivals to follow", tune=(1, 48), integer=True),
            Param("cooldown", 6, 0, 1e6, "repricings between probes", tune=(0, 48), integer=True),
            Param("slack", 0.0, 0.0, 1e6, "rivals follow if their lowest price is within this of ours",
                  tune=(0.0, 0.1)),
            Param("floor", "nash", 0.0, 1e9, "lowest price", is_price=True, tune=("cost", "monopoly")),
            Param("ceiling", "monopoly", 0.0, 1e9, "highest price", is_price=True, tune=("cost", "monopoly"))),
    uses_rival_prices=True, memory=4))

_TABLE_ROWS = {"qlearning": lambda m, n: m**n, "klein_qlearning": lambda m, n: m}


def seller_grid(spec: StrategySpec, param: np.ndarray, nash_price, monopoly_price) -> np.ndarray:
    """The seller's price grid (Calvano's, :func:`market.benchmarks.price_grid`); empty for the prober."""
    if spec is PRICE_LEADERSHIP:
        return np.zeros(0)
    return price_grid(nash_price, monopoly_price, int(spec.value(param, "m")), spec.value(param, "xi"))


def table_shape(spec: StrategySpec, param: np.ndarray, n_sellers: int) -> tuple[int, int]:
    """Rows and columns of the seller's table: Q-learning (m^n, m); Klein (m, m); bandits (2, m):
    row 0 values, row 1 pull counts; the prober (0, 0)."""
    if spec is PRICE_LEADERSHIP:
        return 0, 0
    m = int(spec.value(param, "m"))
    return _TABLE_ROWS.get(spec.name, lambda m, n: 2)(m, n_sellers), m


def initial_table(spec: StrategySpec, param: np.ndarray, seller: int, game: StaticGame,
                  grid: np.ndarray) -> np.ndarray:
    """Starting table: Calvano's :math:`Q^0` for ``qlearning`` (rivals uniform on this seller's grid), else zeros."""
    shape = table_shape(spec, param, game.n_sellers)
    if spec is not QLEARNING:
        return np.zeros(shape)
    return initial_q(profit_table(game, grid), grid.shape[0], spec.value(param, "delta"))[seller]

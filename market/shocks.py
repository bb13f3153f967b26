r"""Cost and demand shocks, common to the market and of each seller, applied between ticks of a run.

Shocks arrive at random ticks (gaps exponential with mean ``every`` ticks, rounded up). At the
:math:`k`-th arrival the log cost factor of seller :math:`i` and its quality shift move as AR(1)
processes,

.. math:: z^c_k = \rho z^c_{k-1} + \sigma^c_{\text{common}} \varepsilon_k + \dots, \qquad
          c_{ik} = c_i \exp(z^c_k + z^c_{ik}), \qquad a_{ik} = a_i + z^a_k + z^a_{ik},

with :math:`z^c_{ik} = \rho z^c_{i,k-1} + \sigma^c_{\text{own}} \varepsilon_{ik}` (and the same for
qualities), standard normal :math:`\varepsilon`, and everything at 0 before the first arrival.
Between arrivals costs and qualities stand. A cost shock moves what the seller pays
(``market.cost``, the first-order conditions' :math:`\kappa`, the industry's cost) and the price
parameters that its scenario sets at ``"cost"`` (a floor at cost follows it); a quality shock moves
demand, which best responders see. Draws come from ``numpy.random.default_rng(seed)``, so a path is
a pure function of (shocks, sellers, ticks, seed) and a run with it is as reproducible as without.
"""

from dataclasses import dataclass

import numpy as np

from market import engine
from market.scenario import Scenario
from market.state import State
from market.strategies import get


@dataclass(frozen=True)
class Shocks:
    """How shocks arrive and how large they are (module docstring); all sizes 0: no shock."""

    every: float = 24.0
    cost_common: float = 0.0
    cost_own: float = 0.0
    demand_common: float = 0.0
    demand_own: float = 0.0
    persistence: float = 0.9


@dataclass(frozen=True)
class Path:
    """Shocks drawn for a run: at ``tick[k]`` seller ``i``'s cost becomes ``cost_factor[k, i]`` times its
    scenario cost and its quality its scenario quality plus ``quality_shift[k, i]``."""

    tick: np.ndarray
    cost_factor: np.ndarray
    quality_shift: np.ndarray


def draw(shocks: Shocks, n_sellers: int, n_ticks: int, seed: int) -> Path:
    """The path of ``shocks`` over ``n_ticks`` ticks for ``n_sellers`` sellers (module docstring)."""
    rng = np.random.default_rng(seed)
    gaps = np.ceil(rng.exponential(shocks.every, size=int(4 * n_ticks / max(shocks.every, 1.0)) + 8)).astype(np.int64)
    tick = np.cumsum(np.maximum(gaps, 1))
    tick = tick[tick < n_ticks]
    k = tick.size
    eps = rng.standard_normal((k, 2, n_sellers + 1))
    z = np.zeros((k, 2, n_sellers + 1))
    scale = np.array([[shocks.cost_common, *[shocks.cost_own] * n_sellers],
                      [shocks.demand_common, *[shocks.demand_own] * n_sellers]])
    previous = np.zeros((2, n_sellers + 1))
    for j in range(k):
        previous = shocks.persistence * previous + scale * eps[j]
        z[j] = previous
    cost = np.exp(z[:, 0, :1] + z[:, 0, 1:])
    quality = z[:, 1, :1] + z[:, 1, 1:]
    return Path(tick=tick, cost_factor=cost, quality_shift=quality)


def run(state: State, scenario: Scenario, path: Path, n_ticks: int) -> State:
    """Advance ``state`` (a market of ``scenario``) by ``n_ticks`` ticks, applying the shocks of ``path`` whose
    ticks (counted from the state's current tick) fall in that span, each before its tick runs."""
    start = state.t
    base_cost = np.array([s.cost for s in scenario.sellers])
    base_quality = np.array([s.quality for s in scenario.sellers])
    at_cost = _cost_slots(scenario)
    for k, tick in enumerate(path.tick):
        if tick >= n_ticks:
            break
        engine.advance(state, start + int(tick) - state.t)
        _set_costs(state, base_cost * path.cost_factor[k], at_cost)
        state.market.quality[:] = base_quality + path.quality_shift[k]
    engine.advance(state, start + n_ticks - state.t)
    return state


def _cost_slots(scenario: Scenario) -> list[list[int]]:
    """For each seller, the slots of its parameter row that its scenario sets at ``"cost"``."""
    slots = []
    for seller in scenario.sellers:
        spec = get(seller.strategy)
        slots.append([k for k, p in enumerate(spec.params) if seller.params.get(p.name, p.default) == "cost"])
    return slots


def _set_costs(state: State, own_cost: np.ndarray, at_cost: list[list[int]]) -> None:
    """Each seller's own cost becomes ``own_cost``: what it pays, the first-order conditions' kappa, the industry's
    cost and its parameters set at cost move by the same amount."""
    market = state.market
    delta = own_cost - market.own_cost
    market.own_cost[:] = own_cost
    market.cost[:] += delta
    market.true_cost[:] += delta
    _in_place(market.kappa)[:] += delta[None, :]
    for i, slots in enumerate(at_cost):
        for k in slots:
            state.sellers.param[i, k] += delta[i]


def _in_place(array: np.ndarray) -> np.ndarray:
    """``array`` to write into: itself, or the writeable array of the same layout that a read-only view shows (the
    static game hands the engine its ``kappa`` as such a view, and numba types the engine's arrays by that flag,
    so the view stays read-only and the change is made beneath it)."""
    if array.flags.writeable:
        return array
    base = array.base
    if isinstance(base, np.ndarray) and base.flags.writeable and base.shape == array.shape and \
            base.strides == array.strides and base.ctypes.data == array.ctypes.data:
        return base
    raise ValueError("a market array to shock is read-only and not a view of a writeable one")

"""Static benchmarks: best responses, Nash equilibria and joint-profit optima, price grids.

* :mod:`market.benchmarks.solver`: the numba kernels of the game with fixed weights (best response,
  joint-profit ascent, profits), their first-order conditions in its docstring;
* :mod:`market.benchmarks.game`: :class:`StaticGame`, :class:`Benchmarks`, :func:`solve`, :func:`price_grid`;
* :mod:`market.benchmarks.ownership`: multi-product firms (co-owned sellers maximise joint profit);
* :mod:`market.benchmarks.display`: the platform's display rule (the featured offer's attention, self-preference,
  price-directed prominence): best responses across the featured offer's threshold, a leader's price;
* :mod:`market.benchmarks.display_game`: the benchmarks under the display rule.
"""

from market.benchmarks.display import leader_price
from market.benchmarks.game import Benchmarks, StaticGame, joint_profit_prices, nash_equilibrium, price_grid, solve
from market.benchmarks.solver import best_response

__all__ = ["Benchmarks", "StaticGame", "best_response", "joint_profit_prices", "leader_price", "nash_equilibrium",
           "price_grid", "solve"]

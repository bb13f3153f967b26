r"""Nash and joint-profit benchmarks under the platform's display rule (:mod:`market.benchmarks.display`).

**Nash.** A pure-strategy Nash equilibrium is a profile at which no seller's supremum (its best response's,
across every threshold of the featured offer) exceeds its firm's profit by more than a relative
:math:`10^{-9}`. Candidates: for every listed seller :math:`f`, the equilibrium of the smooth game in which
:math:`f` is featured (:math:`f` must then hold the featured offer); under ``pdp`` and ``dynamic_pdp``, every
listed offer at the lowest break-even price (Bertrand). Where several pass, the one of highest industry
profit is reported: Delta is then the smallest over the equilibria, so no collusion is read into an outcome
that a static equilibrium explains. (In markets of more than ``CANDIDATES`` listed sellers, those of lowest judged
break-even price are tried as the featured one, here and for the joint optimum.)

Where none passes, no equilibrium in pure prices exists: the jump makes undercutting pay until a seller
prefers to stop, as in Bertrand-Edgeworth. Best responses are then played in turn (Gauss-Seidel, undercutting
by the step of :mod:`market.benchmarks.display`) from the display-blind Nash prices, for a number of sweeps that
falls with the number of listed sellers (each sweep, each of them can undercut once). They either settle one
step from a limit profile (``"step"``: Bertrand with unequal break-even prices, whose limit is not attained), or
cycle (``"cycle"``: Edgeworth cycles, Maskin and Tirole 1988). The Nash figures are then the time means of that
play over whole cycles (from the first reset after a burn-in to the last), what myopic best responders earn on
average, and the bounds are the lowest and highest prices and industry profits on the cycles (in
Bertrand-Edgeworth games the mixed equilibrium's prices lie between such bounds; Maskin 1986).

**Joint profit.** The best, over who is featured (and, under ``pdp``, every listed offer tied at one price,
all shown), of industry profit :math:`\sum_i (p_i - c_i) q_i` with those weights and the featured seller's
judged price lowest: the unconstrained optimum of the smooth game where it satisfies that (coordinate ascent),
else the constrained optimum (SLSQP with the analytic gradient
:math:`\partial\Pi/\partial p_i = \sum_k W_k s_{ki}[1 - ((p_i - c_i) - \sum_j (p_j - c_j) s_{kj})/\mu]`).
Offers that nobody sees (not featured under ``dynamic_pdp``) are priced at the featured price, just above it.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from market.benchmarks.display import (
    UNDERCUT,
    DisplayMarket,
    display_best_response,
    display_matters,
    featured_offer,
    offer_weights,
    work_arrays,
)
from market.benchmarks.game import Benchmarks, StaticGame, joint_profit_prices, nash_equilibrium, solve
from market.benchmarks.solver import _profit_of
from market.benchmarks.store import remembered
from market.demand import market_demand
from market.interventions import BUYBOX_DYNAMIC_PDP, BUYBOX_LOWEST, BUYBOX_PDP

GAIN_TOLERANCE = 1e-9    # a deviation gaining less than this share of the profit (and as much absolute) is none
BURN_IN_MOVES = 15_000   # moves of listed sellers' best responses before the cycle is measured (3 listed: 5,000 sweeps)
WINDOW_MOVES = 30_000    # ... over which it is measured: the price falls about one undercut a listed seller a sweep
CANDIDATES = 8           # the listed sellers of lowest judged break-even price tried as the featured one


@dataclass(frozen=True)
class Display:
    """The platform's display rule as the benchmarks see it (``market.scenario.Scenario.display``).

    ``on_platform`` bool[n] (listed), ``via_platform`` bool[segments, n] (the sales to a segment go through the
    platform), ``featured_attention``, ``platform_index`` (-1: none), ``self_preference`` (the rule in force)
    and ``buybox`` (``market.interventions.BUYBOX_LOWEST``, ``BUYBOX_PDP`` or ``BUYBOX_DYNAMIC_PDP``).
    """

    on_platform: np.ndarray
    via_platform: np.ndarray
    featured_attention: float
    platform_index: int = -1
    self_preference: float = 0.0
    buybox: int = BUYBOX_LOWEST

    def market(self, game: StaticGame) -> DisplayMarket:
        """The kernels' view of ``game`` under this display, with its firms' terms."""
        alpha, kappa, stake_share, stake_unit = game.objective
        return DisplayMarket(quality=game.quality, alpha=alpha, kappa=kappa, stake_share=stake_share,
                             stake_unit=stake_unit, visibility=game.visibility, segment_weight=game.segment_weight,
                             mu=game.mu, outside_quality=game.outside_quality,
                             on_platform=np.ascontiguousarray(self.on_platform, dtype=np.bool_),
                             via_platform=np.ascontiguousarray(self.via_platform, dtype=np.bool_),
                             featured_attention=float(self.featured_attention),
                             platform_index=int(self.platform_index))

    def matters(self, game: StaticGame) -> bool:
        """Whether the display moves demand (two listed offers or more, attention lost by those not featured)."""
        return bool(display_matters(self.market(game), self.buybox))

    def featured(self, price) -> int:
        """The offer featured at ``price`` (-1: none), ties to the lowest index."""
        return int(featured_offer(np.ascontiguousarray(price, dtype=np.float64), self.on_platform,
                                  self.platform_index, self.self_preference, self.buybox, -1, -1, None))

    def weights(self, game: StaticGame, price, featured: int | None = None) -> np.ndarray:
        """The offers' weights (segments, sellers) at ``price``, with ``featured`` featured (default: who wins)."""
        price = np.ascontiguousarray(price, dtype=np.float64)
        featured = self.featured(price) if featured is None else featured
        weight = np.empty_like(game.visibility)
        offer_weights(price, featured, self.buybox, self.market(game), None, weight)
        return weight

    def seen(self, game: StaticGame, price) -> StaticGame:
        """``game`` with the weights the display gives at ``price``."""
        return game.seen_with(self.weights(game, price))

    def best_response(self, game: StaticGame, i: int, price) -> tuple[float, float]:
        """Seller ``i``'s best response to ``price`` and the supremum of its firm's profit per tick."""
        work = work_arrays(*game.visibility.shape)
        p, supremum = display_best_response(i, np.ascontiguousarray(price, dtype=np.float64), self.market(game),
                                            self.buybox, self.self_preference, -1, work)
        return p, supremum * game.shoppers

    def regime(self, game: StaticGame, featured: int) -> StaticGame:
        """The smooth game in which ``featured`` holds the featured offer alone (no tie shown)."""
        price = np.zeros(game.n_sellers)
        price[featured] = -np.inf
        return game.seen_with(self.weights(game, price, featured))

    def key(self) -> bytes:
        return b"|".join([np.ascontiguousarray(self.on_platform).tobytes(),
                          np.ascontiguousarray(self.via_platform).tobytes(),
                          np.array([self.featured_attention, self.platform_index, self.self_preference,
                                    self.buybox], dtype=np.float64).tobytes()])


def deviation_gains(game: StaticGame, display: Display, price) -> np.ndarray:
    """Per seller: the supremum of its firm's profit per tick over its own prices, less its firm's profit at
    ``price`` (positive: a profitable deviation)."""
    price = np.ascontiguousarray(price, dtype=np.float64)
    now = display.seen(game, price).firm_profit(price)
    return np.array([display.best_response(game, i, price)[1] for i in range(game.n_sellers)]) - now


def is_equilibrium(game: StaticGame, display: Display, price) -> bool:
    """Whether no seller gains from any deviation, across the featured offer's thresholds (``GAIN_TOLERANCE``)."""
    price = np.ascontiguousarray(price, dtype=np.float64)
    now = display.seen(game, price).firm_profit(price)
    scale = GAIN_TOLERANCE * (1.0 + np.abs(now))
    return bool(np.all(deviation_gains(game, display, price) <= scale))


def solve_display(game: StaticGame, display: Display) -> Benchmarks:
    """Nash and joint-profit benchmarks of ``game`` under ``display`` (the module docstring); the game's own,
    marked ``display = False``, where the display moves no demand. Remembered for the game and the display, on
    disk too (:mod:`market.benchmarks.store`)."""
    if not display.matters(game):
        return solve(game)
    return remembered(_game_key(game) + b"|" + display.key(), lambda: _solve(game, display))


def _game_key(game: StaticGame) -> bytes:
    arrays = [game.cost, game.quality, game.alpha, game.kappa, game.stake_share, game.stake_unit, game.visibility,
              game.segment_weight, np.array([game.mu, game.outside_quality, game.shoppers]),
              np.zeros(0) if game.firm is None else game.firm]
    return b"|".join(np.ascontiguousarray(a).tobytes() for a in arrays)


def _solve(game: StaticGame, display: Display) -> Benchmarks:
    found = _equilibria(game, display)
    if found:
        nash = max(found, key=lambda price: display.seen(game, price).industry_profit(price))
        seen = display.seen(game, nash)
        nash_figures = {"nash_price": nash, "nash_profit": seen.profit(nash),
                        "nash_industry_profit": seen.industry_profit(nash), "featured_nash": display.featured(nash)}
    else:
        nash_figures = _best_response_play(game, display)
    monopoly, featured = _joint_optimum(game, display)
    seen = display.seen(game, monopoly)
    return Benchmarks(monopoly_price=monopoly, monopoly_profit=seen.profit(monopoly),
                      monopoly_industry_profit=seen.industry_profit(monopoly), featured_monopoly=featured,
                      display=True, **nash_figures)


def _equilibria(game: StaticGame, display: Display) -> list[np.ndarray]:
    """The candidates of the module docstring that are equilibria."""
    listed = np.flatnonzero(display.on_platform)
    candidates = []
    for f in _cheapest_listed(game, display):
        price = nash_equilibrium(display.regime(game, f))
        if display.featured(price) == f:
            candidates.append(price)
    if display.buybox in (BUYBOX_PDP, BUYBOX_DYNAMIC_PDP):
        candidates.append(_bertrand(game, display, listed))
    return [price for price in candidates if is_equilibrium(game, display, price)]


def _cheapest_listed(game: StaticGame, display: Display) -> np.ndarray:
    """The ``CANDIDATES`` listed sellers of lowest judged break-even price (what their firm keeps of a sale is zero),
    ties by index: those that can hold the featured offer at an equilibrium or the joint optimum (all, in markets
    of at most ``CANDIDATES`` listed sellers)."""
    listed = np.flatnonzero(display.on_platform)
    judged = _break_even(game)[listed] / _bias(display, game.n_sellers)[listed]
    return listed[np.argsort(judged, kind="stable")[:CANDIDATES]]


def _break_even(game: StaticGame) -> np.ndarray:
    """Each seller's price at which its firm keeps nothing of a sale, in the segments that see it (the highest)."""
    alpha, kappa, _, _ = game.objective
    return np.max(np.where(game.visibility > 0.0, kappa / alpha, -np.inf), axis=0)


def _bertrand(game: StaticGame, display: Display, listed: np.ndarray) -> np.ndarray:
    """Every listed offer at the lowest break-even price among them (what its firm keeps of a sale is then zero);
    the others' best responses to that (a few sweeps)."""
    price = nash_equilibrium(game)
    price[listed] = _break_even(game)[listed].min()
    unlisted = np.flatnonzero(~display.on_platform)
    for _ in range(100):
        before = price.copy()
        for i in unlisted:
            price[i] = display.best_response(game, i, price)[0]
        if np.allclose(price, before, rtol=1e-13, atol=0.0):
            break
    return price


@njit(cache=True)
def _play(start, market, own, cost, buybox, self_preference, burn_in, window, work):
    """Gauss-Seidel display-aware best responses from ``start``: return the prices and the sweeps run once a sweep
    moves no price (settled), else, after ``burn_in`` sweeps, each of ``window`` sweeps' prices, own profits
    (``own``: the sellers' own terms) and industry profit per shopper."""
    n = start.shape[0]
    price = start.copy()
    prices = np.empty((window, n))
    profits = np.empty((window, n))
    industry = np.empty(window)
    quantity = np.empty(n)
    alpha, kappa, stake_share, stake_unit = own
    for sweep in range(burn_in + window):
        change = 0.0
        size = 0.0
        for i in range(n):
            p = display_best_response(i, price, market, buybox, self_preference, -1, work)[0]
            change = max(change, abs(p - price[i]))
            size = max(size, abs(p))
            price[i] = p
        if change < 1e-12 * (1.0 + size):
            return price, sweep + 1, prices[:0], profits[:0], industry[:0]
        if sweep >= burn_in:
            w = sweep - burn_in
            prices[w] = price
            featured = featured_offer(price, market.on_platform, market.platform_index, self_preference, buybox, -1,
                                      -1, None)
            offer_weights(price, featured, buybox, market, None, work.weight)
            market_demand(price, market.quality, work.weight, market.segment_weight, market.mu,
                          market.outside_quality, quantity, work.demand[1], work.segment[0])
            industry[w] = np.sum((price - cost) * quantity)
            for i in range(n):
                profits[w, i] = _profit_of(i, price, market.quality, alpha, kappa, stake_share, stake_unit,
                                           work.weight, market.segment_weight, market.mu, market.outside_quality,
                                           work.demand[0], work.demand[1], work.segment[0])
    return price, burn_in + window, prices, profits, industry


def _best_response_play(game: StaticGame, display: Display) -> dict:
    """The Nash figures where no pure equilibrium exists: best responses' play (the module docstring)."""
    market = display.market(game)
    own = (game.alpha, game.kappa, game.stake_share, game.stake_unit)
    listed = max(int(np.sum(display.on_platform)), 1)
    price, sweeps, prices, profits, industry = _play(
        nash_equilibrium(game), market, own, game.cost, display.buybox, display.self_preference,
        -(-BURN_IN_MOVES // listed), -(-WINDOW_MOVES // listed), work_arrays(*game.visibility.shape))
    if prices.shape[0] == 0:
        seen = display.seen(game, price)
        return {"nash_price": price, "nash_profit": seen.profit(price), "nash": "step",
                "nash_industry_profit": seen.industry_profit(price), "featured_nash": display.featured(price)}
    cycles = _whole_cycles(prices, 100.0 * UNDERCUT * game.mu)
    prices, profits, industry = prices[cycles], profits[cycles], industry[cycles]
    return {"nash_price": prices.mean(axis=0), "nash_profit": game.shoppers * profits.mean(axis=0), "nash": "cycle",
            "nash_industry_profit": game.shoppers * float(industry.mean()),
            "nash_price_low": prices.min(axis=0), "nash_price_high": prices.max(axis=0),
            "nash_industry_profit_low": game.shoppers * float(industry.min()),
            "nash_industry_profit_high": game.shoppers * float(industry.max()), "featured_nash": -1}


def _whole_cycles(prices: np.ndarray, jump: float) -> slice:
    """The sweeps from the first reset (a price rising by more than ``jump``) to the last one that closes a whole
    number of cycles: the gaps between resets repeat with some period k (within 2 sweeps); all sweeps if none do."""
    resets = np.flatnonzero(np.any(np.diff(prices, axis=0) > jump, axis=1)) + 1
    gaps = np.diff(resets)
    for k in range(1, gaps.shape[0] // 2 + 1):
        if np.all(np.abs(gaps[k:] - gaps[:-k]) <= 2):
            return slice(resets[0], resets[(gaps.shape[0] // k) * k])
    return slice(0, prices.shape[0])


def _joint_optimum(game: StaticGame, display: Display) -> tuple[np.ndarray, int]:
    """The joint-profit optimum over who is featured (the module docstring) and the seller featured there."""
    options = []
    for f in _cheapest_listed(game, display):
        regime = display.regime(game, f)
        price = _unseen_at_featured(regime, display, f, joint_profit_prices(regime))
        if display.featured(price) != f:
            price = _constrained_joint(regime, display, f, price)
        options.append((regime.industry_profit(price), int(f), price))
    if display.buybox == BUYBOX_PDP:
        price = _tied_joint(game, display)
        options.append((game.industry_profit(price), display.featured(price), price))
    _, featured, price = max(options, key=lambda option: option[0])
    return price, featured


def _unseen_at_featured(regime: StaticGame, display: Display, f: int, price: np.ndarray) -> np.ndarray:
    """Listed offers that nobody sees in ``regime`` priced just above the featured one (their price moves nothing)."""
    price = price.copy()
    unseen = display.on_platform & np.all(regime.visibility == 0.0, axis=0)
    unseen[f] = False
    price[unseen] = np.nextafter(_tie_prices(display, f, price)[unseen], np.inf)
    return price


def _bias(display: Display, n: int) -> np.ndarray:
    """Each seller's price over its judged price: 1 + self_preference for the platform, else 1."""
    bias = np.ones(n)
    if display.platform_index >= 0:
        bias[display.platform_index] = 1.0 + display.self_preference
    return bias


def _tie_prices(display: Display, f: int, price: np.ndarray) -> np.ndarray:
    """Each seller's price at which its judged price equals the judged price of ``f``."""
    bias = _bias(display, price.shape[0])
    return price[f] / bias[f] * bias


def _industry_and_gradient(regime: StaticGame, price: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Industry profit per shopper and its gradient with the weights of ``regime`` fixed (the module docstring)."""
    utility = (regime.quality - price) / regime.mu
    top = max(utility.max(), regime.outside_quality / regime.mu)
    e = regime.visibility * np.exp(utility - top)
    share = e / (e.sum(axis=1, keepdims=True) + np.exp(regime.outside_quality / regime.mu - top))
    margin = price - regime.cost
    inside = share @ margin
    value = float(regime.segment_weight @ inside)
    gradient = regime.segment_weight @ (share * (1.0 - (margin[None, :] - inside[:, None]) / regime.mu))
    return value, gradient


def _constrained_joint(regime: StaticGame, display: Display, f: int, start: np.ndarray) -> np.ndarray:
    """Industry profit's maximum in ``regime`` subject to ``f``'s judged price being the lowest (SLSQP)."""
    from scipy.optimize import minimize  # here: scipy takes half a second to import, and few markets get here

    bias = _bias(display, regime.n_sellers)
    others = [j for j in np.flatnonzero(display.on_platform) if j != f]
    price = start.copy()
    price[others] = np.maximum(price[others], _tie_prices(display, f, price)[others])
    constraints = [{"type": "ineq", "fun": lambda p, j=j: p[j] / bias[j] - p[f] / bias[f],
                    "jac": lambda p, j=j: _unit(regime.n_sellers, j) / bias[j] - _unit(regime.n_sellers, f) / bias[f]}
                   for j in others]
    result = minimize(lambda p: tuple(-x for x in _industry_and_gradient(regime, p)), price, jac=True,
                      method="SLSQP", constraints=constraints, options={"ftol": 1e-15, "maxiter": 1000})
    price = result.x
    tie = _tie_prices(display, f, price)
    for j in others:  # on the boundary, the rival just above the tie, so that f holds the featured offer
        if display.featured(price) != f and price[j] <= tie[j]:
            price[j] = np.nextafter(tie[j], np.inf)
    return _unseen_at_featured(regime, display, f, price)


def _unit(n: int, j: int) -> np.ndarray:
    unit = np.zeros(n)
    unit[j] = 1.0
    return unit


def _tied_joint(game: StaticGame, display: Display) -> np.ndarray:
    """Under ``pdp``: industry profit's maximum with every listed offer at one price (all shown)."""
    from scipy.optimize import minimize  # here, as in _constrained_joint

    listed = display.on_platform.astype(bool)
    start = joint_profit_prices(game)
    free = np.concatenate([[start[listed].mean()], start[~listed]])

    def prices(x):
        price = np.empty(game.n_sellers)
        price[listed] = x[0]
        price[~listed] = x[1:]
        return price

    def objective(x):
        value, gradient = _industry_and_gradient(game, prices(x))
        return -value, -np.concatenate([[gradient[listed].sum()], gradient[~listed]])

    result = minimize(objective, free, jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 1000})
    return prices(result.x)

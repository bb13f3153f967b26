"""The static game the benchmarks solve, and its Nash and joint-profit (monopoly) benchmarks.

:class:`StaticGame` holds one tick's logit market per shopper (segments, attention weights, fees,
stakes, owners); :func:`solve` gives its Nash equilibrium and joint-profit optimum with every weight
fixed. The featured offer's attention, which moves with prices, is :mod:`market.benchmarks.display`'s.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from market.benchmarks.ownership import firm_terms
from market.benchmarks.solver import _iterate_best_responses, _profile_profits, _profit_of, best_response
from market.demand import market_demand


@dataclass(frozen=True)
class StaticGame:
    r"""The one-shot pricing game that the benchmarks solve (per shopper, one tick).

    Attributes are numpy arrays over sellers (``cost``, ``quality``), over segments and sellers
    (``alpha``, ``kappa``: what a seller keeps of its price and pays per unit on its sales to each
    segment, as they go through the platform or not), stakes by segment, seller and seller
    (``stake_share``, ``stake_unit``), shopper segments (``visibility`` of shape (segments,
    sellers): the weight :math:`w_{ki}` a segment gives an offer, 0 where it cannot see it,
    ``segment_weight``), the scalars ``mu``, ``outside_quality`` and ``shoppers`` (expected
    shoppers per tick), and ``firm`` (each seller's firm, :mod:`market.benchmarks.ownership`; None:
    every seller is a firm of its own). Margins and stakes that do not depend on the segment may be
    given without the segment axis (``alpha`` over sellers, stakes seller by seller).
    """

    cost: np.ndarray
    quality: np.ndarray
    mu: float
    outside_quality: float
    alpha: np.ndarray
    kappa: np.ndarray
    stake_share: np.ndarray
    stake_unit: np.ndarray
    visibility: np.ndarray
    segment_weight: np.ndarray
    shoppers: float = 1.0
    firm: np.ndarray | None = field(default=None, compare=False)

    def __post_init__(self):
        n_segments, n = self.visibility.shape
        for name, shape in (("alpha", (n_segments, n)), ("kappa", (n_segments, n)),
                            ("stake_share", (n_segments, n, n)), ("stake_unit", (n_segments, n, n))):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            object.__setattr__(self, name, np.ascontiguousarray(np.broadcast_to(value, shape)))
        object.__setattr__(self, "visibility", np.ascontiguousarray(self.visibility, dtype=np.float64))
        if self.firm is not None:
            object.__setattr__(self, "firm", np.asarray(self.firm, dtype=np.int64))

    @classmethod
    def logit(cls, cost, quality, mu, outside_quality=0.0, shoppers=1.0, firm=None):
        """Everyone sees every offer, no fees: the Calvano et al. (2020) stage game (``firm``: owners, if any)."""
        cost = np.asarray(cost, dtype=np.float64)
        n = cost.shape[0]
        quality = np.ascontiguousarray(np.broadcast_to(np.asarray(quality, dtype=np.float64), (n,)))
        return cls(cost=cost, quality=quality, mu=float(mu), outside_quality=float(outside_quality),
                   alpha=np.ones(n), kappa=cost.copy(), stake_share=np.zeros((n, n)),
                   stake_unit=np.zeros((n, n)), visibility=np.ones((1, n)), segment_weight=np.ones(1),
                   shoppers=float(shoppers), firm=firm)

    @property
    def n_sellers(self) -> int:
        return self.cost.shape[0]

    @cached_property
    def objective(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(alpha, kappa, stake_share, stake_unit)`` by which sellers price: their firms' (``firm_terms``)."""
        terms = (self.alpha, self.kappa, self.stake_share, self.stake_unit)
        return terms if self.firm is None else firm_terms(self.firm, *terms)

    def seen_with(self, weight: np.ndarray) -> "StaticGame":
        """The same game with the offers' weights ``weight`` (segments, sellers) in place of ``visibility``."""
        return replace(self, visibility=weight)

    def quantity(self, price) -> np.ndarray:
        """Expected units sold per tick at ``price``."""
        price = np.ascontiguousarray(price, dtype=np.float64)
        q = np.empty_like(price)
        market_demand(price, self.quality, self.visibility, self.segment_weight, self.mu, self.outside_quality, q,
                      np.empty_like(price), np.empty_like(self.segment_weight))
        return q * self.shoppers

    def profit(self, price) -> np.ndarray:
        r"""Each seller's own profit per tick,
        :math:`N \sum_k W_k [(\alpha_{ki} p_i-\kappa_{ki})s_{ki} + \sum_j(\beta_{kij}p_j+\gamma_{kij})s_{kj}]`."""
        return self._profits(price, self.alpha, self.kappa, self.stake_share, self.stake_unit)

    def firm_profit(self, price) -> np.ndarray:
        """Per seller, the profit per tick of its firm (its own where it is a firm of its own): what it maximises."""
        return self._profits(price, *self.objective)

    def _profits(self, price, alpha, kappa, stake_share, stake_unit) -> np.ndarray:
        price = np.ascontiguousarray(price, dtype=np.float64)
        n = self.n_sellers
        quantity, scratch, segment_top = np.empty(n), np.empty(n), np.empty_like(self.segment_weight)
        return self.shoppers * np.array([
            _profit_of(i, price, self.quality, alpha, kappa, stake_share, stake_unit, self.visibility,
                       self.segment_weight, self.mu, self.outside_quality, quantity, scratch, segment_top)
            for i in range(n)])

    def profile_profits(self, grid) -> np.ndarray:
        """``profit[s, i]``: :meth:`profit` of seller ``i`` at every profile ``s`` of prices on ``grid``,
        numbered in mixed radix with seller 0 most significant (one numba loop over ``m**n`` profiles)."""
        grid = np.ascontiguousarray(grid, dtype=np.float64)
        return self.shoppers * _profile_profits(grid, self.n_sellers, self.quality, self.alpha, self.kappa,
                                                self.stake_share, self.stake_unit, self.visibility,
                                                self.segment_weight, self.mu, self.outside_quality)

    def industry_profit(self, price) -> float:
        r"""Industry profit per tick :math:`\sum_i (p_i - c_i) q_i` (fees are transfers)."""
        price = np.asarray(price, dtype=np.float64)
        return float(np.sum((price - self.cost) * self.quantity(price)))

    def best_response(self, i: int, price) -> float:
        """Seller ``i``'s static best response to the others' prices, on behalf of its firm."""
        k = self.segment_weight.shape[0]
        alpha, kappa, stake_share, stake_unit = self.objective
        return best_response(i, np.asarray(price, dtype=np.float64), self.quality, alpha, kappa, stake_share,
                             stake_unit, self.visibility, self.segment_weight, self.mu, self.outside_quality,
                             np.empty(k), np.empty(k), np.empty(k))


@dataclass(frozen=True)
class Benchmarks:
    """Nash and joint-profit (monopoly) prices and per-tick profits of a static game.

    Where the featured offer's attention enters (:mod:`market.benchmarks.display`), ``nash`` says what the
    Nash figures are: ``"pure"``, an equilibrium in pure prices; ``"cycle"``, none exists and best responses
    cycle (Edgeworth), the figures are the cycle's means and ``*_low``/``*_high`` its bounds; ``"step"``, none
    exists in continuous prices and best responses settle one price step from the limit (Bertrand with unequal
    costs). ``featured_nash`` and ``featured_monopoly`` are the sellers holding the featured offer (-1: none).
    """

    nash_price: np.ndarray
    nash_profit: np.ndarray
    monopoly_price: np.ndarray
    monopoly_profit: np.ndarray
    nash_industry_profit: float
    monopoly_industry_profit: float
    nash: str = "pure"
    nash_price_low: np.ndarray | None = None
    nash_price_high: np.ndarray | None = None
    nash_industry_profit_low: float | None = None
    nash_industry_profit_high: float | None = None
    featured_nash: int = -1
    featured_monopoly: int = -1
    display: bool = False

    def __post_init__(self):
        for bound, value in (("nash_price_low", self.nash_price), ("nash_price_high", self.nash_price),
                             ("nash_industry_profit_low", self.nash_industry_profit),
                             ("nash_industry_profit_high", self.nash_industry_profit)):
            if getattr(self, bound) is None:
                object.__setattr__(self, bound, value)

    @property
    def pure(self) -> bool:
        """Whether the Nash figures are an equilibrium in pure prices."""
        return self.nash == "pure"

    def as_dict(self) -> dict:
        out = {}
        for name, value in vars(self).items():
            out[name] = value.tolist() if isinstance(value, np.ndarray) else value
        return out


def nash_equilibrium(game: StaticGame, max_sweeps: int = 100_000) -> np.ndarray:
    """Static Nash prices: the fixed point of the sellers' best responses, each on behalf of its firm."""
    alpha, kappa, stake_share, stake_unit = game.objective
    start = np.min(kappa / alpha, axis=0) + game.mu
    price, sweeps = _iterate_best_responses(start, game.quality, alpha, kappa, stake_share, stake_unit,
                                            game.visibility, game.segment_weight, game.mu, game.outside_quality,
                                            max_sweeps)
    if sweeps >= max_sweeps:
        raise ArithmeticError(f"best-response iteration did not converge in {max_sweeps} sweeps")
    return price


def joint_profit_prices(game: StaticGame, max_sweeps: int = 100_000) -> np.ndarray:
    r"""Prices maximising industry profit :math:`\sum_i (p_i - c_i) q_i` (coordinate ascent)."""
    n_segments, n = game.visibility.shape
    stake_share = np.broadcast_to(np.ones((n, n)) - np.eye(n), (n_segments, n, n))
    stake_unit = np.ascontiguousarray(-(stake_share * game.cost[None, None, :]))
    start = game.cost + game.mu
    price, sweeps = _iterate_best_responses(start, game.quality, np.ones((n_segments, n)),
                                            np.tile(game.cost, (n_segments, 1)), np.ascontiguousarray(stake_share),
                                            stake_unit, game.visibility, game.segment_weight, game.mu,
                                            game.outside_quality, max_sweeps)
    if sweeps >= max_sweeps:
        raise ArithmeticError(f"joint-profit ascent did not converge in {max_sweeps} sweeps")
    return price


def solve(game: StaticGame) -> Benchmarks:
    """Nash and joint-profit benchmarks of ``game``, its weights fixed."""
    nash = nash_equilibrium(game)
    monopoly = joint_profit_prices(game)
    return Benchmarks(nash_price=nash, nash_profit=game.profit(nash), monopoly_price=monopoly,
                      monopoly_profit=game.profit(monopoly), nash_industry_profit=game.industry_profit(nash),
                      monopoly_industry_profit=game.industry_profit(monopoly))


def price_grid(nash_price, monopoly_price, m: int = 15, xi: float = 0.1) -> np.ndarray:
    r"""Calvano et al. (2020) grid: ``m`` equally spaced prices on
    :math:`[p_N - \xi(p_M - p_N),\ p_M + \xi(p_M - p_N)]`.

    With unequal sellers, the bounds use the lowest Nash and the highest monopoly price.
    """
    if m < 2:
        raise ValueError(f"price grid: m = {m}: must be >= 2")
    low = float(np.min(nash_price))
    high = float(np.max(monopoly_price))
    span = high - low
    return np.linspace(low - xi * span, high + xi * span, m)

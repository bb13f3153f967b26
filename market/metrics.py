r"""Market outcome measures, from the engine's running totals.

All per-tick quantities are averages over the ticks counted: those run since ``state.origin``
(tick 0, or the end of training: ``market.training``).

* Profit gain (Calvano et al. 2020):
  :math:`\Delta = (\bar\Pi - \Pi_N) / (\Pi_M - \Pi_N)`, with :math:`\bar\Pi` the industry
  profit per tick :math:`\sum_i (p_i - c_i) q_i` (fees are transfers) and
  :math:`\Pi_N, \Pi_M` its static Nash and joint-profit values. 0 is competition, 1 collusion.
* Herfindahl-Hirschman index of unit shares: :math:`HHI = 10^4 \sum_i \sigma_i^2`.
* Total welfare per tick: consumer surplus plus industry profit.
* Price dispersion: the standard deviation of prices across sellers, averaged over ticks.
* Price changes: moves larger than ``market.changes.CHANGE_TOLERANCE`` of the price (relative), per day.
* Unsold goods (:mod:`market.inventory`): units sold off, returned, donated and destroyed, the
  value of destroyed goods at cost, storage fees, disposal costs and VAT on donations, as totals
  since tick 0 (zeros in a market without stock).
"""

import numpy as np

from market.benchmarks import Benchmarks
from market.inventory import MARKET_UNSOLD, market_unsold, seller_unsold
from market.state import DISPERSION, FEE_INCOME, SHOPPERS, SURPLUS, State

MARKET_METRICS = ("delta", "mean_price", "weighted_price", "mean_margin", "consumer_surplus", "industry_profit",
                  "total_welfare", "hhi", "price_dispersion", "price_changes_per_day", "fee_income", "shoppers",
                  *MARKET_UNSOLD)


def profit_gain(industry_profit, nash_industry_profit, monopoly_industry_profit):
    r""":math:`\Delta = (\Pi - \Pi_N) / (\Pi_M - \Pi_N)`; NaN where :math:`\Pi_M = \Pi_N` (a market with no
    room to collude, such as a lone seller, where the gain is undefined). Floats or arrays, elementwise."""
    room = np.subtract(monopoly_industry_profit, nash_industry_profit)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(room != 0.0, np.subtract(industry_profit, nash_industry_profit) / room, np.nan)
    return gain if gain.ndim else float(gain)


def hhi(quantity) -> float:
    r"""Herfindahl-Hirschman index of unit shares, :math:`10^4 \sum_i \sigma_i^2` (0 to 10,000)."""
    quantity = np.asarray(quantity, dtype=np.float64)
    total = quantity.sum()
    if total <= 0:
        return float("nan")
    return float(1e4 * np.sum((quantity / total) ** 2))


def industry_profit_per_tick(state: State) -> float:
    """Mean of :math:`\\sum_i (p_i - c_i) q_i` per tick, :math:`c_i` the industry's cost of seller i's unit."""
    totals = state.totals
    return float(np.sum(totals.revenue - state.market.true_cost * totals.quantity) / max(state.counted, 1))


def market_summary(state: State, benchmarks: Benchmarks, ticks_per_day: int) -> dict[str, float]:
    """The market-level measures in ``MARKET_METRICS`` over the ``state.counted`` ticks since ``state.origin``.

    Delta compares with the benchmarks scaled to the shoppers who actually came (Poisson
    arrivals, a falling season), so that it measures prices, not footfall.
    """
    ticks = max(state.counted, 1)
    totals, cost = state.totals, state.market.cost
    quantity = totals.quantity
    industry = industry_profit_per_tick(state)
    surplus = totals.market[SURPLUS] / ticks
    sold = quantity.sum()
    footfall = totals.market[SHOPPERS] / ticks / state.market.shoppers if state.counted else 1.0
    return {
        "delta": profit_gain(industry, footfall * benchmarks.nash_industry_profit,
                             footfall * benchmarks.monopoly_industry_profit),
        "mean_price": float(np.mean(totals.price) / ticks),
        "weighted_price": float(totals.revenue.sum() / sold) if sold > 0 else float("nan"),
        "mean_margin": float(np.mean(totals.price / ticks - cost)),
        "consumer_surplus": float(surplus),
        "industry_profit": industry,
        "total_welfare": float(surplus + industry),
        "hhi": hhi(quantity),
        "price_dispersion": float(totals.market[DISPERSION] / ticks),
        "price_changes_per_day": float(totals.changes.sum() * ticks_per_day / ticks),
        "fee_income": float(totals.market[FEE_INCOME] / ticks),
        "shoppers": float(totals.market[SHOPPERS] / ticks),
        **market_unsold(state.inventory, cost),
    }


def seller_summary(state: State) -> dict[str, np.ndarray]:
    """Per-seller measures (arrays over sellers) over the ``state.counted`` ticks since ``state.origin``."""
    ticks = max(state.counted, 1)
    totals, cost = state.totals, state.market.cost
    total = totals.quantity.sum()
    mean_price = totals.price / ticks
    return {
        "mean_price": mean_price,
        "margin": mean_price - cost,
        "share": totals.quantity / total if total > 0 else np.full(state.n_sellers, np.nan),
        "quantity": totals.quantity / ticks,
        "profit": totals.profit / ticks,
        "fee_paid": totals.fee / ticks,
        "featured_share": totals.featured / ticks,
        "price_changes": totals.changes.astype(np.float64),
        **seller_unsold(state.inventory, cost),
    }

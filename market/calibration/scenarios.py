r"""One scenario per market of a product panel, checked against the data before anything is written.

Each market becomes a scenario whose sellers are its products: the estimated :math:`\mu`, qualities by inversion
and costs (observed, or from the first-order conditions under the market's ownership) of
:mod:`market.calibration.logit`, each seller at its observed price (strategy ``fixed``) until repricers are merged
(:mod:`market.calibration.twin`). Products of one firm name it as their ``owner``, so the benchmarks maximise the
firm's joint profit. Shoppers per tick are the market's size over the time its data cover:
:math:`N = M \cdot \text{tick\_minutes} / \text{period\_minutes}`.

The checks, per market: the scenario's static Nash prices (the engine's own solver) against the observed prices
(the largest gap; with costs from the first-order conditions it is zero up to the solver's tolerance); Calvano
et al.'s :math:`\Delta` of the observed prices under the calibrated demand and costs (0 at Nash, 1 at the
joint-profit prices); and products with negative implied costs, which are refused (``CalibrationError``), naming
them: demand that elastic cannot have produced those prices at a Nash equilibrium.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from market.calibration.estimate import Estimate
from market.calibration.logit import first_order_costs, folded_outside_quality, qualities
from market.calibration.panel import ProductPanel
from market.errors import CalibrationError, ScenarioError
from market.metrics import profit_gain
from market.scenario import Scenario

SAFE = re.compile(r"[^A-Za-z0-9_\-]")


@dataclass(frozen=True)
class Settings:
    """How a market's data become a scenario: time, size, listing and fees, horizon."""

    tick_minutes: int = 10
    period_minutes: float = 1440.0
    market_size: float | None = None
    channel: str = "web"
    referral_fee: float = 0.0
    fulfilment_fee: float = 0.0
    days: float = 30.0
    seed: int = 0
    prefix: str = "calibrated"
    products: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MarketFit:
    """A market's calibration: its scenario, the panel rows of its sellers (in order) and the checks."""

    market: str
    scenario: Scenario
    rows: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    cost_observed: np.ndarray
    nash_price: np.ndarray
    observed_delta: float
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> np.ndarray:
        """Nash minus observed price, per seller."""
        return self.nash_price - np.array([s.initial_price for s in self.scenario.sellers])

    @property
    def largest_gap(self) -> tuple[float, str]:
        """The largest absolute gap between Nash and observed prices, and whose."""
        k = int(np.argmax(np.abs(self.gap)))
        return float(np.abs(self.gap[k])), self.scenario.sellers[k].name


def seller_names(products: list[str], where: str) -> list[str]:
    """Scenario names for products: characters other than letters, digits, _ and - become _; a clash is refused."""
    names = [SAFE.sub("_", p) for p in products]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise CalibrationError(f"{where}: products {products[names.index(name)]!r} and {products[k]!r} both "
                                   f"become seller {name!r} (only letters, digits, _ and - are kept): rename one")
    return names


def calibrate(panel: ProductPanel, estimate: Estimate, markets: list[str], settings: Settings) -> list[MarketFit]:
    """The scenario of each market in ``markets`` and its checks; ``CalibrationError`` naming every product with a
    negative implied cost (and its market) before any is returned."""
    fits = [_fit(panel, estimate, m, settings) for m in markets]
    negative = [(f.market, f.scenario.sellers[k].name, f.cost[k]) for f in fits for k in np.flatnonzero(f.cost < 0)]
    if negative:
        listed = "; ".join(f"market {m}, product {p}: {c:.4g}" for m, p, c in negative[:5])
        more = f" and {len(negative) - 5} more" if len(negative) > 5 else ""
        raise CalibrationError(f"panel {panel.source!r}: negative implied marginal cost ({listed}{more}): at mu = "
                               f"{estimate.mu:.4g} these prices are below the Nash markup mu/(1 - S_f); check the "
                               f"estimate, the ownership (--owner, --single-product-firms) or drop those markets "
                               f"(--markets)")
    return fits


def _fit(panel: ProductPanel, estimate: Estimate, market: str, settings: Settings) -> MarketFit:
    rows = panel.rows_of(market)
    price, share, firm = panel.price[rows], panel.share[rows], panel.firm[rows]
    mu = estimate.mu
    quality = qualities(price, share, mu)
    implied = first_order_costs(price, share, firm, mu, _fee(settings, "referral"), _fee(settings, "fulfilment"))
    observed = ~np.isnan(panel.cost[rows])
    cost = np.where(observed, panel.cost[rows], implied)
    keep = _kept(panel, market, rows, settings.products)
    outside = folded_outside_quality(share, keep, mu)
    rows, price, quality, cost, observed = rows[keep], price[keep], quality[keep], cost[keep], observed[keep]
    names = seller_names(panel.product[rows].tolist(), f"panel {panel.source!r}: market {market}")
    scenario = _scenario(panel, estimate, market, settings, rows, names, quality, cost, outside)
    nash, delta = np.full(rows.size, np.nan), np.nan
    if (cost >= 0).all():
        nash, delta = _checks(scenario, price)
    return MarketFit(market=market, scenario=scenario, rows=rows, quality=quality, cost=cost, cost_observed=observed,
                     nash_price=nash, observed_delta=delta)


def _kept(panel: ProductPanel, market: str, rows: np.ndarray, products: tuple[str, ...] | None) -> np.ndarray:
    """Which of the market's rows the scenario keeps: all, or the ``products`` named (at least 2, all present)."""
    if products is None:
        return np.ones(rows.size, dtype=bool)
    present = panel.product[rows].tolist()
    missing = [p for p in products if p not in present]
    if missing:
        raise CalibrationError(f"--products: market {market} has no product {missing[0]!r} (products: "
                               f"{', '.join(present)})")
    if len(set(products)) < 2:
        raise CalibrationError(f"--products {','.join(products)}: keep at least 2 products")
    return np.isin(np.array(present, dtype=object), list(products))


def _fee(settings: Settings, kind: str) -> float:
    """Fees apply to offers listed on the platform only."""
    if settings.channel == "web":
        return 0.0
    return settings.referral_fee if kind == "referral" else settings.fulfilment_fee


def _scenario(panel: ProductPanel, estimate: Estimate, market: str, settings: Settings, rows: np.ndarray,
              names: list[str], quality: np.ndarray, cost: np.ndarray, outside_quality: float) -> Scenario:
    size = panel.market_size[rows[0]]
    if np.isnan(size):
        size = settings.market_size
    shoppers = 1.0 if size is None else size * settings.tick_minutes / settings.period_minutes
    firms = panel.firm[rows].tolist()
    shared = {f for f in firms if firms.count(f) > 1}
    sellers = []
    for k, row in enumerate(rows):
        seller = {"name": names[k], "role": "retailer", "channel": settings.channel,
                  "cost": float(max(cost[k], 0.0)), "quality": float(quality[k]), "strategy": "fixed",
                  "params": {"price": float(panel.price[row])}, "initial_price": float(panel.price[row])}
        if firms[k] in shared:
            seller["owner"] = str(firms[k])
        sellers.append(seller)
    ticks_per_day = 1440 // settings.tick_minutes
    data = {"name": SAFE.sub("_", f"{settings.prefix}_{market}"),
            "description": f"Market {market} of the product panel {panel.source}, calibrated (mu = "
                           f"{estimate.mu:.6g}); sellers at their observed prices.",
            "tick_minutes": settings.tick_minutes, "horizon": max(1, round(settings.days * ticks_per_day)),
            "seed": settings.seed,
            "demand": {"mu": estimate.mu, "outside_quality": outside_quality, "shoppers_per_tick": shoppers},
            "platform": {"referral_fee": settings.referral_fee, "fulfilment_fee": settings.fulfilment_fee},
            "sellers": sellers}
    try:
        return Scenario.from_dict(data)
    except ScenarioError as err:
        raise CalibrationError(f"panel {panel.source!r}: market {market}: its scenario is refused: {err}") from None


def _checks(scenario: Scenario, price: np.ndarray) -> tuple[np.ndarray, float]:
    """The engine's static Nash prices, and Delta of the observed prices under the calibrated game."""
    benchmarks = scenario.benchmarks
    game = scenario.static_game()
    delta = profit_gain(game.industry_profit(price), benchmarks.nash_industry_profit,
                        benchmarks.monopoly_industry_profit)
    return benchmarks.nash_price, float(delta)


def provenance(fit: MarketFit, panel: ProductPanel, estimate: Estimate, settings: Settings) -> str:
    """The comment lines at the top of a calibrated scenario's TOML: the estimate, its SE and source, the
    normalisation, where costs and shoppers come from, and the checks."""
    s = fit.scenario
    n_observed = int(fit.cost_observed.sum())
    owners = "the data's firms" if panel.firm_given else "one firm per product"
    size = panel.market_size[fit.rows[0]]
    size = settings.market_size if np.isnan(size) else size
    shoppers = ("market size not given: 1 shopper a tick (profits and surplus per shopper)" if size is None else
                f"market size {size:g} per {settings.period_minutes:g} minutes x {settings.tick_minutes} minutes a "
                f"tick = {s.demand.shoppers_per_tick:g}")
    gap, who = fit.largest_gap
    lines = [f"Calibrated by `pricelab calibrate` from the product panel {panel.source}, market {fit.market} "
             f"({s.n_sellers} products).",
             f"Demand: plain logit, {estimate.describe()}.",
             "Qualities: a_j = a_0 + p_j + mu (ln s_j - ln s_0), the outside option's quality normalised to a_0 = 0 "
             "(outside_quality), s_0 = 1 - sum of the inside shares." + _left_out(fit, panel),
             f"Costs: {n_observed} observed; {s.n_sellers - n_observed} from the first-order conditions under "
             f"{owners}, c_j = (1 - r)(p_j - mu / (1 - S_f)) - fulfilment fee (S_f: the firm's inside share).",
             f"Shoppers per tick: {shoppers}.",
             f"Check: static Nash prices against the observed ones: largest gap {gap:.3g} ({who}); Delta of the "
             f"observed prices {fit.observed_delta:.4g}."]
    return "".join(f"# {line}\n" for line in lines)


def _left_out(fit: MarketFit, panel: ProductPanel) -> str:
    """The provenance's words on products left out of the scenario (``--products``), if any."""
    left = len(panel.rows_of(fit.market)) - fit.rows.size
    if not left:
        return ""
    return (f" The market's {left} other products, at their observed prices, join the outside option: "
            f"outside_quality = mu ln(s_0' / s_0) = {fit.scenario.demand.outside_quality:.6g}, s_0' = 1 - the kept "
            f"products' shares.")

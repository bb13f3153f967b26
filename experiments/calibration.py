"""What ``pricelab calibrate`` writes and prints: the scenarios with their provenance, the table, the report."""

from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from experiments.atomic import write_parquet, write_text
from market.calibration.estimate import Estimate
from market.calibration.panel import ProductPanel
from market.calibration.scenarios import MarketFit, Settings, provenance
from market.calibration.twin import TwinCheck, twin_frame
from market.results import run_id

SHOWN = 20  # markets printed to the terminal; the report lists them all


def table(data: ProductPanel, fits: list[MarketFit]) -> pl.DataFrame:
    """calibration.parquet: one row per market and product, with its scenario's name, seed and run id."""
    frames = []
    for f in fits:
        s = f.scenario
        n = s.n_sellers
        frames.append(pl.DataFrame({
            "scenario": [s.name] * n, "seed": pl.Series([s.seed] * n, dtype=pl.Int64), "run_id": [run_id(s)] * n,
            "market": [f.market] * n, "product": data.product[f.rows].tolist(),
            "seller": [x.name for x in s.sellers], "firm": data.firm[f.rows].astype(str).tolist(),
            "observed_price": data.price[f.rows], "market_share": data.share[f.rows], "quality": f.quality,
            "marginal_cost": f.cost, "cost_source": np.where(f.cost_observed, "observed", "first_order").tolist(),
            "nash_price": f.nash_price}))
    return pl.concat(frames)


def write(folder: Path, data: ProductPanel, estimate: Estimate, settings: Settings, fits: list[MarketFit],
          checks: list[TwinCheck]) -> None:
    """Every market's scenario TOML (provenance in comments), calibration.parquet, calibration.md, twin.parquet."""
    for f in fits:
        write_text(provenance(f, data, estimate, settings) + f.scenario.to_toml(), folder / f"{f.scenario.name}.toml")
    write_parquet(table(data, fits), folder / "calibration.parquet")
    if checks:
        write_parquet(twin_frame(checks), folder / "twin.parquet")
    write_text(report(data, estimate, settings, fits, checks), folder / "calibration.md")


def _market_rows(data: ProductPanel, fits: list[MarketFit]) -> list[tuple]:
    rows = []
    for f in fits:
        gap, who = f.largest_gap
        firms = len(set(data.firm[f.rows].tolist()))
        rows.append((f.market, f.scenario.name, f.scenario.n_sellers, firms, gap, who, f.observed_delta,
                     int(f.cost_observed.sum()), float(f.cost.min())))
    return rows


def report(data: ProductPanel, estimate: Estimate, settings: Settings, fits: list[MarketFit],
           checks: list[TwinCheck]) -> str:
    """calibration.md: the estimate, the normalisation, the checks per market, the twin's comparison."""
    gaps = [f.largest_gap[0] for f in fits]
    owners = "the data's firms" if data.firm_given else "one firm per product"
    lines = [f"# Calibration of {data.source}", "",
             f"Made by `pricelab calibrate`: {len(fits)} of the panel's {len(data.markets)} markets, one scenario "
             f"each (`<scenario>.toml`, its provenance in comments).", "",
             f"**Demand.** Plain logit, {estimate.describe()}.", "",
             "**Qualities** by the logit inversion a_j = a_0 + p_j + mu (ln s_j - ln s_0), the outside option's "
             "quality normalised to a_0 = 0; every market's observed shares are reproduced exactly at its observed "
             "prices.", "",
             f"**Costs** observed where the panel has them, else from the Bertrand first-order conditions under "
             f"{owners}: c_j = (1 - r)(p_j - mu / (1 - S_f)) - fulfilment fee. **Shoppers per tick**: "
             f"{_shoppers(data, settings)}. Sellers are listed on `{settings.channel}`"
             + (f"; the scenarios keep the products {', '.join(settings.products)}, the others join the outside "
                f"option at their observed prices" if settings.products else "") + ".", "",
             f"**Checks.** The engine's static Nash prices against the observed prices: the largest gap over all "
             f"markets is {max(gaps):.3g}. Delta of the observed prices (0: static Nash, 1: joint monopoly under "
             f"the calibrated demand and costs) is given per market.", "",
             "| market | scenario | products | firms | largest Nash gap | product | Delta (observed) | costs observed "
             "| lowest cost |", "|---|---|---:|---:|---:|---|---:|---:|---:|"]
    lines += [f"| {m} | `{s}` | {n} | {k} | {g:.3g} | {w} | {d:.4f} | {o} | {c:.4g} |"
              for m, s, n, k, g, w, d, o, c in _market_rows(data, fits)]
    for check in checks:
        lines += ["", *check.markdown()]
    return "\n".join(lines) + "\n"


def _shoppers(data: ProductPanel, settings: Settings) -> str:
    if np.isnan(data.market_size).all() and settings.market_size is None:
        return "the market size is not given: 1 shopper a tick (profits and surplus per shopper)"
    return (f"each market's size per {settings.period_minutes:g} minutes (the data's period), times "
            f"{settings.tick_minutes} minutes a tick")


def print_summary(data: ProductPanel, estimate: Estimate, fits: list[MarketFit], checks: list[TwinCheck],
                  out: Path) -> None:
    console = Console(width=max(Console().width, 120))
    console.print(f"{data.source}: {estimate.describe()}")
    grid = Table(title=f"{len(fits)} markets calibrated (Nash prices of the calibrated scenario vs observed)")
    for column in ("market", "scenario", "products", "firms", "largest |Nash - observed|", "product",
                   "Delta (observed)", "costs observed", "lowest cost"):
        grid.add_column(column, justify="left" if column in ("market", "scenario", "product") else "right")
    rows = _market_rows(data, fits)
    for m, s, n, k, g, w, d, o, c in rows[:SHOWN]:
        grid.add_row(m, s, str(n), str(k), f"{g:.3g}", w, f"{d:.4f}", str(o), f"{c:.4g}")
    console.print(grid)
    if len(rows) > SHOWN:
        worst = max(rows, key=lambda r: r[4])
        console.print(f"... {len(rows) - SHOWN} more markets in calibration.md; the largest gap of all: {worst[4]:.3g} "
                      f"(market {worst[0]}, {worst[5]})")
    for check in checks:
        check.print(console)
    console.print(f"scenarios, calibration.parquet and calibration.md in {out}/")


def as_json(data: ProductPanel, estimate: Estimate, fits: list[MarketFit], checks: list[TwinCheck],
            out: Path) -> dict:
    low, high = estimate.mu_interval
    return {"panel": data.source, "alpha": estimate.alpha, "alpha_se": _number(estimate.alpha_se),
            "mu": estimate.mu, "mu_se": _number(estimate.mu_se), "mu_ci": [_number(low), _number(high)],
            "source": estimate.source, "out": str(out),
            "markets": [{"market": m, "scenario": s, "products": n, "firms": k, "largest_nash_gap": g,
                         "largest_gap_seller": w, "observed_delta": _number(d), "costs_observed": o,
                         "lowest_cost": c} for m, s, n, k, g, w, d, o, c in _market_rows(data, fits)],
            "twin": [check.as_dict() for check in checks]}


def _number(value: float) -> float | None:
    """JSON has no NaN or infinity: None."""
    return float(value) if np.isfinite(value) else None

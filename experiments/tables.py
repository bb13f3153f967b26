"""Summary tables for the terminal (rich)."""

import polars as pl
from rich.console import Console
from rich.table import Table

from market.benchmarks import Benchmarks
from market.scenario import Scenario


def print_run(scenario: Scenario, benchmarks: Benchmarks, sellers: pl.DataFrame, summary: pl.DataFrame,
              elapsed: float) -> None:
    """Per-seller table and market line for one run."""
    console = Console()
    if console.width < 130:
        console = Console(width=130)
    days = scenario.horizon / scenario.ticks_per_day
    warm_up = summary["warm_up_ticks"][0]
    after = f", measured after a warm-up of {warm_up:,} ticks" if warm_up else ""
    table = Table(title=f"{scenario.name}: {scenario.horizon} ticks ({days:g} days){after}, seed {scenario.seed}")
    for column in ("seller", "role", "mean price", "margin", "share", "profit/tick", "Nash p", "monopoly p",
                   "featured", "changes"):
        table.add_column(column, justify="left" if column in ("seller", "role") else "right")
    for row in sellers.iter_rows(named=True):
        table.add_row(row["seller"], row["role"], f"{row['mean_price']:.4f}", f"{row['margin']:.4f}",
                      f"{row['share']:.3f}", f"{row['profit']:.4f}", f"{row['nash_price']:.4f}",
                      f"{row['monopoly_price']:.4f}", f"{row['featured_share']:.3f}", f"{row['price_changes']:.0f}")
    console.print(table)
    firms = sellers.group_by("owner", maintain_order=True).agg(pl.col("seller"), pl.col("profit").sum())
    for row in firms.filter(pl.col("seller").list.len() > 1).iter_rows(named=True):
        console.print(f"owner {row['owner']}: profit/tick {row['profit']:.4f} ({', '.join(row['seller'])})")
    m = summary.row(0, named=True)
    console.print(
        f"market: Delta = {m['delta']:.4f} (0 = static Nash, 1 = joint monopoly; industry profit/tick "
        f"{m['industry_profit']:.4f} vs Nash {benchmarks.nash_industry_profit:.4f}, monopoly "
        f"{benchmarks.monopoly_industry_profit:.4f}); consumer surplus/tick {m['consumer_surplus']:.4f}; "
        f"welfare/tick {m['total_welfare']:.4f}; HHI {m['hhi']:.0f}; fee income/tick {m['fee_income']:.4f}")
    if benchmarks.display:
        console.print(f"benchmarks under the platform's display rule; Nash: {benchmarks.nash}"
                      + (f" (no pure equilibrium: the mean of best responses' cycle, industry profit/tick "
                         f"{benchmarks.nash_industry_profit_low:.4f} to {benchmarks.nash_industry_profit_high:.4f})"
                         if benchmarks.nash == "cycle" else ""))
    console.print(f"ran in {elapsed:.3f} s")

"""Paired comparison: the same market with and without an intervention, on the same seeds.

For each seed both arms run from the same seed, so the difference in an outcome is due to
the rule alone (common random numbers). The report gives, for each outcome, the mean in
each arm, the mean paired difference and its 95% confidence interval across seeds.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from experiments.atomic import write_parquet, write_text  # noqa: E402
from experiments.stats import mean_ci, spawn_seeds  # noqa: E402
from market import engine, metrics  # noqa: E402
from market.inventory import MARKET_UNSOLD  # noqa: E402
from market.scenario import Scenario  # noqa: E402

OUTCOMES = ("mean_price", "delta", "consumer_surplus", "total_welfare", "profit_platform", "profit_retailer",
            "profit_brand", "price_changes_per_day", *MARKET_UNSOLD)
ROLES = ("platform", "retailer", "brand")


def outcomes(scenario: Scenario) -> dict[str, float]:
    """Run ``scenario`` and measure the compared outcomes (per tick, profits summed by role)."""
    state = engine.run(scenario)
    values = metrics.market_summary(state, scenario.benchmarks, scenario.ticks_per_day)
    profit = metrics.seller_summary(state)["profit"]
    roles = np.array([s.role for s in scenario.sellers])
    result = {k: values[k] for k in OUTCOMES if k in values}
    for role in ROLES:
        result[f"profit_{role}"] = float(profit[roles == role].sum())
    return result


def run_pairs(base: Scenario, treated: Scenario, n_seeds: int, progress=None) -> pl.DataFrame:
    """One row per seed and arm: the outcomes of ``base`` and ``treated`` on the same seeds."""
    rows = []
    for seed in spawn_seeds(base.seed, n_seeds):
        for arm, scenario in (("without", base), ("with", treated)):
            rows.append({"seed": seed, "arm": arm, **outcomes(scenario.replace(seed=seed))})
        if progress:
            progress()
    return pl.DataFrame(rows)


def paired_differences(runs: pl.DataFrame) -> pl.DataFrame:
    """Per outcome: mean without, mean with, mean paired difference and its 95% CI."""
    without = runs.filter(pl.col("arm") == "without").sort("seed")
    with_rule = runs.filter(pl.col("arm") == "with").sort("seed")
    rows = []
    for outcome in OUTCOMES:
        difference = with_rule[outcome].to_numpy() - without[outcome].to_numpy()
        mean, low, high = mean_ci(difference)
        rows.append({"outcome": outcome, "without": float(without[outcome].mean()),
                     "with": float(with_rule[outcome].mean()), "difference": mean, "ci_low": low, "ci_high": high})
    return pl.DataFrame(rows)


def write_report(out: Path, base: Scenario, rule_label: str, runs: pl.DataFrame, table: pl.DataFrame) -> Path:
    """Markdown table and a figure of the paired differences with their confidence intervals."""
    write_parquet(runs, out / "runs.parquet")
    write_parquet(table, out / "differences.parquet")
    rows = -(-table.height // 4)
    figure, axes = plt.subplots(rows, 4, figsize=(14, 3 * rows), squeeze=False)
    for ax in axes.ravel()[table.height:]:
        ax.set_visible(False)
    for ax, row in zip(axes.ravel(), table.iter_rows(named=True), strict=False):
        ax.errorbar([0], [row["difference"]], yerr=[[row["difference"] - row["ci_low"]],
                                                    [row["ci_high"] - row["difference"]]], fmt="o", capsize=6)
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_title(row["outcome"], fontsize=10)
        ax.set_xticks([])
    figure.suptitle(f"{base.name}: with {rule_label} minus without (mean, 95% CI over seeds)")
    figure.tight_layout()
    figure.savefig(out / "compare.png", dpi=110)
    plt.close(figure)
    seeds = runs["seed"].n_unique()
    lines = [f"# {base.name}: with and without {rule_label}", "",
             f"{seeds} seeds, {base.horizon} ticks each; both arms use the same seeds. Differences are with minus "
             "without; 95% Student-t confidence intervals across seeds.", "",
             "| outcome | without | with | difference | 95% CI |", "|---|---:|---:|---:|---|"]
    for r in table.iter_rows(named=True):
        lines.append(f"| {r['outcome']} | {r['without']:.4f} | {r['with']:.4f} | {r['difference']:+.4f} | "
                     f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}] |")
    lines += ["", "![paired differences](compare.png)", ""]
    return write_text("\n".join(lines), out / "compare.md")

"""The figures of a comparison's report (matplotlib, Agg backend): the paired differences of the market outcomes,
with their 95% intervals, each arm's prices and Buy Box holder over time on one seed, and each seed's effect
against each parameter drawn (``--vary``)."""

from pathlib import Path

import polars as pl

from experiments.arms import Arm
from experiments.compare import KEY
from experiments.uncertainty import Vary
from market.scenario import Scenario


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def differences(path: Path, base: Scenario, arms: list[Arm], market: pl.DataFrame, shown: pl.DataFrame) -> None:
    """One panel per market outcome that is not zero everywhere: each arm's mean difference from the baseline
    with its 95% interval, a grey line at no change."""
    plt = _pyplot()
    market = market.join(shown, on=KEY, how="semi", maintain_order="left")
    names = market["metric"].unique(maintain_order=True).to_list()
    columns = 4
    rows = max(1, -(-len(names) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(14, 3 * rows), squeeze=False)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        data = market.filter(pl.col("metric") == name)
        x = range(data.height)
        ax.errorbar(x, data["difference"], yerr=[data["difference"] - data["ci_low"], data["ci_high"] -
                                                 data["difference"]], fmt="o", capsize=6)
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_title(name, fontsize=10)
        ax.set_xticks(list(x), data["arm"].to_list(), fontsize=8, rotation=15)
    figure.suptitle(f"{base.name}: each arm minus {arms[0].name} (mean, 95% CI over seeds)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def series(path: Path, base: Scenario, frame: pl.DataFrame) -> None:
    """Per arm (a row of panels): each seller's price over time, and which seller holds the Buy Box."""
    plt = _pyplot()
    arms = frame["arm"].unique(maintain_order=True).to_list()
    sellers = [s.name for s in base.sellers]
    figure, axes = plt.subplots(len(arms), 2, figsize=(14, 2.8 * len(arms)), squeeze=False,
                                gridspec_kw={"width_ratios": [3, 2]})
    for (price_ax, box_ax), arm in zip(axes, arms, strict=True):
        part = frame.filter(pl.col("arm") == arm)
        for seller in sellers:
            rows = part.filter(pl.col("seller") == seller)
            price_ax.step(rows["day"], rows["price"], where="post", lw=1, label=seller)
            held = rows.filter(pl.col("featured"))
            box_ax.plot(held["day"], [sellers.index(seller)] * held.height, "|", ms=8)
        price_ax.set_title(f"{arm}: prices", fontsize=10)
        price_ax.set_ylabel("price (currency per unit)")
        box_ax.set_title(f"{arm}: who holds the Buy Box", fontsize=10)
        box_ax.set_yticks(range(len(sellers)), sellers, fontsize=8)
        box_ax.set_ylim(-0.5, len(sellers) - 0.5)
    axes[0, 0].legend(fontsize=8, ncol=min(4, len(sellers)))
    for ax in axes[-1]:
        ax.set_xlabel(f"day (ticks of {base.tick_minutes} minutes; one seed)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def by_draw(path: Path, base: Scenario, effects: pl.DataFrame, varies: list[Vary], metrics: tuple[str, ...]) -> None:
    """A panel per outcome of ``metrics`` (rows) and drawn parameter (columns): each seed's paired effect against
    the value drawn for it, one colour per arm, a grey line at no change (``experiments.uncertainty.effects``)."""
    plt = _pyplot()
    arms = effects["arm"].unique(maintain_order=True).to_list()
    figure, axes = plt.subplots(len(metrics), len(varies), figsize=(4.2 * len(varies) + 1, 2.6 * len(metrics)),
                                squeeze=False)
    for row, metric in zip(axes, metrics, strict=True):
        for ax, vary in zip(row, varies, strict=True):
            for arm in arms:
                part = effects.filter((pl.col("metric") == metric) & (pl.col("arm") == arm))
                ax.plot(part[vary.path], part["effect"], "o", ms=4, alpha=0.8, label=arm)
            ax.axhline(0.0, color="grey", lw=0.8)
            ax.set_title(metric, fontsize=9)
            ax.set_xlabel(vary.path, fontsize=8)
            ax.set_ylabel("effect (arm - baseline)", fontsize=8)
    axes[0, 0].legend(fontsize=8)
    figure.suptitle(f"{base.name}: each seed's effect\nagainst the parameters drawn for it", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

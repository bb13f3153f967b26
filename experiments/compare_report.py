"""What a comparison of arms reports: JSON, a Markdown report with a figure, and the paper's figures beside ours."""

import math
from pathlib import Path

import polars as pl

from experiments.arms import Arm, PaperFigure
from experiments.atomic import write_parquet, write_text
from experiments.compare import KEY, convergence
from market.scenario import Scenario


def split_metric(name: str) -> tuple[str, str, str]:
    """``mean_margin`` -> (market, market, mean_margin); ``role.retailer.margin``; ``seller.<name>.profit``."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] in ("role", "seller"):
        return parts[0], parts[1], parts[2]
    return "market", "market", name


def ours(table: pl.DataFrame, arm: str, figure: PaperFigure) -> dict | None:
    """Our paired statistics for the paper's figure (None if we do not measure that outcome)."""
    level, name, metric = split_metric(figure.metric)
    row = table.filter((pl.col("arm") == arm) & (pl.col("level") == level) & (pl.col("name") == name)
                       & (pl.col("metric") == metric))
    return row.row(0, named=True) if row.height else None


def paper_rows(arms: list[Arm], table: pl.DataFrame) -> list[dict]:
    """One row per published figure: the paper's value, ours with its 95% CI, and whether they agree.

    A relative change is compared with ours in percent of the baseline's mean (its interval is the
    difference's interval over that mean); a direction agrees when our interval lies on its side of zero
    (``0``: when our interval contains zero); a value agrees when it lies in our interval; a claim is
    shown beside our difference, unjudged.
    """
    rows = []
    for arm in arms[1:]:
        for figure in arm.paper:
            row = ours(table, arm.name, figure)
            if row is None:
                rows.append({"arm": arm.name, "figure": figure, "ours": "not measured", "agrees": None})
                continue
            low, high, point = row["ci_low"], row["ci_high"], row["difference"]
            if figure.change == "relative":
                scale = 100.0 / row["baseline"] if row["baseline"] else math.nan
                low, high, point = low * scale, high * scale, point * scale
                shown = f"{point:+.1f}% [{low:+.1f}%, {high:+.1f}%]"
            else:
                shown = f"{point:+.4g} [{low:+.4g}, {high:+.4g}]"
            if figure.change == "direction":
                agrees = {"+": low > 0, "-": high < 0, "0": low <= 0 <= high}[figure.value]
            elif figure.change == "claim":
                agrees = None
            else:
                agrees = bool(low <= float(figure.value) <= high)
            rows.append({"arm": arm.name, "figure": figure, "ours": shown, "agrees": agrees})
    return rows


def as_json(base: Scenario, arms: list[Arm], description: str, runs: pl.DataFrame, table: pl.DataFrame) -> dict:
    """Per arm: its means by level, its training and, against the baseline, the paired statistics."""
    trained = {r["arm"]: r for r in convergence(runs).iter_rows(named=True)}
    means = runs.group_by("arm", "level", "name", "metric", maintain_order=True).agg(pl.col("value").mean())
    out = {"scenario": base.name, "description": description, "seeds": runs["seed"].n_unique(),
           "baseline": arms[0].name, "arms": {}}
    for arm in arms:
        entry = {"description": arm.description, "rules": list(arm.rules),
                 "training": {k: v for k, v in trained[arm.name].items() if k != "arm"},
                 **_levels(means.filter(pl.col("arm") == arm.name), "value")}
        if arm is not arms[0]:
            stats = table.filter(pl.col("arm") == arm.name)
            entry["vs_baseline"] = _levels(stats, None)
            entry["paper"] = [{"metric": r["figure"].metric, "change": r["figure"].change,
                               "paper": r["figure"].value, "source": r["figure"].source, "ours": r["ours"],
                               "agrees": r["agrees"]} for r in paper_rows(arms, table) if r["arm"] == arm.name]
        out["arms"][arm.name] = entry
    return out


def _levels(frame: pl.DataFrame, value: str | None) -> dict:
    """``{"market": {metric: v}, "roles": {role: {metric: v}}, "sellers": {...}}``; v a number or a dict."""
    levels = {"market": {}, "roles": {}, "sellers": {}}
    where = {"market": None, "role": "roles", "seller": "sellers"}
    drop = {"arm", "level", "name", "metric"}
    for row in frame.iter_rows(named=True):
        v = row[value] if value else {k: x for k, x in row.items() if k not in drop}
        if row["level"] == "market":
            levels["market"][row["metric"]] = v
        else:
            levels[where[row["level"]]].setdefault(row["name"], {})[row["metric"]] = v
    return levels


def write(out: Path, base: Scenario, arms: list[Arm], description: str, runs: pl.DataFrame,
          table: pl.DataFrame) -> Path:
    """``runs.parquet``, ``differences.parquet``, ``compare.png`` and ``compare.md`` in ``out``."""
    write_parquet(runs, out / "runs.parquet")
    write_parquet(table, out / "differences.parquet")
    shown = _nonzero(runs)
    _figure(out / "compare.png", base, arms, table.filter(pl.col("level") == "market"), shown)
    return write_text("\n".join(_markdown(base, arms, description, runs, table, shown)) + "\n", out / "compare.md")


def _nonzero(runs: pl.DataFrame) -> pl.DataFrame:
    """Keys of the outcomes that are not zero in every run of every arm (the others are left out of tables
    and figures)."""
    kept = runs.group_by(*KEY).agg((pl.col("value").abs() > 0).any().alias("any"))
    return kept.filter(pl.col("any")).select(*KEY)


def _markdown(base: Scenario, arms: list[Arm], description: str, runs: pl.DataFrame, table: pl.DataFrame,
              shown: pl.DataFrame) -> list[str]:
    seeds = runs["seed"].n_unique()
    plan = base.training
    lines = [f"# {base.name}: {description or ', '.join(a.name for a in arms)}", "",
             f"{seeds} seeds; every arm runs on the same seeds (common random numbers). Each run: "
             + (f"learners trained first until no greedy policy changed for {plan.stable_ticks:,} ticks (at most "
                f"{plan.max_ticks:,}), then {base.horizon:,} ticks of frozen play measured. " if plan else
                f"{base.horizon:,} ticks measured from tick 0. ")
             + f"A tick is {base.tick_minutes} minutes; money per tick. Differences are arm minus "
             f"'{arms[0].name}' (the baseline) on the same seed; 95% Student-t intervals across seeds.", "",
             "## Arms", "", "| arm | what it is | rules added |", "|---|---|---|"]
    lines += [f"| {a.name} | {a.description} | {', '.join(a.rules) or '-'} |" for a in arms]
    lines += _training_lines(runs)
    papers = paper_rows(arms, table)
    if papers:
        lines += ["", "## The paper and us", "",
                  "| arm vs baseline | outcome | paper | ours (95% CI) | within | source |",
                  "|---|---|---|---|---|---|"]
        for r in papers:
            f = r["figure"]
            value = {"relative": lambda v: f"{v:+g}%", "difference": lambda v: f"{v:+g}",
                     "direction": lambda v: f"direction {v}", "claim": lambda v: f"'{v}'"}[f.change](f.value)
            verdict = "-" if r["agrees"] is None else ("yes" if r["agrees"] else "no")
            note = f" ({f.note})" if f.note else ""
            lines.append(f"| {r['arm']} vs {arms[0].name} | {f.metric} | {value} | {r['ours']} | {verdict} | "
                         f"{f.source}{note} |")
    else:
        lines += ["", "No published figure is set beside these results: they are the project's own."]
    for arm in arms[1:]:
        lines += ["", f"## {arm.name} vs {arms[0].name}", ""]
        for level, title in (("market", "Market"), ("role", "By role"), ("seller", "By seller")):
            rows = table.filter((pl.col("arm") == arm.name) & (pl.col("level") == level))
            rows = rows.join(shown, on=KEY, how="semi", maintain_order="left")
            if rows.height:
                lines += [f"**{title}**", "", f"| outcome | {arms[0].name} | {arm.name} | difference | 95% CI | "
                          "change | n |", "|---|---:|---:|---:|---|---:|---:|"]
                lines += [_row(r) for r in rows.iter_rows(named=True)] + [""]
    lines += ["![paired differences](compare.png)"]
    return lines


def _training_lines(runs: pl.DataFrame) -> list[str]:
    summary = convergence(runs)
    if summary["trained_runs"].sum() == 0:
        return []
    lines = ["", "## Training", "", "| arm | runs | learners | converged | mean training ticks |",
             "|---|---:|---:|---:|---:|"]
    for r in summary.iter_rows(named=True):
        share = "-" if r["converged_share"] is None else f"{r['converged_share']:.0%}"
        lines.append(f"| {r['arm']} | {r['runs']} | {r['learners']} | {share} | {r['training_ticks_mean']:,.0f} |")
    partial = summary.filter(pl.col("converged_share") < 1.0)
    if partial.height:
        lines += ["", "**Warning:** some runs did not converge within the training budget ("
                  + ", ".join(f"{r['arm']}: {r['converged_share']:.0%}" for r in partial.iter_rows(named=True))
                  + "); their play is that of learners stopped before convergence, and the tables mix them with "
                  "converged runs."]
    return lines


def _row(r: dict) -> str:
    who = "" if r["level"] == "market" else f"{r['name']} "
    change = "-" if not math.isfinite(r["relative_change_pct"]) else f"{r['relative_change_pct']:+.1f}%"
    return (f"| {who}{r['metric']} | {r['baseline']:.4f} | {r['mean']:.4f} | {r['difference']:+.4f} | "
            f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}] | {change} | {r['n']} |")


def _figure(path: Path, base: Scenario, arms: list[Arm], market: pl.DataFrame, shown: pl.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
        ax.set_xticks(list(x), data["arm"].to_list(), fontsize=8)
    figure.suptitle(f"{base.name}: each arm minus {arms[0].name} (mean, 95% CI over seeds)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)

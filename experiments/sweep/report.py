r"""A sweep's report: Markdown with PNG figures (matplotlib, Agg backend), written to ``DIR/report/``.

For each swept axis, each kept metric is drawn against the axis's values: the mean across
seeds with a 95% confidence interval, one line per combination of the other axes' values
(averaged over them when there are more than ``MAX_LINES``). A sweep over exactly two axes
also gets a heatmap of each metric's mean. The interval for :math:`n` seeds is

.. math:: \bar x \pm t_{0.975,\,n-1}\, s / \sqrt{n},

with :math:`s` the sample standard deviation; there is none for a single seed.

Swept numbers sit at their real x positions (a log scale when they span two decades); anything else (a list of
interventions, a strategy's name) is a labelled category, rules by their names. Repricing periods, lags and
phases are labelled in minutes, hours or days of the base scenario's clock (the positions stay ticks).
"""

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from experiments.atomic import write_parquet, write_text  # noqa: E402
from experiments.stats import half_width  # noqa: E402
from experiments.sweep.effects import baseline_value, paired_effects  # noqa: E402
from experiments.sweep.store import FAILURES, finished, read_manifest, scan  # noqa: E402
from market import results  # noqa: E402

MAX_LINES = 8
REPORT = "report"


def confidence(frame: pl.DataFrame, by: list[str], metrics: list[str]) -> pl.DataFrame:
    """Mean, 95% half-width and seed count of each metric per group, sorted by ``by``."""
    stats = frame.group_by(by).agg(pl.len().alias("n"), *[pl.col(m).mean().alias(m) for m in metrics],
                                   *[pl.col(m).std().alias(f"{m}_sd") for m in metrics]).sort(by)
    scale = half_width(1.0, stats["n"].to_numpy())
    return stats.with_columns([(pl.col(f"{m}_sd") * pl.Series(scale)).alias(f"{m}_ci") for m in metrics])


def write_report(folder: Path, baseline: tuple[str, object] | None = None) -> Path:
    """Write ``folder/report/report.md`` and its figures; return the Markdown file's path.

    With ``baseline = (path, value)`` the report also gives every other value's paired effect against that
    value, all else equal (``experiments.sweep.effects``), as a table and a figure.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    frame = scan(folder).collect()
    axes = [list(axis) for axis in manifest["spec"]["axes"]]
    metrics = manifest["metrics"]
    effects = None
    if baseline is not None:
        value = baseline_value(frame, manifest["paths"], *baseline)
        effects = paired_effects(frame, manifest["paths"], baseline[0], value, metrics)
    out = folder / REPORT
    out.mkdir(exist_ok=True)
    minutes = manifest["spec"]["base"].get("tick_minutes", 10)  # a tick of the base scenario, for time labels
    lines = _header(folder, manifest, frame)
    if effects is not None:
        write_parquet(results.tag(effects, manifest["spec"]["name"]), out / "effects.parquet")
        name = _effects_figure(effects, manifest["paths"], baseline[0], value, metrics, out, minutes)
        lines += [f"## Effects against {baseline[0]} = {value}", "",
                  "Each value minus the baseline value at the same other coordinates, paired by replicate (the same "
                  "seeds); mean and 95% CI across replicates (`report/effects.parquet`).", "",
                  f"![{name}]({name})", "", *_sign_lines(effects, manifest["paths"], baseline[0], metrics),
                  *_effects_table(effects, manifest["paths"], baseline[0]), ""]
    for axis in axes:
        name = _figure_against(frame, axes, axis, metrics, out, minutes)
        lines += [f"## Metrics against {' + '.join(axis)}", "", f"![{name}]({name})", ""]
    if len(axes) == 2:
        name = _heatmaps(frame, axes, metrics, out, minutes)
        lines += ["## Heatmaps of the mean across seeds", "", f"![{name}]({name})", ""]
    lines += ["## Means and 95% confidence intervals across seeds", "", *_table(frame, manifest["paths"], metrics)]
    return write_text("\n".join(lines) + "\n", out / "report.md")


def _header(folder: Path, manifest: dict, frame: pl.DataFrame) -> list[str]:
    failed = len(finished(folder, FAILURES) - set(frame["run_id"]))
    spec = manifest["spec"]
    seeds = spec["seeds"] if spec["seeds"] is not None else f"{spec['n_seeds']} from master seed {spec['master_seed']}"
    lines = [f"# Sweep report: {spec['name']}", "",
             f"Spec hash `{manifest['spec_hash']}`, base scenario `{spec['base']['name']}`, "
             f"git `{manifest['git_commit']}`.",
             f"Runs: {frame.height} finished, {failed} failed, {manifest['runs']} in all. Seeds: {seeds}.", ""]
    trained = frame.filter(pl.col("trained")) if "trained" in frame.columns else frame.clear()
    if trained.height:
        converged = int(trained["converged"].sum())
        lines += [f"Learners trained first in {trained.height} runs ([training]); {converged} converged "
                  f"({converged / trained.height:.0%}); metrics cover their frozen play."
                  + ("" if converged == trained.height else " **Runs that did not converge are included: filter "
                     "on the `converged` column to set them apart.**"), ""]
    warmed = frame.filter(pl.col("settled").is_not_null()) if "settled" in frame.columns else frame.clear()
    if warmed.height:
        settled = int(warmed["settled"].sum())
        lines += [f"Warmed up first in {warmed.height} runs ([measure]: {warmed['warm_up_ticks'].min():,} to "
                  f"{warmed['warm_up_ticks'].max():,} ticks); prices had settled in {settled} "
                  f"({settled / warmed.height:.0%}); metrics cover the ticks after the warm-up."
                  + ("" if settled == warmed.height else " **Runs whose prices had not settled are included: filter "
                     "on the `settled` column to set them apart.**"), ""]
    return lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def _label(value, width: int = 24) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


TIME_FIELDS = ("period", "lag", "phase", "history", "horizon", "notice", "ticks", "window")
def _positions(values: list, path: str = "", minutes: float = 10) -> tuple[np.ndarray, list[str], bool]:
    """x positions of ``values``: the numbers themselves, else 0, 1, ...; labels (a time path's in minutes,
    hours or days; a category's by ``category``); whether numeric."""
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    x = np.array(values, dtype=float) if numeric else np.arange(len(values), dtype=float)
    if numeric and path.rsplit(".", 1)[-1] in TIME_FIELDS:
        return x, [clock(v * minutes) for v in values], numeric
    return x, [_label(v) if numeric else category(v) for v in values], numeric


def clock(minutes: float) -> str:
    """``10 min``, ``6 h``, ``7 d`` (the shortest unit that divides it, else one decimal)."""
    for size, unit in ((1440, "d"), (60, "h")):
        if minutes >= size:
            value = minutes / size
            return f"{value:g} {unit}" if value == round(value, 1) else f"{value:.1f} {unit}"
    return f"{minutes:g} min"


def category(value) -> str:
    """A readable label of a swept value that is no number: a list of interventions (JSON) by their names or
    kinds joined by ``+`` (``none`` for an empty list), anything else as it is, cut to 24 characters."""
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        items = value
    if isinstance(items, list) and all(isinstance(i, dict | str) for i in items):
        names = [i if isinstance(i, str) else str(i.get("name") or i.get("kind") or "?") for i in items]
        return _label(" + ".join(names) or "none")
    return _label(value)


def _figure_against(frame: pl.DataFrame, axes: list, axis: list, metrics: list[str], out: Path,
                    minutes: float) -> str:
    x_path = axis[0]
    others = [a[0] for a in axes if a is not axis]
    n_lines = frame.select(others).n_unique() if others else 1
    group = others if 0 < n_lines <= MAX_LINES else []
    stats = confidence(frame, [x_path, *group], metrics)
    order = frame[x_path].unique(maintain_order=True).sort().to_list()
    x_all, labels, numeric = _positions(order, x_path, minutes)
    lookup = dict(zip(order, x_all, strict=True))  # by value: two rules whose labels look alike stay apart
    figure, panels = _panels(len(metrics))
    for metric, ax in zip(metrics, panels, strict=False):
        for key, part in stats.group_by(group, maintain_order=True) if group else [((), stats)]:
            x = [lookup[v] for v in part[x_path]]
            label = ", ".join(f"{p}={_positions([v], p, minutes)[1][0]}" for p, v in zip(group, key, strict=True))
            label = label or None
            ax.errorbar(x, part[metric], yerr=part[f"{metric}_ci"].fill_nan(None).fill_null(0.0), marker="o",
                        capsize=3, label=label)
        ax.set_title(metric)
        ax.set_xlabel(" + ".join(axis) + (" (mean over the other axes)" if others and not group else ""))
        _axis_scale(ax, x_all, labels, numeric)
    if group:
        panels[0].legend(fontsize="small")
    name = f"metrics_vs_{_slug(x_path)}.png"
    _save(figure, panels, len(metrics), out / name)
    return name


def _axis_scale(ax, x: np.ndarray, labels: list[str], numeric: bool) -> None:
    """A log scale for numbers spanning two decades; every value labelled when few, categories slanted so that
    long labels do not overlap."""
    if numeric and x.min() > 0 and x.max() / x.min() >= 100:
        ax.set_xscale("log")
    if not numeric or len(x) <= 8:
        ax.set_xticks(x, labels, rotation=0 if numeric else 30, ha="center" if numeric else "right")
        ax.minorticks_off()


def _heatmaps(frame: pl.DataFrame, axes: list, metrics: list[str], out: Path, minutes: float) -> str:
    rows, cols = axes[0][0], axes[1][0]
    stats = confidence(frame, [rows, cols], metrics)
    row_values = stats[rows].unique(maintain_order=True).to_list()
    col_values = stats[cols].unique(maintain_order=True).to_list()
    figure, panels = _panels(len(metrics))
    for metric, ax in zip(metrics, panels, strict=False):
        grid = np.full((len(row_values), len(col_values)), np.nan)
        for r, c, value in stats.select(rows, cols, metric).iter_rows():
            grid[row_values.index(r), col_values.index(c)] = value
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(col_values)), _positions(col_values, cols, minutes)[1], rotation=30, ha="right")
        ax.set_yticks(range(len(row_values)), _positions(row_values, rows, minutes)[1])
        ax.set_xlabel(cols)
        ax.set_ylabel(rows)
        ax.set_title(metric)
        figure.colorbar(image, ax=ax)
    name = f"heatmap_{_slug(rows)}_x_{_slug(cols)}.png"
    _save(figure, panels, len(metrics), out / name)
    return name


def _panels(n: int):
    columns = min(n, 3)
    figure, panels = plt.subplots(-(-n // columns), columns, figsize=(5 * columns, 3.6 * -(-n // columns)),
                                  squeeze=False)
    return figure, panels.ravel()


def _save(figure, panels, used: int, path: Path) -> None:
    for ax in panels[used:]:
        ax.set_visible(False)
    figure.tight_layout()
    temp = path.with_name(f"{path.stem}.tmp.png")
    figure.savefig(temp, dpi=100)
    plt.close(figure)
    temp.replace(path)


def effect_lines(effects: pl.DataFrame, paths: list[str], path: str, metric: str, minutes: float = 10) -> list[dict]:
    """The effect chart's data for ``metric``: one line per non-baseline value of ``path``, against the first other
    swept path (the assumption); with no other path, one line against the values of ``path`` itself:
    ``label, x, difference, ci_low, ci_high`` and the x midpoints where the mean effect changes sign
    (``sign_changes``)."""
    others = [p for p in paths if p != path]
    rows = effects.filter(pl.col("metric") == metric)
    if not others:
        rows = rows.sort(path)
        y = rows["difference"].to_list()
        return [{"label": f"{path} against the baseline", "x": rows[path].to_list(), "difference": y,
                 "ci_low": rows["ci_low"].to_list(), "ci_high": rows["ci_high"].to_list(),
                 "sign_changes": sign_changes(rows[path].to_list(), y)}]
    lines = []
    for key, line in rows.group_by(path, maintain_order=True):
        x = line[others[0]].to_list()
        y = line["difference"].to_list()
        lines.append({"label": f"{path}={_positions([key[0]], path, minutes)[1][0]}", "x": x, "difference": y,
                      "ci_low": line["ci_low"].to_list(),
                      "ci_high": line["ci_high"].to_list(), "sign_changes": sign_changes(x, y)})
    return lines


def sign_changes(x: list, y: list[float]) -> list[float]:
    """Where consecutive mean effects have opposite signs: the midpoint of the two x positions (of their indices
    when x is not numeric)."""
    positions, _, _ = _positions(x)
    return [float((positions[k] + positions[k + 1]) / 2) for k in range(len(y) - 1) if y[k] * y[k + 1] < 0]


def _effects_figure(effects: pl.DataFrame, paths: list[str], path: str, value, metrics: list[str],
                    out: Path, minutes: float) -> str:
    """Each metric's effect (mean paired difference, 95% CI) against the assumption (``effect_lines``), a dotted
    line where its sign changes."""
    others = [p for p in paths if p != path]
    figure, panels = _panels(len(metrics))
    for metric, ax in zip(metrics, panels, strict=False):
        for line in effect_lines(effects, paths, path, metric, minutes):
            positions, labels, numeric = _positions(line["x"], others[0] if others else path, minutes)
            y = np.array(line["difference"])
            ax.errorbar(positions, y, yerr=[y - np.array(line["ci_low"]), np.array(line["ci_high"]) - y],
                        marker="o", capsize=3, label=line["label"])
            for x in line["sign_changes"]:
                ax.axvline(x, color="tab:red", ls=":", lw=1)
                ax.annotate("sign changes", (x, 0), fontsize=7, color="tab:red", rotation=90, va="bottom")
            _axis_scale(ax, positions, labels, numeric)
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_title(f"{metric}: effect vs {_label(value)}")
        ax.set_xlabel(others[0] if others else path)
    panels[0].legend(fontsize="small")
    name = f"effects_vs_{_slug(path)}.png"
    _save(figure, panels, len(metrics), out / name)
    return name


def _sign_lines(effects: pl.DataFrame, paths: list[str], path: str, metrics: list[str]) -> list[str]:
    """A line for every effect whose sign changes with the assumption."""
    others = [p for p in paths if p != path]
    found = [f"- {metric}, {line['label']}: the mean effect changes sign between "
             + ", ".join(f"{line['x'][k]} and {line['x'][k + 1]}" for k in range(len(line['x']) - 1)
                         if line["difference"][k] * line["difference"][k + 1] < 0)
             + (f" ({others[0]})" if others else "")
             for metric in metrics for line in effect_lines(effects, paths, path, metric) if line["sign_changes"]]
    return (["**The effect changes sign:**", "", *found, ""] if found
            else ["The mean effect keeps its sign across the swept values.", ""])


def _effects_table(effects: pl.DataFrame, paths: list[str], path: str) -> list[str]:
    others = [p for p in paths if p != path]
    header = [*others, path, "metric", "baseline", "value", "difference", "95% CI", "change", "n"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in effects.iter_rows(named=True):
        change = "-" if r["relative_change_pct"] != r["relative_change_pct"] else f"{r['relative_change_pct']:+.1f}%"
        cells = [str(r[p]) for p in [*others, path]] + [r["metric"], f"{r['baseline']:.4g}", f"{r['mean']:.4g}",
                                                          f"{r['difference']:+.4g}",
                                                          f"[{r['ci_low']:+.4g}, {r['ci_high']:+.4g}]", change,
                                                          str(r["n"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _table(frame: pl.DataFrame, paths: list[str], metrics: list[str]) -> list[str]:
    stats = confidence(frame, paths, metrics)
    header = [*paths, "seeds", *metrics]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in stats.iter_rows(named=True):
        cells = [str(row[p]) for p in paths] + [str(row["n"])]
        cells += [f"{row[m]:.4g} ± {row[m + '_ci']:.2g}" if row[m + "_ci"] is not None else f"{row[m]:.4g}"
                  for m in metrics]
        lines.append("| " + " | ".join(cells) + " |")
    return lines

"""What a comparison of arms reports: JSON, a Markdown report with a figure, and the paper's figures beside ours."""

import math
from pathlib import Path

import polars as pl

from experiments import compare_figures, compare_summary, html, uncertainty
from experiments.arms import Arm, PaperFigure
from experiments.atomic import write_parquet, write_text
from experiments.compare import KEY, convergence, disagree, warm_ups
from experiments.compare_summary import ANSWER, number
from experiments.uncertainty import Vary
from market import results
from market.scenario import Scenario

HEADLINE = tuple(metric for metric, _, _ in ANSWER)  # the effects the first page answers with


def split_metric(name: str) -> tuple[str, str, str]:
    """``mean_margin`` -> (market, market, mean_margin); ``role.retailer.margin``; ``owner.<firm>.profit``;
    ``seller.<name>.profit``."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] in ("role", "owner", "seller"):
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


def as_json(base: Scenario, arms: list[Arm], question: str, runs: pl.DataFrame, table: pl.DataFrame,
            varies: list[Vary] = ()) -> dict:
    """Per arm: its means by level, its training and warm-up and, against the baseline, the paired statistics
    (each with ``whole_difference``, the whole runs' effect) and, with drawn parameters, the share of draws in
    which each headline effect is positive and negative."""
    trained = {r["arm"]: r for r in convergence(runs).iter_rows(named=True)}
    warmed = {r["arm"]: r for r in warm_ups(runs).iter_rows(named=True)}
    shares = uncertainty.sign_shares(uncertainty.effects(runs, arms[0].name, HEADLINE, varies))
    means = runs.group_by("arm", "level", "name", "metric", maintain_order=True).agg(pl.col("value").mean())
    out = {"scenario": base.name, "question": question, "seeds": runs["seed"].n_unique(),
           "baseline": arms[0].name, "arms": {}}
    for arm in arms:
        entry = {"description": arm.description, "rules": list(arm.rules),
                 "training": {k: v for k, v in trained[arm.name].items() if k != "arm"},
                 "warm_up": {k: v for k, v in warmed[arm.name].items() if k != "arm"},
                 **_levels(means.filter(pl.col("arm") == arm.name), "value")}
        if arm is not arms[0]:
            stats = table.filter(pl.col("arm") == arm.name)
            entry["vs_baseline"] = _levels(stats, None)
            entry["paper"] = [{"metric": r["figure"].metric, "change": r["figure"].change,
                               "paper": r["figure"].value, "source": r["figure"].source, "ours": r["ours"],
                               "agrees": r["agrees"]} for r in paper_rows(arms, table) if r["arm"] == arm.name]
            if varies:
                entry["signs"] = {r["metric"]: {k: r[k] for k in ("positive", "negative", "n")}
                                  for r in shares.filter(pl.col("arm") == arm.name).iter_rows(named=True)}
        out["arms"][arm.name] = entry
    return out


def _levels(frame: pl.DataFrame, value: str | None) -> dict:
    """``{"market": {metric: v}, "roles": {role: {metric: v}}, "owners": {...}, "sellers": {...}}``; v a number or a
    dict (``owners``: the firms that own several sellers)."""
    levels = {"market": {}, "roles": {}, "owners": {}, "sellers": {}}
    where = {"market": None, "role": "roles", "owner": "owners", "seller": "sellers"}
    drop = {"arm", "level", "name", "metric"}
    for row in frame.iter_rows(named=True):
        v = row[value] if value else {k: x for k, x in row.items() if k not in drop}
        if row["level"] == "market":
            levels["market"][row["metric"]] = v
        else:
            levels[where[row["level"]]].setdefault(row["name"], {})[row["metric"]] = v
    return levels


def write(out: Path, base: Scenario, arms: list[Arm], question: str, runs: pl.DataFrame, table: pl.DataFrame,
          parts: pl.DataFrame, timeseries: pl.DataFrame, varies: list[Vary], extra: list[str] = ()) -> Path:
    """``runs.parquet``, ``differences.parquet``, ``decomposition.parquet`` (with package arms),
    ``timeseries.parquet``, ``compare.png``, ``timeseries.png``, ``uncertainty.png`` (with drawn parameters),
    ``compare.md`` and its self-contained ``compare.html`` in ``out``; returns the Markdown file's path. ``extra``:
    Markdown lines after the first page (e.g. ``experiments.respond``'s section on firms re-tuning)."""
    write_parquet(runs, out / "runs.parquet")
    write_parquet(results.tag(table, base.name), out / "differences.parquet")
    write_parquet(timeseries, out / "timeseries.parquet")
    if parts.height:
        write_parquet(results.tag(parts, base.name), out / "decomposition.parquet")
    shown = _nonzero(runs)
    compare_figures.differences(out / "compare.png", base, arms, table.filter(pl.col("level") == "market"), shown)
    compare_figures.series(out / "timeseries.png", base, timeseries)
    if varies:
        effects = uncertainty.effects(runs, arms[0].name, HEADLINE, varies)
        compare_figures.by_draw(out / "uncertainty.png", base, effects, varies, HEADLINE)
    text = "\n".join(_markdown(base, arms, question, runs, table, parts, shown, varies, extra)) + "\n"
    write_text(html.page(text, out, f"{base.name}: {question}"), out / "compare.html")
    return write_text(text, out / "compare.md")


def _nonzero(runs: pl.DataFrame) -> pl.DataFrame:
    """Keys of the outcomes that are not zero in every run of every arm (the others are left out of tables
    and figures)."""
    kept = runs.group_by(*KEY).agg((pl.col("value").abs() > 0).any().alias("any"))
    return kept.filter(pl.col("any")).select(*KEY)


def _markdown(base: Scenario, arms: list[Arm], question: str, runs: pl.DataFrame, table: pl.DataFrame,
              parts: pl.DataFrame, shown: pl.DataFrame, varies: list[Vary], extra: list[str] = ()) -> list[str]:
    lines = [f"# {base.name}: {question}", "", "## Summary", "",
             f"**Question.** {question[0].upper() + question[1:]}? Against the baseline '{arms[0].name}' "
             f"({arms[0].description or 'the scenario as given'}), on the same {runs['seed'].n_unique()} seeds.", ""]
    shares = uncertainty.sign_shares(uncertainty.effects(runs, arms[0].name, HEADLINE, varies))
    for arm in [a for a in arms[1:] if not a.part_of]:
        lines += [f"**Answer ({arm.name} vs {arms[0].name}).** {compare_summary.answer(table, arm)}", "",
                  compare_summary.mechanism(table, arm), ""]
        lines += [f"{text}\n" for text in (compare_summary.transient(table, arm),
                                           compare_summary.signs(shares, arm, varies)) if text]
    if varies:
        lines += ["![each seed's effect against each drawn parameter](uncertainty.png)", ""]
    lines += ["**Caveats.**", ""] + [f"- {c}" for c in compare_summary.caveats(base, arms, runs, table, varies)]
    lines += extra
    lines += _assumptions(base, arms, varies)
    lines += _training_lines(runs)
    lines += _measurement_lines(base, arms, runs, table)
    lines += _paper_lines(arms, table)
    lines += _decomposition_lines(parts, shown)
    lines += ["", "## Prices and the Buy Box over time", "", "![prices and Buy Box, one seed](timeseries.png)"]
    for arm in arms[1:]:
        lines += ["", f"## {arm.name} vs {arms[0].name}", ""]
        for level, title in (("market", "Market"), ("role", "By role"), ("owner", "By owner"), ("seller", "By seller")):
            rows = table.filter((pl.col("arm") == arm.name) & (pl.col("level") == level))
            rows = rows.join(shown, on=KEY, how="semi", maintain_order="left")
            if rows.height:
                lines += [f"**{title}**", "", f"| outcome | {arms[0].name} | {arm.name} | difference | 95% CI | "
                          "change | n |", "|---|---:|---:|---:|---|---:|---:|"]
                lines += [_row(r) for r in rows.iter_rows(named=True)] + [""]
    lines += ["![paired differences](compare.png)"]
    return lines


def _assumptions(base: Scenario, arms: list[Arm], varies: list[Vary]) -> list[str]:
    d, p = base.demand, base.platform
    lines = ["", "## Assumptions", "",
             f"Scenario `{base.name}`: {base.description or '-'} A tick is {base.tick_minutes} minutes "
             f"({base.ticks_per_day} a day); {base.horizon:,} ticks measured per run. Money is in currency units; "
             "flows (profit, surplus, fees) per tick; prices per unit (pricelab's CODEBOOK.md defines every outcome).",
             "",
             f"Demand: logit, mu {d.mu:g}, outside good {d.outside_quality:g}, {d.shoppers_per_tick:g} shoppers a "
             f"tick ({d.arrivals}), {d.platform_only_share:.0%} shop only on the platform"
             + (f", daily demand shocks of sd {d.xi_sd:g}" if d.xi_sd > 0 else "")
             + (", each shopper's choice drawn" if d.choices == "sampled" else "") + ". Platform: referral fee "
             f"{p.referral_fee:.0%}, fulfilment fee {p.fulfilment_fee:g} a unit, non-featured offers lose "
             f"{p.featured_attention:.0%} of attention, self-preference {p.self_preference:g}.", "",
             "| seller | role | channel | strategy | reprices every | sees prices late by | cost | quality |",
             "|---|---|---|---|---|---|---:|---:|"]
    for s in base.sellers:
        lines.append(f"| {s.name} | {s.role} | {s.listed_on} | {s.strategy} | {_minutes(base, s.period)} | "
                     f"{_minutes(base, s.lag)} | {s.cost:g} | {s.quality:g} |")
    rules = {(label, item.kind, item.description): item for a in arms for label, item in zip(a.rules, a.items,
                                                                                           strict=True)}
    if rules:
        lines += ["", "| rule | kind | what it is | parameters |", "|---|---|---|---|"]
        for (label, kind, text), item in rules.items():
            fields = ", ".join(f"{k} = {v}" for k, v in item.model_dump().items()
                               if k not in ("kind", "name", "description") and v is not None)
            lines.append(f"| {label} | {kind} | {text or '-'} | {fields or '-'} |")
    lines += ["", "Drawn per seed (the same draw in every arm): " + (", ".join(map(str, varies)) or "nothing") + "."]
    return lines


def _minutes(base: Scenario, ticks: int) -> str:
    minutes = ticks * base.tick_minutes
    return f"{minutes // 1440:g} days" if minutes >= 1440 and minutes % 1440 == 0 else (
        f"{minutes / 60:g} h" if minutes >= 60 else f"{minutes} min")


def _paper_lines(arms: list[Arm], table: pl.DataFrame) -> list[str]:
    papers = paper_rows(arms, table)
    if not papers:
        return ["", "No published figure is set beside these results: they are the project's own."]
    lines = ["", "## The paper and us", "", "| arm vs baseline | outcome | paper | ours (95% CI) | within | source |",
             "|---|---|---|---|---|---|"]
    for r in papers:
        f = r["figure"]
        value = {"relative": lambda v: f"{v:+g}%", "difference": lambda v: f"{v:+g}",
                 "direction": lambda v: f"direction {v}", "claim": lambda v: f"'{v}'"}[f.change](f.value)
        verdict = "-" if r["agrees"] is None else ("yes" if r["agrees"] else "no")
        note = f"; {f.note}" if f.note else ""
        lines.append(f"| {r['arm']} vs {arms[0].name} | {f.metric} | {value} | {r['ours']} | {verdict} | "
                     f"{f.source}{note} |")
    return lines


def _decomposition_lines(parts: pl.DataFrame, shown: pl.DataFrame) -> list[str]:
    if not parts.height:
        return []
    lines = []
    for package in parts["package"].unique(maintain_order=True):
        rows = parts.filter((pl.col("package") == package) & (pl.col("level") == "market"))
        rows = rows.join(shown, on=KEY, how="semi", maintain_order="left")
        components = rows["component"].unique(maintain_order=True).to_list()
        lines += ["", f"## {package}: its parts and their interaction", "",
                  "Each part alone against the baseline, their sum, the package, and the interaction (package minus "
                  "the sum), each the mean over the same seeds with its 95% interval.", "",
                  "| outcome | " + " | ".join(components) + " |", "|---|" + "---:|" * len(components)]
        for metric in rows["metric"].unique(maintain_order=True):
            cells = [f"{number(r['difference'])} [{number(r['ci_low'])}, {number(r['ci_high'])}]"
                     for r in rows.filter(pl.col("metric") == metric).iter_rows(named=True)]
            lines.append(f"| {metric} | " + " | ".join(cells) + " |")
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


def _measurement_lines(base: Scenario, arms: list[Arm], runs: pl.DataFrame, table: pl.DataFrame) -> list[str]:
    """Per arm: the warm-up used and how prices settled; the headline effects on the settled market beside the
    whole runs' (warm-up included)."""
    summary = warm_ups(runs)
    if not summary["warmed_runs"].sum():
        return []
    lines = ["", "## Measurement: the settled market", "",
             "Each run ran a warm-up after training (the scenario's [measure]: "
             f"`{base.measure.model_dump(exclude_none=True)}`), then measured its {base.horizon:,} ticks. Prices "
             "had settled when the last window of ticks repeated itself (a cycle) or showed no drift "
             "(pricelab's `market.settling`).", "",
             "| arm | runs | warm-up (ticks) | settled | by | cycle (ticks) |", "|---|---:|---:|---:|---|---|"]
    for r in summary.iter_rows(named=True):
        span = (f"{r['warm_up_ticks_min']:,}" if r["warm_up_ticks_min"] == r["warm_up_ticks_max"]
                else f"{r['warm_up_ticks_min']:,} to {r['warm_up_ticks_max']:,}")
        share = "-" if r["settled_share"] is None else f"{r['settled_share']:.0%}"
        lines.append(f"| {r['arm']} | {r['runs']} | {span} | {share} | {r['settled_by'] or '-'} | "
                     f"{', '.join(map(str, r['cycles'])) or '-'} |")
    lines += ["", "The headline effects on the settled market (what this report measures) and over the whole runs, "
              "warm-up included:", "", "| arm vs baseline | outcome | settled | whole run | tell the same story |",
              "|---|---|---:|---:|---|"]
    for arm in arms[1:]:
        for metric in HEADLINE:
            r = table.filter((pl.col("arm") == arm.name) & (pl.col("level") == "market") & (pl.col("metric") == metric))
            if r.height:
                r = r.row(0, named=True)
                same = "no" if disagree(r["difference"], r["whole_difference"], r["baseline"]) else "yes"
                lines.append(f"| {arm.name} vs {arms[0].name} | {metric} | {number(r['difference'])} | "
                             f"{number(r['whole_difference'])} | {same} |")
    return lines


def _row(r: dict) -> str:
    who = "" if r["level"] == "market" else f"{r['name']} "
    change = "-" if not math.isfinite(r["relative_change_pct"]) else f"{r['relative_change_pct']:+.1f}%"
    return (f"| {who}{r['metric']} | {r['baseline']:.4f} | {r['mean']:.4f} | {r['difference']:+.4f} | "
            f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}] | {change} | {r['n']} |")

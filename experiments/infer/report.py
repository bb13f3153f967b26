"""The files of ``pricelab infer --calibrate``: accuracy.json, sellers.parquet (one row per held-out seller) and
report.md (the confusion matrix, cadence and lag accuracy, the tracking-correlation baseline, timings)."""

import json
import os
from pathlib import Path

import polars as pl

from experiments.atomic import write_parquet, write_text
from experiments.infer import study
from market.observed import tracking
from market.observed.infer import FAMILY, FIT, TIE


def write(out: Path, frame: pl.DataFrame, result: dict, command: str) -> Path:
    """Every file of the calibration, each through a temporary name; returns report.md."""
    write_parquet(frame, out / "sellers.parquet")
    write_text(json.dumps(result, indent=1) + "\n", out / "accuracy.json")
    return write_text(markdown(result, command), out / "report.md")


def _rate(figure: dict) -> str:
    low, high = figure["ci"]
    return f"{figure['rate']:.1%} [{low:.1%}, {high:.1%}] ({figure['flagged']}/{figure['n']})"


def _matrix(table: dict, title: str) -> list[str]:
    columns = sorted({said for row in table.values() for said in row})
    lines = [f"| {title} \\ inferred | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for truth, row in table.items():
        cells = [f"**{row.get(c, 0)}**" if c == truth else str(row.get(c, "")) for c in columns]
        lines.append(f"| {truth} | " + " | ".join(cells) + " |")
    return lines


def print_summary(result: dict) -> None:
    rule, cadence, lag = result["rule"], result["cadence"], result["lag"]
    print(f"held-out panels: {result['panels']} ({result['sellers']} sellers)")
    print(f"  rule right (strategy): {_rate(rule['strategy'])}; family: {_rate(rule['family'])}")
    print(f"  cadence within one tick: {_rate(cadence['period_within_one_tick'])} of sellers that moved")
    print(f"  lag within one tick: {_rate(lag['within_one_tick'])} of rival-reading sellers that moved")
    base, ours = result["algorithmic"]["tracking_baseline"], result["algorithmic"]["infer"]
    print(f"  algorithmic or not: infer {_rate(ours['accuracy'])}, tracking baseline {_rate(base['accuracy'])}")


def markdown(result: dict, command: str) -> str:
    rule, cadence, lag, algo = result["rule"], result["cadence"], result["lag"], result["algorithmic"]
    obs = result["observation"]
    lines = [
        "# Inferring repricers from observed prices: accuracy on held-out engine panels", "",
        f"Made by `{command}` ({result['timing']['seconds']:.0f} s on {os.cpu_count()} cores; inference "
        f"{result['timing']['infer_seconds_per_seller']:.2f} s per seller).", "",
        f"{result['panels']} panels (master seed {result['master_seed']}), {result['sellers']} sellers, built by "
        "`experiments/infer/panels.py`: 2 to 8 sellers running rules that inference tries, with periods of 10 "
        "minutes to a day, random phases and lags of 0 to 12 ticks, common and seller-specific cost shocks, "
        f"{obs['days']} days observed by a scraper every {obs['sampling_minutes']:g} minutes (jitter sd "
        f"{obs['jitter_sd_minutes']:g} min, {obs['missing']:.0%} of observations missing, the engine's ticks not "
        "aligned with the clock). No panel was used to build inference. Shares carry exact 95% intervals.", "",
        "## Summary", "",
        "| measure | over | share right |", "|---|---|---|",
        f"| rule (strategy) | all sellers | {_rate(rule['strategy'])} |",
        f"| rule family | all sellers | {_rate(rule['family'])} |",
        f"| rule (strategy) | sellers whose price changed at least {study.MIN_CHANGES} times | "
        f"{_rate(rule['strategy_moved'])} |",
        f"| rule family | the same | {_rate(rule['family_moved'])} |",
        f"| period within one tick | the same ({cadence['sellers']}) | {_rate(cadence['period_within_one_tick'])} |",
        f"| period and phase within one tick | the same | {_rate(cadence['phase_within_one_tick'])} |",
        f"| true period within one tick of one of the equally good periods reported | the same | "
        f"{_rate(cadence['period_among_equally_good'])} |",
        f"| lag within one tick | of those, the sellers whose rule reads rivals' prices ({lag['sellers']}) | "
        f"{_rate(lag['within_one_tick'])} |",
        f"| true lag within the reported range (+-1) | the same | {_rate(lag['in_reported_range'])} |", "",
        f"{rule['few_changes']} sellers changed price fewer than {study.MIN_CHANGES} times in the panel; those that "
        "never changed show nothing but a price, and inference calls them fixed. By the least number of observed "
        "changes:", "",
        "| changes at least | sellers | rule (strategy) | rule family | period within one tick | lag within one tick |",
        "|---:|---:|---|---|---|---|",
        *[f"| {least} | {figures['sellers']} | {_rate(figures['strategy'])} | {_rate(figures['family'])} | "
          f"{_rate(figures['period'])} | {_rate(figures['lag'])} |" for least, figures in result["by_changes"].items()],
        "",
        "## Confusion matrix of rules (rows: the rule run in the engine; columns: what inference says)", "",
        *_matrix(rule["confusion"], "engine"), "",
        "Families: " + "; ".join(f"{family}: {', '.join(k for k, v in FAMILY.items() if v == family)}"
                                  for family in dict.fromkeys(FAMILY.values())) + ".", "",
        *_matrix(rule["family_confusion"], "engine family"), "",
        "## Cadence and lag by true period", "",
        "| true period (ticks) | period within one tick | lag within one tick |", "|---:|---|---|"]
    for period, figure in cadence["by_true_period"].items():
        lag_figure = lag["by_true_period"].get(period)
        lines.append(f"| {period} | {_rate(figure)} | {_rate(lag_figure) if lag_figure else '-'} |")
    lines += ["", "Period within one tick by the market's core (`experiments/infer/panels.py`): " + "; ".join(
        f"{kind}: {_rate(figure)}" for kind, figure in cadence["by_market"].items()) + ". Where a cost-plus seller "
        "moves at random times (`cost`, `both`), rivals' reactions show when each seller wakes; in a deterministic "
        "cycle or behind a prober (`cycle`, `leader`) every move comes on a lattice the dynamics set, and a seller "
        "that reacts at once with a longer lag cannot be told from one that waits for its wake."]
    ours, base = algo["infer"], algo["tracking_baseline"]
    thresholds = algo["thresholds"]
    lines += [
        "", "## Algorithmic or not: inference against a tracking-correlation baseline", "",
        "The truth: whether the seller's rule reads rivals' prices. Inference: whether the rule it found does. The "
        "baseline, in the manner of Chen, Mislove and Wilson (2016, WWW, \"An Empirical Analysis of Algorithmic "
        "Pricing on Amazon Marketplace\"), who called a seller algorithmic when its price tracked the lowest or the "
        f"Buy Box price: correlation with either of at least {thresholds['min_correlation']} and at least "
        f"{thresholds['min_changes']} price changes (our implementation and thresholds, not their code).", "",
        "| method | accuracy | precision | recall |", "|---|---|---|---|",
        f"| infer | {_rate(ours['accuracy'])} | {_rate(ours['precision'])} | {_rate(ours['recall'])} |",
        f"| tracking correlation | {_rate(base['accuracy'])} | {_rate(base['precision'])} | {_rate(base['recall'])} |",
        "", "## How to read these figures", "",
        f"- A rule is chosen when its one-step-ahead balanced hit rate is within {TIE} of the best and it is the "
        f"simplest such rule; below {FIT} inference says \"none fits\" (`market/observed/infer.py`).",
        "- An Edgeworth resetter that never fell to its floor within the panel never reset: its prices are those of "
        "an undercutter, and inference says undercut (same family); so is a nightly resetter (`resetting`) whose "
        "daily rises the panel does not show. A matcher of the lowest price and a matcher of the platform are the "
        "same when the platform is the lowest rival.",
        "- In a deterministic cycle the rivals' moves come on a lattice: a seller that reacts at once with a longer "
        "lag and one that waits for its next wake predict the same prices. Inference then reports, of the equally "
        "good periods (all of them in `periods`), the one most likely within a tick of the truth (a period P that "
        "fits with n phases and lags has odds n/P, summed over the periods within a tick of it), and the lags that "
        "fit equally well; the truth lies among them more often than the point estimate is within a tick of it.",
        f"- Tracking correlation needs {tracking.MIN_CHANGES} changes and sees co-movement, not its cause: "
        "a cost-plus seller sharing its rivals' cost shocks correlates with them.",
        "- Every panel is simulated; real scrapers miss prices in bursts and repricers may follow rules outside the "
        "registry, which inference can only call \"none fits\".", ""]
    return "\n".join(lines)



"""The calibration's files: calibration.json (read by ``pricelab screen PANEL --calibration DIR``),
scores.parquet (one row per simulated market), report.md and roc.png (held-out ROC curves)."""

import json
import os
from pathlib import Path

import numpy as np
import polars as pl

from experiments.atomic import TEMP_SUFFIX, write_parquet, write_text
from experiments.screens import calibration
from experiments.screens.markets import COLLUSIVE, COMPETITIVE
from market.screens import catalog
from market.screens.apply import CAVEAT


def write(out: Path, frame: pl.DataFrame, result: dict, command: str) -> Path:
    """Write every file of the calibration into ``out`` (each through a temporary name); returns report.md."""
    write_parquet(frame, out / "scores.parquet")
    write_text(json.dumps(result, indent=1) + "\n", out / "calibration.json")
    _roc_figure(out / "roc.png", frame, result)
    return write_text(markdown(result, command), out / "report.md")


def oriented_scores(frame: pl.DataFrame, result: dict, name: str) -> np.ndarray:
    """Oriented scores (high = suspicious) of every market for a screen or a combined screen."""
    combined = result["combined"].get(name)
    if combined is None:
        return catalog.BY_NAME[name].orient(frame[name].to_numpy())
    coefficient = np.array([combined["coefficient"][s] for s in combined["screens"]])
    return combined["intercept"] + frame.select(combined["screens"]).to_numpy() @ coefficient


def _roc_figure(path: Path, frame: pl.DataFrame, result: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [*result["screens"], *result["combined"]]
    held = frame.filter(pl.col("split") == "held_out")
    rows = -(-len(names) // 4)
    figure, axes = plt.subplots(rows, 4, figsize=(14, 3.4 * rows), squeeze=False)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    competitive = ~held["collusive"].to_numpy()
    for ax, name in zip(axes.ravel(), names, strict=False):
        scores = oriented_scores(held, result, name)
        for family in (*COLLUSIVE, "all"):
            mask = held["collusive"].to_numpy() if family == "all" else (held["family"] == family).to_numpy()
            fpr, tpr = calibration.roc_curve(scores[competitive], scores[mask])
            ax.plot(fpr, tpr, lw=2.0 if family == "all" else 1.0, color="k" if family == "all" else None,
                    label=family)
        ax.axvline(calibration.ALPHA, color="grey", ls=":", lw=0.8)
        ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.6)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("false-positive rate", fontsize=8)
        ax.set_ylabel("detection rate", fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="lower right")
    figure.suptitle(f"Held-out ROC curves by collusion type (dotted: {calibration.ALPHA:.0%} false positives; ties "
                    "drawn as diagonals)")
    figure.tight_layout()
    temp = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    figure.savefig(temp, dpi=100, format="png")
    plt.close(figure)
    os.replace(temp, path)


def _rate(figure: dict) -> str:
    low, high = figure["ci"]
    return f"{figure['rate']:.2f} [{low:.2f}, {high:.2f}]"


def _area(figure: dict) -> str:
    low, high = figure["ci"]
    return f"{figure['auc']:.2f} [{low:.2f}, {high:.2f}]"


def _threshold(entry: dict, suspicious: str) -> str:
    if entry["threshold"] is None:
        return "inert (never flags)"
    inert = " (inert: no score can pass it)" if entry["inert"] else ""
    return f"{'>' if suspicious == 'high' else '<'} {entry['threshold']:.4g}{inert}"


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


NOTES = [
    "- Every market is measured with cost and demand shocks, gaps and, in half of them, noisy prices "
    "(`experiments/screens/markets.py`): competitive prices move with costs, as real ones do, while trained "
    "learners' and trigger strategies' prices do not; that is what gives rigidity screens their power. In noisy "
    "panels every price moves at every step, and rigidity screens lose it.",
    "- A screen is *inert* when its threshold lies at or beyond the end of the scores it can take in the suspicious "
    "direction (a variance below 0, a correlation above 1): more than the design rate of competitive markets "
    "reached that end, so nothing could be flagged without exceeding it.",
    "- Learners are measured after training, on their converged play, so no panel contains the move into "
    "collusion: the break screen sees the transients and shocks of competitive markets instead.",
    "- An AUC counts every threshold; the detection rate at the threshold can be much lower where competitive "
    "markets reach the suspicious end too. The ROC curves show the whole trade-off.",
]


def _setup(result: dict, command: str) -> list[str]:
    """Title, how the report was made, the splits and thresholds, the caveat and the table of market families."""
    families = result["families"]
    held = sum(families[f]["held_out"] for f in COMPETITIVE)
    single, combined = next(iter(result["screens"].values())), next(iter(result["combined"].values()))
    lines = ["# Collusion screens: false-positive and detection rates on simulated markets", "",
             f"Made by `{command}`.", "",
             f"{result['markets']} simulated markets (master seed {result['master_seed']}), each observed for "
             f"{result['panel']['ticks']:,} ticks of 10 minutes (two weeks) on the lab's grid (every tick), with "
             "shocks, gaps and noise (below). Within each family, odd-numbered markets are held out. Each screen's "
             f"threshold is set on the {single['calibration_markets']} competitive markets of the calibration half so "
             f"that its false-positive rate is at most {result['alpha']:.0%} with {single['confidence']:.0%} "
             "confidence (Wilks' distribution-free tolerance "
             f"limit: the {_ordinal(single['rank'])} smallest of {single['calibration_markets']} scores); the combined "
             f"screens are fitted on a third of the calibration half and thresholded on the other two thirds' "
             f"{combined['calibration_markets']} competitive markets (the {_ordinal(combined['rank'])} smallest, "
             f"{combined['confidence']:.0%} confidence). Every rate below is measured on the held-out half "
             f"({held} competitive markets), with exact (Clopper-Pearson) 95% intervals; AUCs have DeLong 95% "
             "intervals.", "", _bound_line(result), "", CAVEAT, "",
             "## Markets", "", "| family | kind | markets | held out | mean Delta | learners converged |",
             "|---|---|---:|---:|---:|---:|"]
    for name, f in families.items():
        converged = f"{f['converged']}/{f['markets']}" if f["learns"] else "-"
        lines.append(f"| {name} | {'collusive' if f['collusive'] else 'competitive'} | {f['markets']} | "
                     f"{f['held_out']} | {f['mean_delta']:.2f} | {converged} |")
    return lines + ["", "Delta is Calvano et al.'s profit gain over the run (after training for learners): 0 at the "
                    "static Nash prices, 1 at joint-profit prices.", ""]


def _bound_line(result: dict) -> str:
    """Whether every held-out false-positive rate's 95% interval ends at or below the bound."""
    entries = {**result["screens"], **result["combined"]}
    over = [f"{name} ({e['false_positive']['ci'][1]:.1%})" for name, e in entries.items()
            if e["false_positive"]["ci"][1] > result["fpr_bound"]]
    if not over:
        return (f"Every held-out false-positive rate is at most {result['fpr_bound']:.0%} with 95% confidence (the "
                "upper end of its exact interval).")
    return (f"Held-out false-positive rates whose 95% interval reaches above {result['fpr_bound']:.0%}: "
            f"{', '.join(over)}.")


def _tables(result: dict) -> list[str]:
    """False-positive and detection rates at the threshold, and AUCs, of every screen and combined screen."""
    entries = {**result["screens"], **result["combined"]}
    columns = " | ".join(COLLUSIVE) + " | all collusive |"
    lines = [f"## False-positive rate and detection rate at the threshold (held out; design rate "
             f"{calibration.ALPHA:.0%})", "",
             f"| screen | flags when | false positives | {columns}", "|---|---|---|" + "---|" * (len(COLLUSIVE) + 1)]
    for name, e in entries.items():
        cells = " | ".join(_rate(e["detection"][f]) for f in (*COLLUSIVE, "all"))
        lines.append(f"| {name} | {_threshold(e, e.get('suspicious', 'high'))} | {_rate(e['false_positive'])} | "
                     f"{cells} |")
    lines += ["", "## ROC AUC (held out; 0.5 = no better than chance, below 0.5 = the literature's direction is "
              "wrong for these algorithms)", "", f"| screen | {columns}", "|---|" + "---|" * (len(COLLUSIVE) + 1)]
    for name, e in entries.items():
        lines.append(f"| {name} | " + " | ".join(_area(e["auc"][f]) for f in (*COLLUSIVE, "all")) + " |")
    return lines


def markdown(result: dict, command: str) -> str:
    """The report: set-up, false-positive and detection rates, AUCs, ROC curves, notes, the screens."""
    lines = [*_setup(result, command), *_tables(result), "", "![held-out ROC curves](roc.png)", "",
             "## Reading these figures", "", *NOTES, "", "## The screens", "",
             "| screen | what it looks at | score | suspicious when | source |", "|---|---|---|---|---|"]
    for name, e in result["screens"].items():
        lines.append(f"| {name} | {e['sentence']} | {e['definition']} | {e['suspicious']} | {e['source']} |")
    lines += ["", "Formulas are in the docstrings of `experiments/screens/measures.py` and `comovement.py`. "
              "`combined` is a ridge logistic regression over all screens; `combined_prices_only` uses only the "
              "screens that need no cost or Nash price (what a regulator with scraped prices has). Their "
              "coefficients, in the screens' units, are in `calibration.json`.", ""]
    return "\n".join(lines)

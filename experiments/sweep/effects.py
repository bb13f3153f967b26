"""Effects in a sweep: each grid point against the point that differs only in one path, set to a baseline value.

Every grid point runs on the same seeds (common random numbers), so the run of replicate ``r`` at a
point and the run of replicate ``r`` at its baseline point form a pair; the effect of a value is
the mean paired difference across replicates, with the statistics of ``experiments.stats.paired``.
"""

import json

import polars as pl

from experiments.errors import UsageError
from experiments.stats import paired


def baseline_value(frame: pl.DataFrame, paths: list[str], path: str, value) -> object:
    """The value of swept column ``path`` that equals ``value`` (a list or table compares as its JSON text)."""
    if path not in paths:
        raise UsageError(f"--baseline {path}: not a swept path; swept: {', '.join(paths)}")
    values = frame[path].unique(maintain_order=True).to_list()
    text = json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else None
    for v in values:
        if v == value or (text is not None and v == text):
            return v
    raise UsageError(f"--baseline {path}={value!r}: not a swept value; values: {', '.join(map(str, values))}")


def paired_effects(frame: pl.DataFrame, paths: list[str], path: str, baseline, metrics: list[str]) -> pl.DataFrame:
    """One row per non-baseline value of ``path``, combination of the other paths, and metric: the baseline's
    mean, the point's mean and the paired statistics (difference, se, ci_low, ci_high, relative_change_pct, n)."""
    others = [p for p in paths if p != path]
    base = frame.filter(pl.col(path) == baseline).select(*others, "replicate", *metrics)
    treated = frame.filter(pl.col(path) != baseline)
    joined = treated.join(base, on=[*others, "replicate"], suffix="__base")
    rows = []
    for key, group in joined.group_by([path, *others], maintain_order=True):
        for metric in metrics:
            stats = paired(group[f"{metric}__base"].to_numpy(), group[metric].to_numpy())
            rows.append({**dict(zip([path, *others], key, strict=True)), "metric": metric,
                         "baseline": float(group[f"{metric}__base"].mean()), "mean": float(group[metric].mean()),
                         **stats})
    return pl.DataFrame(rows).sort([*others, path, "metric"]) if rows else pl.DataFrame()

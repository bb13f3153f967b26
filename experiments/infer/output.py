"""What ``pricelab infer PANEL`` prints and writes: a table, JSON, Parquet files and the scenario fragment.

Parquet files carry ``scenario`` (the panel's file name), ``seed`` (null: an observed panel has none) and
``run_id`` (the first 16 hex digits of the SHA-256 of the panel file's bytes: the same file gives the
same id on every machine).
"""

import hashlib
import json
import math
from pathlib import Path

import polars as pl

from market.observed.grid import Cells
from market.observed.infer import FAMILY, Fit
from market.observed.tracking import Tracking


def panel_id(path: str | Path) -> str:
    """The first 16 hex digits of the SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(2**24):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def _ids(path: str | Path, rows: int) -> dict:
    return {"scenario": pl.Series([Path(path).name] * rows, dtype=pl.String),
            "seed": pl.Series([None] * rows, dtype=pl.Int64),
            "run_id": pl.Series([panel_id(path)] * rows, dtype=pl.String)}


def fits_frame(path: str | Path, fits: list[Fit], tracked: list[Tracking]) -> pl.DataFrame:
    """One row per seller: its inferred rule, cadence, lag, scores, support and tracking correlation."""
    corr = {t.seller: t for t in tracked}
    rows = [{"seller": f.seller, "strategy": f.strategy, "params": json.dumps(f.params), "period": f.period,
             "phase": f.phase, "lag": f.lag, "lag_low": f.lag_range[0] if f.lag_range else None,
             "lag_high": f.lag_range[1] if f.lag_range else None, "tracks": f.tracks,
             "rule_family": FAMILY.get(f.strategy, "none"), "fit_score": f.score,
             "change_hits": f.change_hits, "non_change_hits": f.non_change_hits, "changes": f.changes,
             "observations": f.observations, "best_rule": f.best, "algorithmic": f.algorithmic,
             "rule_support": f.support.get("rule"), "period_support": f.support.get("period"),
             "lag_support": f.support.get("lag"), "tracking_correlation": corr[f.seller].score,
             "tracking_algorithmic": corr[f.seller].algorithmic} for f in fits]
    schema = {"period": pl.Int64, "phase": pl.Int64, "lag": pl.Int64, "lag_low": pl.Int64, "lag_high": pl.Int64,
              "strategy": pl.String, "tracks": pl.String, "rule_support": pl.Float64, "period_support": pl.Float64,
              "lag_support": pl.Float64}
    frame = pl.DataFrame(rows, schema_overrides=schema)
    return pl.DataFrame(_ids(path, frame.height)).hstack(frame)


def follows_frame(path: str | Path, fits: list[Fit]) -> pl.DataFrame:
    """One row per (follower, leader): moves, share of the follower's predicted moves, median delay."""
    rows = [{"follower": f.follower, "leader": f.leader, "moves": f.moves, "move_share": f.share,
             "delay_ticks": f.delay, "delay_minutes": f.delay_minutes} for fit in fits for f in fit.follows]
    frame = pl.DataFrame(rows, schema={"follower": pl.String, "leader": pl.String, "moves": pl.Int64,
                                       "move_share": pl.Float64, "delay_ticks": pl.Float64,
                                       "delay_minutes": pl.Float64})
    return pl.DataFrame(_ids(path, frame.height)).hstack(frame)


def _duration(minutes: float) -> str:
    minutes = round(minutes)
    if minutes == 0:
        return "0 min"
    if minutes % 1440 == 0:
        return f"{minutes / 1440:g} d"
    if minutes % 60 == 0:
        return f"{minutes / 60:g} h"
    return f"{minutes:g} min"


def _params(fit: Fit) -> str:
    return " ".join(f"{k}={v}" if isinstance(v, str) else f"{k}={v:.4g}" for k, v in fit.params.items())


def describe_grid(cells: Cells) -> str:
    observed = float((~pl.Series(cells.price.ravel()).is_nan()).mean())
    tick = f"ticks of {cells.tick:g} minutes" if cells.unit == "minutes" else f"ticks of {cells.tick:g} {cells.unit}"
    offset = f", cut {cells.offset:g} minutes past the clock's" if cells.offset else ""
    return (f"{cells.n_ticks:,} {tick} from {cells.time_of(0)}{offset}; {1 - observed:.0%} of seller-ticks without "
            f"an observation")


def print_report(path: str, cells: Cells, fits: list[Fit], tracked: list[Tracking], notes: tuple[str, ...]) -> None:
    """The table a user reads (module docstring)."""
    print(f"{path}: {cells.n_sellers} sellers; {describe_grid(cells)}")
    for note in notes:
        print(f"  note: {note}")
    print(f"  {'seller':<14}{'rule':<16}{'every':>8}{'at':>7}{'lag':>9}{'score':>7}{'changes':>8}{'support':>9}"
          f"  parameters")
    for fit in fits:
        every = _duration(cells.minutes(fit.period)) if fit.period else "-"
        at = f"+{fit.phase}" if fit.phase is not None else "-"
        lag = _duration(cells.minutes(fit.lag)) if fit.lag is not None else "-"
        rule = fit.strategy or f"none fits ({fit.best})"
        support = f"{fit.support['rule']:.0%}" if fit.support else "-"
        tracks = f" tracks={fit.tracks}" if fit.tracks else ""
        if fit.hours:
            tracks += (f"; reprices only {fit.hours.start}-{fit.hours.end} ({fit.hours.idle} moves due outside did "
                       f"not come)")
        if fit.reset:
            tracks += (f"; resets daily at {fit.reset.time} to {fit.reset.to:.4g} ({fit.reset.days} of "
                       f"{fit.reset.of_days} days), which the rule does not explain")
        print(f"  {fit.seller:<14}{rule:<16}{every:>8}{at:>7}{lag:>9}{fit.score:>7.3f}{fit.changes:>8}{support:>9}"
              f"  {_params(fit)}{tracks}")
    follows = [f for fit in fits for f in fit.follows]
    if follows:
        print("  who follows whom (moves the rule explains, median delay from the leader's change):")
        for f in follows:
            after = (f"after {_duration(f.delay_minutes)}" if math.isfinite(f.delay_minutes)
                     else "its price at the rule's lowest, unchanged in the panel")
            print(f"    {f.follower} follows {f.leader}: {f.moves} moves ({f.share:.0%}), {after}")
    print("  tracking correlation with the lowest rival / Buy Box price (a baseline in the manner of Chen, Mislove "
          "and Wilson 2016):")
    print("    " + "; ".join(f"{t.seller} {t.score:.2f}{' (algorithmic)' if t.algorithmic else ''}" for t in tracked))
    print("  'at' is the phase: ticks past midnight (plus the cut) at which the seller can reprice, modulo 'every'; "
          "'support' is the share of day-resamples that choose the same rule.")


def as_json(path: str, cells: Cells, fits: list[Fit], tracked: list[Tracking], notes: tuple[str, ...],
            not_tried: list[str]) -> dict:
    return {"panel": path, "grid": {"ticks": cells.n_ticks, "tick": cells.tick, "unit": cells.unit,
                                     "start": cells.time_of(0), "offset_minutes": cells.offset,
                                     "minutes_per_tick": cells.minutes(1)},
            "notes": list(notes), "sellers": [f.as_dict() for f in fits],
            "tracking": [t.as_dict() for t in tracked], "not_tried": not_tried}

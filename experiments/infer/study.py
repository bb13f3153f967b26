r"""The accuracy of ``pricelab infer`` on held-out engine panels with known repricers.

``specs`` draws the panels (seeds from ``SeedSequence(master_seed).spawn``); ``run`` simulates,
observes and infers each on any executor (the same rows whatever the executor, sorted by panel and
seller); ``evaluate`` compares inference with the truth:

- **rule**: the confusion matrix of strategies (rows: the truth; columns: what inference says, "none"
  for none fits) and the share right, per strategy and per family (``market.observed.infer.FAMILY``);
- **cadence**: the share of sellers whose inferred period is within one tick of the true one, and
  whose phase is too (circularly, modulo the true period), and whose true period is within a tick of
  one of the periods that fit as well as the one reported (``periods``: where the data cannot tell a
  seller that reacts at once from one that waits for its wake, inference says which it cannot tell),
  over the sellers whose price changed at least ``MIN_CHANGES`` times: a cadence and a lag show only
  through moves, and with fewer the wait for a wake and the staleness of what a seller sees cannot be
  told apart (a daily repricer makes at most 14 moves in two weeks); ``by_changes`` gives every
  figure at other minimums too;
- **lag**: the share within one tick of the true lag, over the sellers of a rule that reads rivals'
  prices with at least ``MIN_CHANGES`` changes, and the share whose true lag lies in the range of
  equally good lags that inference reports;
- **algorithmic or not**: the truth is whether the seller's rule reads rivals' prices; inference says
  so of the rule it found, the baseline in the manner of Chen, Mislove and Wilson (2016) of a tracking
  correlation (:mod:`market.observed.tracking`): accuracy, precision and recall with exact 95% intervals.

Shares carry exact (Clopper-Pearson) 95% intervals. The true phase is counted as inference counts it,
in ticks from the panel's first midnight: :math:`(\phi - b) \bmod P` for a burn-in of :math:`b` ticks.
"""

import json
import time

import numpy as np
import polars as pl

from experiments.infer import panels
from experiments.screens.calibration import Rate
from experiments.stats import spawn_seeds
from market import results
from market.observed import grid, infer, read, tracking
from market.strategies import get

MIN_PANELS = 10
MIN_CHANGES = 10
THRESHOLDS = (0, 2, 10, 20)
RESAMPLES = 100


def specs(n_panels: int, master_seed: int) -> list[panels.PanelSpec]:
    return [panels.PanelSpec(k, seed) for k, seed in enumerate(spawn_seeds(master_seed, n_panels))]


def run_panel(spec: panels.PanelSpec) -> list[dict]:
    """One row per seller of the panel: the truth, what inference says, the baseline's call, and timings."""
    market = panels.build(spec)
    scenario, known, burn_in = market.scenario, market.cost_known, market.burn_in
    price, cost = panels.simulate(scenario, spec.seed)
    frame = panels.observe(spec, scenario, price, cost, known, burn_in, market.clock_offset)
    started = time.perf_counter()
    cells = grid.cells(read.observations(frame, where=scenario.name))
    fits = {f.seller: f for f in infer.infer(cells, resamples=RESAMPLES, seed=spec.seed)}
    elapsed = time.perf_counter() - started
    tracked = {t.seller: t for t in tracking.tracking(cells)}
    rows = []
    for i, seller in enumerate(scenario.sellers):
        fit, truth = fits[seller.name], seller.strategy
        observed = price[burn_in:burn_in + panels.DAYS * 144, i]
        rows.append({
            "scenario": scenario.name, "seed": spec.seed, "run_id": results.run_id(scenario), "panel": spec.index,
            "market": market.kind, "n_sellers": scenario.n_sellers, "seller": seller.name,
            "cost_known": bool(known[i]),
            "true_strategy": truth, "true_rule_family": infer.FAMILY[truth],
            "true_period": seller.period, "true_phase": (seller.phase - burn_in) % seller.period,
            "true_lag": seller.lag, "reads_rivals": get(truth).uses_rival_prices,
            "moves": int(np.count_nonzero(np.diff(observed))), "changes": fit.changes,
            "strategy": fit.strategy or "none", "rule_family": infer.FAMILY.get(fit.strategy, "none"),
            "period": fit.period, "periods": json.dumps(list(fit.periods)), "phase": fit.phase, "lag": fit.lag,
            "lag_low": fit.lag_range[0] if fit.lag_range else None,
            "lag_high": fit.lag_range[1] if fit.lag_range else None, "fit_score": fit.score,
            "rule_support": fit.support.get("rule"), "algorithmic": fit.algorithmic,
            "tracking_correlation": tracked[seller.name].score,
            "tracking_algorithmic": tracked[seller.name].algorithmic, "infer_seconds": elapsed / len(fits)})
    return rows


def run(items: list[panels.PanelSpec], executor, progress=None) -> pl.DataFrame:
    """Every panel's rows, sorted by panel and seller order."""
    rows = []
    for found in executor.imap(run_panel, items):
        rows += found
        if progress is not None:
            progress()
    schema = {"seed": pl.Int64, "period": pl.Int64, "phase": pl.Int64, "lag": pl.Int64, "lag_low": pl.Int64,
              "lag_high": pl.Int64, "rule_support": pl.Float64}
    frame = pl.DataFrame(rows, schema_overrides=schema)
    order = frame.with_columns(pl.col("seller").cum_count().over("panel").alias("_k"))
    return order.sort("panel", "_k").drop("_k")


def _share(hits: np.ndarray) -> dict:
    return Rate(int(np.sum(hits)), int(np.size(hits))).as_dict()


def _circular(a: np.ndarray, b: np.ndarray, period: np.ndarray) -> np.ndarray:
    d = np.abs(a - b) % period
    return np.minimum(d, period - d)


def confusion(frame: pl.DataFrame, truth: str, said: str) -> dict:
    """``{true: {said: count}}`` over the rows of ``frame``."""
    counts = frame.group_by(truth, said).len()
    table: dict = {}
    for row in counts.iter_rows(named=True):
        table.setdefault(row[truth], {})[row[said]] = int(row["len"])
    return {k: dict(sorted(v.items())) for k, v in sorted(table.items())}


def _cadence(frame: pl.DataFrame, least: int = MIN_CHANGES) -> dict:
    moved = frame.filter((pl.col("changes") >= max(least, 1)) & pl.col("period").is_not_null())
    unmoved = frame.height - moved.height
    period_ok = np.abs(moved["period"].to_numpy() - moved["true_period"].to_numpy()) <= 1
    phase_ok = period_ok & (_circular(moved["phase"].to_numpy(), moved["true_phase"].to_numpy(),
                                      moved["true_period"].to_numpy()) <= 1)
    in_set = np.array([any(abs(p - truth) <= 1 for p in json.loads(periods)) for periods, truth in
                       zip(moved["periods"], moved["true_period"], strict=True)], dtype=bool)
    by_period = {int(p): _share(period_ok[(moved["true_period"] == p).to_numpy()])
                 for p in sorted(moved["true_period"].unique())}
    by_market = {kind: _share(period_ok[(moved["market"] == kind).to_numpy()])
                 for kind in sorted(moved["market"].unique())}
    return {"sellers": moved.height, "not_counted": unmoved, "period_within_one_tick": _share(period_ok),
            "phase_within_one_tick": _share(phase_ok), "period_among_equally_good": _share(in_set),
            "by_true_period": by_period, "by_market": by_market}


def _lag(frame: pl.DataFrame, least: int = MIN_CHANGES) -> dict:
    rows = frame.filter(pl.col("reads_rivals") & (pl.col("changes") >= max(least, 1)))
    lag = rows["lag"].fill_null(-10**6).to_numpy()
    true = rows["true_lag"].to_numpy()
    within = np.abs(lag - true) <= 1
    low, high = rows["lag_low"].fill_null(10**6).to_numpy(), rows["lag_high"].fill_null(-10**6).to_numpy()
    return {"sellers": rows.height, "within_one_tick": _share(within),
            "in_reported_range": _share((low - 1 <= true) & (true <= high + 1)),
            "by_true_period": {int(p): _share(within[(rows["true_period"] == p).to_numpy()])
                               for p in sorted(rows["true_period"].unique())}}


def _by_changes(frame: pl.DataFrame, least: int) -> dict:
    """Rule, family, period and lag figures over the sellers with at least ``least`` observed changes."""
    rows = frame.filter(pl.col("changes") >= least)
    return {"sellers": rows.height,
            "strategy": _share((rows["true_strategy"] == rows["strategy"]).to_numpy()),
            "family": _share((rows["true_rule_family"] == rows["rule_family"]).to_numpy()),
            "period": _cadence(frame, least)["period_within_one_tick"],
            "lag": _lag(frame, least)["within_one_tick"]}


def _classifier(truth: np.ndarray, said: np.ndarray) -> dict:
    return {"accuracy": _share(truth == said), "precision": _share(truth[said]), "recall": _share(said[truth])}


def evaluate(frame: pl.DataFrame, master_seed: int, elapsed: float) -> dict:
    """The accuracy figures (module docstring)."""
    rule_ok = (frame["true_strategy"] == frame["strategy"]).to_numpy()
    family_ok = (frame["true_rule_family"] == frame["rule_family"]).to_numpy()
    moved = (frame["changes"] >= MIN_CHANGES).to_numpy()
    truth = frame["reads_rivals"].to_numpy()
    return {
        "panels": int(frame["panel"].n_unique()), "sellers": frame.height, "master_seed": master_seed,
        "observation": {"sampling_minutes": panels.PanelSpec(0, 0).sampling, "missing": panels.PanelSpec(0, 0).missing,
                        "jitter_sd_minutes": panels.JITTER, "days": panels.DAYS},
        "rule": {"strategy": _share(rule_ok), "family": _share(family_ok), "strategy_moved": _share(rule_ok[moved]),
                 "family_moved": _share(family_ok[moved]), "few_changes": int((~moved).sum()),
                 "by_strategy": {s: _share(rule_ok[(frame["true_strategy"] == s).to_numpy()])
                                 for s in sorted(frame["true_strategy"].unique())},
                 "confusion": confusion(frame, "true_strategy", "strategy"),
                 "family_confusion": confusion(frame, "true_rule_family", "rule_family")},
        "cadence": _cadence(frame), "lag": _lag(frame),
        "by_changes": {str(least): _by_changes(frame, least) for least in THRESHOLDS},
        "algorithmic": {"infer": _classifier(truth, frame["algorithmic"].to_numpy()),
                        "tracking_baseline": _classifier(truth, frame["tracking_algorithmic"].to_numpy()),
                        "thresholds": {"min_correlation": tracking.MIN_CORRELATION,
                                       "min_changes": tracking.MIN_CHANGES}},
        "timing": {"seconds": round(elapsed, 1), "infer_seconds_per_seller": float(frame["infer_seconds"].mean())},
    }

"""The calibration study: simulate the markets, score them, set thresholds, measure error rates on held-out markets.

``specs`` draws the markets (two thirds competitive, so that thresholds and false-positive rates rest on
many competitive markets; one third collusive; each spread evenly over the families of
:mod:`experiments.screens.markets`, seeds from ``SeedSequence(master_seed).spawn``);
``simulate`` scores them on any executor (the same rows whatever the executor, sorted by family
and index); ``evaluate`` turns the rows into the calibration (:mod:`experiments.screens.calibration`).
"""

import numpy as np
import polars as pl

from experiments.screens import calibration, markets
from experiments.screens.markets import COLLUSIVE, COMPETITIVE, MarketSpec
from experiments.screens.simulate import score_market
from experiments.stats import spawn_seeds
from market.screens import catalog

MIN_MARKETS = 4 * (len(COMPETITIVE) + len(COLLUSIVE))
COMPETITIVE_SHARE = 2 / 3
PRICE_ONLY = tuple(s.name for s in catalog.SCREENS if s.needs is None)
COMBINED = {"combined": catalog.NAMES, "combined_prices_only": PRICE_ONLY}


def specs(n_markets: int, master_seed: int) -> list[MarketSpec]:
    """``n_markets`` markets: ``COMPETITIVE_SHARE`` competitive, the rest collusive, each spread evenly over its
    families (at least four markets a family)."""
    counts = {}
    competitive = max(round(n_markets * COMPETITIVE_SHARE), 4 * len(COMPETITIVE))
    for group, size in ((COMPETITIVE, competitive), (COLLUSIVE, n_markets - competitive)):
        counts.update({family: size // len(group) + (k < size % len(group)) for k, family in enumerate(group)})
    plan = [(family, index) for family in COMPETITIVE + COLLUSIVE for index in range(counts[family])]
    seeds = spawn_seeds(master_seed, len(plan))
    return [MarketSpec(family, index, seed) for (family, index), seed in zip(plan, seeds, strict=True)]


def simulate(items: list[MarketSpec], executor, progress=None) -> pl.DataFrame:
    """One row per market (its facts and scores) with its ``role``, sorted by family order and index."""
    rows = []
    for row in executor.imap(score_market, items):
        rows.append(row)
        if progress is not None:
            progress()
    order = {family: k for k, family in enumerate(COMPETITIVE + COLLUSIVE)}
    rows.sort(key=lambda r: (order[r["family"]], r["index"]))
    return pl.DataFrame(rows).with_columns(pl.col("index").map_elements(calibration.role, return_dtype=pl.String)
                                           .alias("split"))


def _oriented(frame: pl.DataFrame, name: str) -> np.ndarray:
    return catalog.BY_NAME[name].orient(frame[name].to_numpy())


def _figures(held: pl.DataFrame, scores: np.ndarray, tau: float) -> dict:
    """Held-out false-positive rate (with its interval's upper end, which must stay at or below
    ``calibration.FPR_BOUND``), detection rate and AUC per collusion type (and all types together)."""
    competitive = scores[~held["collusive"].to_numpy()]
    detection, area = {}, {}
    for family in (*COLLUSIVE, "all"):
        mask = held["collusive"].to_numpy() if family == "all" else (held["family"] == family).to_numpy()
        detection[family] = calibration.flag_rate(scores[mask], tau).as_dict()
        value, ci = calibration.auc(competitive, scores[mask])
        area[family] = {"auc": value, "ci": list(ci)}
    return {"false_positive": calibration.flag_rate(competitive, tau).as_dict(), "detection": detection, "auc": area}


def _certainty(m: int) -> dict:
    """The threshold's rank among ``m`` competitive calibration markets and the confidence that its FPR <= 5%."""
    k = calibration.rank(m)
    return {"calibration_markets": m, "rank": k, "confidence": calibration.confidence(m, k)}


def _screen(frame: pl.DataFrame, name: str) -> dict:
    screen = catalog.BY_NAME[name]
    calibrating = frame.filter((pl.col("split") != "held_out") & ~pl.col("collusive"))
    tau = calibration.threshold(_oriented(calibrating, name))
    held = frame.filter(pl.col("split") == "held_out")
    natural = None if not np.isfinite(tau) else float(screen.orient(tau))
    return {"suspicious": screen.suspicious, "definition": screen.definition, "source": screen.source,
            "sentence": screen.sentence, "threshold": natural, "inert": screen.inert(natural),
            **_certainty(calibrating.height), **_figures(held, _oriented(held, name), tau)}


def _combined(frame: pl.DataFrame, names: tuple[str, ...]) -> dict:
    fit = frame.filter(pl.col("split") == "fit")
    model = calibration.Logistic.fit(fit.select(names).to_numpy(), fit["collusive"].to_numpy())
    tune = frame.filter((pl.col("split") == "tune") & ~pl.col("collusive"))
    tau = calibration.threshold(model.score(tune.select(names).to_numpy()))
    held = frame.filter(pl.col("split") == "held_out")
    figures = _figures(held, model.score(held.select(names).to_numpy()), tau)
    return {"screens": list(names), "intercept": model.intercept,
            "coefficient": dict(zip(names, model.coefficient.tolist(), strict=True)),
            "threshold": tau if np.isfinite(tau) else None, "inert": not np.isfinite(tau),
            **_certainty(tune.height), **figures}


def families(frame: pl.DataFrame) -> dict:
    """Per family: collusive or not, markets (held out), mean Delta, learners converged."""
    summary = {}
    for family in COMPETITIVE + COLLUSIVE:
        rows = frame.filter(pl.col("family") == family)
        summary[family] = {"collusive": family in COLLUSIVE, "markets": rows.height,
                           "held_out": rows.filter(pl.col("split") == "held_out").height,
                           "mean_delta": float(rows["delta"].mean()), "converged": int(rows["converged"].sum()),
                           "learns": family in markets.LEARNING}
    return summary


def coverage(frame: pl.DataFrame) -> dict:
    """What the calibration's markets span: each screen's lowest and highest score, the number of sellers and the
    mean price level (a panel outside these is unlike every simulated market: ``market.screens.apply``)."""
    spans = {name: [float(np.nanmin(frame[name].to_numpy())), float(np.nanmax(frame[name].to_numpy()))]
             for name in catalog.NAMES}
    return {"screens": spans, "n_sellers": [int(frame["n_sellers"].min()), int(frame["n_sellers"].max())],
            "mean_price": [float(frame["mean_price"].min()), float(frame["mean_price"].max())]}


def evaluate(frame: pl.DataFrame, master_seed: int) -> dict:
    """The calibration: thresholds, held-out error rates and AUCs of every screen and the combined screens."""
    return {"alpha": calibration.ALPHA, "delta": calibration.DELTA, "fpr_bound": calibration.FPR_BOUND,
            "markets": frame.height, "master_seed": master_seed,
            "panel": {"ticks": markets.PANEL_TICKS, "step": 1.0, "unit": "ticks of 10 minutes"},
            "coverage": coverage(frame), "families": families(frame),
            "screens": {name: _screen(frame, name) for name in catalog.NAMES},
            "combined": {label: _combined(frame, names) for label, names in COMBINED.items()}}

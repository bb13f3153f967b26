"""Paired comparison of arms: one market under several variants, on the same seeds.

Every arm runs from the same seeds (common random numbers), so the difference between an arm
and the baseline (the first arm) on a seed is due to the variant alone. Learners are trained
first where the scenario asks for it (``[training]``; ``market.training.run``), so each arm is
measured on the play of its own trained algorithms, and each run says whether its learners
converged. Outcomes are measured at three levels, the market, each role present and each seller
(``market.results.outcomes``).
"""

import polars as pl

from experiments.arms import Arm
from experiments.stats import paired, spawn_seeds
from market import results, training
from market.scenario import Scenario

KEY = ("level", "name", "metric")


def measure(scenario: Scenario) -> tuple[dict, list[tuple[str, str, str, float]]]:
    """Run ``scenario`` (trained first where it asks) and return its training columns and its outcomes as
    ``(level, name, metric, value)`` (``market.results.outcomes``)."""
    state, trained = training.run(scenario)
    return training.columns(trained, state), results.outcomes(state, scenario)


def run_arms(arms: list[Arm], n_seeds: int, progress=None) -> pl.DataFrame:
    """Every arm on seeds ``spawn_seeds(baseline seed, n_seeds)``, in long form: one row per seed, arm and
    outcome (``seed, arm, level, name, metric, value``) with the run's training columns."""
    rows = []
    for seed in spawn_seeds(arms[0].scenario.seed, n_seeds):
        for arm in arms:
            columns, outcomes = measure(arm.scenario.replace(seed=seed))
            rows += [{"seed": seed, "arm": arm.name, "level": level, "name": name, "metric": metric, "value": value,
                      **columns} for level, name, metric, value in outcomes]
        if progress:
            progress()
    return pl.DataFrame(rows, schema_overrides={"converged": pl.Boolean, "seed": pl.UInt64})


def differences(runs: pl.DataFrame, baseline: str) -> pl.DataFrame:
    """For every other arm and outcome: both means and the paired statistics of ``experiments.stats.paired``."""
    base = runs.filter(pl.col("arm") == baseline).select("seed", *KEY, pl.col("value").alias("base"))
    rows = []
    for arm in runs["arm"].unique(maintain_order=True):
        if arm == baseline:
            continue
        joined = runs.filter(pl.col("arm") == arm).join(base, on=["seed", *KEY]).sort("seed")
        for key, group in joined.group_by(KEY, maintain_order=True):
            stats = paired(group["base"].to_numpy(), group["value"].to_numpy())
            rows.append({"arm": arm, **dict(zip(KEY, key, strict=True)), "baseline": _mean(group["base"]),
                         "mean": _mean(group["value"]), **stats})
    return pl.DataFrame(rows, schema_overrides={"n": pl.Int64})


def convergence(runs: pl.DataFrame) -> pl.DataFrame:
    """Per arm: runs, learners, runs trained, share of trained runs that converged, mean training ticks."""
    per_run = runs.unique(["seed", "arm"], maintain_order=True)
    return per_run.group_by("arm", maintain_order=True).agg(
        pl.len().alias("runs"), pl.col("learners").max(), pl.col("trained").sum().alias("trained_runs"),
        pl.col("converged").cast(pl.Float64).mean().alias("converged_share"),
        pl.col("training_ticks").mean().alias("training_ticks_mean"))


def _mean(values: pl.Series) -> float:
    finite = values.filter(values.is_finite())
    return float(finite.mean()) if finite.len() else float("nan")

"""Paired comparison of arms: one market under several variants, on the same seeds.

Every arm runs from the same seeds (common random numbers), so the difference between an arm
and the baseline (the first arm) on a seed is due to the variant alone. Learners are trained
first where the scenario asks for it (``[training]``; ``market.training.run``), so each arm is
measured on the play of its own trained algorithms, and each run says whether its learners
converged. Outcomes are measured at three levels, the market, each role present and each seller
(``market.results.outcomes``). Parameters drawn per seed (``experiments.uncertainty``) are the same
in every arm of a seed. A package arm's effect splits into its parts' effects and their interaction
(``decomposition``), each paired on the same seeds.
"""

import numpy as np
import polars as pl

from experiments.arms import Arm
from experiments.stats import mean_ci, paired, spawn_seeds
from experiments.uncertainty import Vary, draws
from market import results, training
from market.scenario import Scenario

KEY = ("level", "name", "metric")


def measure(scenario: Scenario) -> tuple[dict, list[tuple[str, str, str, float]]]:
    """Run ``scenario`` (trained first where it asks) and return its training columns and its outcomes as
    ``(level, name, metric, value)`` (``market.results.outcomes``)."""
    state, trained = training.run(scenario)
    return training.columns(trained, state), results.outcomes(state, scenario)


def seeds(arms: list[Arm], n_seeds: int) -> list[int]:
    """The run seeds: ``spawn_seeds`` of the baseline scenario's seed."""
    return spawn_seeds(arms[0].scenario.seed, n_seeds)


def seeded(arm: Arm, seed: int, varies: list[Vary]) -> Scenario:
    """The arm's scenario on run seed ``seed``, with that seed's draws of the varied parameters."""
    drawn = draws(varies, seed)
    return (arm.scenario.with_values(drawn) if drawn else arm.scenario).replace(seed=seed)


def run_arms(arms: list[Arm], n_seeds: int, varies: list[Vary] = (), progress=None) -> pl.DataFrame:
    """Every arm on the same ``seeds(arms, n_seeds)``, in long form: one row per seed, arm and outcome
    (``seed, arm, level, name, metric, value``) with the run's training columns and its drawn parameters
    (a column per varied path)."""
    rows = []
    for seed in seeds(arms, n_seeds):
        drawn = draws(varies, seed)
        for arm in arms:
            scenario = seeded(arm, seed, varies)
            columns, outcomes = measure(scenario)
            ids = {"scenario": scenario.name, "seed": seed, "run_id": results.run_id(scenario)}
            rows += [{**ids, "arm": arm.name, "level": level, "name": name, "metric": metric, "value": value,
                      **columns, **drawn} for level, name, metric, value in outcomes]
        if progress:
            progress()
    return pl.DataFrame(rows, schema_overrides={"converged": pl.Boolean, "seed": pl.Int64})


def series(arms: list[Arm], seed: int, varies: list[Vary] = ()) -> pl.DataFrame:
    """Each arm's recorded prices and Buy Box holder on one seed (``market.results.timeseries``), with ``arm``."""
    frames = []
    for arm in arms:
        scenario = seeded(arm, seed, varies)
        state, _ = training.run(scenario)
        frames.append(results.timeseries(state, scenario).select(
            *results.ID_COLUMNS, pl.lit(arm.name).alias("arm"), "tick", "day", "seller", "price", "featured"))
    return pl.concat(frames)


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


def decomposition(runs: pl.DataFrame, baseline: str, arms: list[Arm]) -> pl.DataFrame:
    r"""For each package arm P with parts :math:`p_1..p_k` (``experiments.arms.decompose``): each part's effect
    :math:`x_{p_i} - x_B`, their sum, the package's effect :math:`x_P - x_B` and the interaction
    :math:`(x_P - x_B) - \sum_i (x_{p_i} - x_B)`, each a mean over seeds with its 95% interval; rows
    ``package, component, level, name, metric, difference, ci_low, ci_high, n``."""
    wide = runs.pivot("arm", index=["seed", *KEY], values="value")
    rows = []
    for package in dict.fromkeys(a.part_of for a in arms if a.part_of):
        parts = {a.name.split("~", 1)[1]: pl.col(a.name) - pl.col(baseline) for a in arms if a.part_of == package}
        total = pl.sum_horizontal(*parts.values())
        effect = pl.col(package) - pl.col(baseline)
        components = wide.select("seed", *KEY, *[e.alias(label) for label, e in parts.items()],
                                 total.alias("sum of parts"), (effect - total).alias("interaction"),
                                 effect.alias("package"))
        long = components.unpivot(index=["seed", *KEY], variable_name="component", value_name="effect")
        for key, group in long.group_by(["component", *KEY], maintain_order=True):
            values = group["effect"].to_numpy()
            values = values[np.isfinite(values)]
            mean, low, high = mean_ci(values) if values.size else (float("nan"),) * 3
            rows.append({"package": package, **dict(zip(["component", *KEY], key, strict=True)),
                         "difference": mean, "ci_low": low, "ci_high": high, "n": int(values.size)})
    return pl.DataFrame(rows, schema_overrides={"n": pl.Int64}) if rows else pl.DataFrame()


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

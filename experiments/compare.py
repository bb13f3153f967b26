"""Paired comparison of arms: one market under several variants, on the same seeds.

Every arm runs from the same seeds (common random numbers), so the difference between an arm
and the baseline (the first arm) on a seed is due to the variant alone. Each run is measured as
every door measures it (``market.training.measured``): learners trained first where the scenario
asks for it (``[training]``), then the warm-up of a ``[measure]`` table (``market.settling``), so
each arm is measured on its own settled market, and each run says whether its learners converged
and its prices settled. Outcomes are measured at three levels, the market, each role present and
each seller (``market.results.outcomes``), over the horizon and over the whole run, warm-up
included (``whole_run``), so a report can say when the two disagree. Parameters drawn per seed
(``experiments.uncertainty``) are the same in every arm of a seed. A package arm's effect splits
into its parts' effects and their interaction (``decomposition``), each paired on the same seeds.

The arms of a seed run together (:func:`measure_together`): arms that detect their warm-up
(``"auto"``) are measured from the longest of theirs, on the same ticks. Seeds are independent, so
``workers`` spawned processes (``experiments.sweep.executors``) give the same numbers as one: a
seed's result depends on its scenarios only, and rows are put in the order of seeds and arms
whatever order the seeds end in.
"""

import numpy as np
import polars as pl

from experiments.arms import Arm
from experiments.stats import mean_ci, paired, spawn_seeds
from experiments.uncertainty import Vary, draws
from market import engine, results, settling, training
from market.scenario import Scenario
from market.training import Prepared

KEY = ("level", "name", "metric")
Outcomes = list[tuple[str, str, str, float]]


def measure(scenario: Scenario) -> tuple[dict, Outcomes]:
    """Run ``scenario`` (trained first and warmed up where it asks: ``market.training.measured``) and return its
    training and warm-up columns (``market.training.columns``, ``market.settling.columns``) and its outcomes as
    ``(level, name, metric, value)`` (``market.results.outcomes``)."""
    state, trained, warm_up = training.measured(scenario)
    return {**training.columns(trained, state), **settling.columns(warm_up)}, results.outcomes(state, scenario)


def measure_together(scenarios: list[Scenario]) -> list[Prepared]:
    """The arms of one seed, each run as :func:`measure` runs it, except that arms with an ``"auto"`` warm-up are all
    measured from the longest of their warm-ups (``market.settling.extend``): their horizons then cover the same
    ticks, so their Poisson arrivals are common (the paired design) even when the arms settle at different times."""
    prepared = [training.ready(scenario) for scenario in scenarios]
    auto = [_auto(scenario) for scenario in scenarios]
    common = max((p.warm_up.ticks for p, a in zip(prepared, auto, strict=True) if a), default=0)
    together = []
    for scenario, p, a in zip(scenarios, prepared, auto, strict=True):
        warm_up = settling.extend(p.state, p.warm_up, common) if a else p.warm_up
        engine.advance(p.state, scenario.horizon)
        together.append(p._replace(warm_up=warm_up))
    return together


def _auto(scenario: Scenario) -> bool:
    return scenario.measure is not None and scenario.measure.warm_up == "auto"


def seeds(arms: list[Arm], n_seeds: int) -> list[int]:
    """The run seeds: ``spawn_seeds`` of the baseline scenario's seed."""
    return spawn_seeds(arms[0].scenario.seed, n_seeds)


def seeded(arm: Arm, seed: int, varies: list[Vary]) -> Scenario:
    """The arm's scenario on run seed ``seed``, with that seed's draws of the varied parameters."""
    drawn = draws(varies, seed)
    return (arm.scenario.with_values(drawn) if drawn else arm.scenario).replace(seed=seed)


def run_arms(arms: list[Arm], n_seeds: int, varies: list[Vary] = (), progress=None, workers: int = 1) -> pl.DataFrame:
    """Every arm on the same ``seeds(arms, n_seeds)`` (:func:`measure_together`), in long form: one row per seed,
    arm and outcome (``seed, arm, level, name, metric, value, whole_run``) with the run's training and warm-up
    columns and its drawn parameters (a column per varied path). ``workers`` > 1 runs the seeds in that many
    spawned processes, with the same result; ``progress`` is called once a seed."""
    from experiments.sweep.executors import Processes, Serial

    run_seeds = seeds(arms, n_seeds)
    plan = [[seeded(arm, seed, varies).model_dump() for arm in arms] for seed in run_seeds]
    measured = [None] * len(plan)
    with Serial() if workers <= 1 else Processes(workers) as pool:
        if workers > 1:
            engine.prepare(Scenario.from_dict(data) for data in plan[0])  # compile once; workers load the kernels
        for k, result in pool.imap(_seed_outcomes, list(enumerate(plan))):
            measured[k] = result
            if progress:
                progress()
    rows = []
    for seed, per_arm in zip(run_seeds, measured, strict=True):
        drawn = draws(varies, seed)
        for arm, (columns, outcomes, whole) in zip(arms, per_arm, strict=True):
            scenario = seeded(arm, seed, varies)
            ids = {"scenario": scenario.name, "seed": seed, "run_id": results.run_id(scenario)}
            rows += [{**ids, "arm": arm.name, "level": level, "name": name, "metric": metric, "value": value,
                      "whole_run": whole_value, **columns, **drawn}
                     for (level, name, metric, value), (*_, whole_value) in zip(outcomes, whole, strict=True)]
    return pl.DataFrame(rows, schema_overrides={"converged": pl.Boolean, "seed": pl.Int64, "settled": pl.Boolean,
                                                "settled_by": pl.String})


def _seed_outcomes(item: tuple[int, list[dict]]) -> tuple[int, list[tuple[dict, Outcomes, Outcomes]]]:
    """``(k, per arm: columns, outcomes over the horizon and over the whole run)`` for the k-th seed's arms, sent as
    data (what a worker process receives; a pool's results come back in any order)."""
    k, data = item
    scenarios = [Scenario.from_dict(d) for d in data]
    return k, [({**training.columns(p.trained, p.state), **settling.columns(p.warm_up)},
                results.outcomes(p.state, scenario),
                results.outcomes(settling.whole(p.state, p.warm_up), scenario))
               for scenario, p in zip(scenarios, measure_together(scenarios), strict=True)]


def series(arms: list[Arm], seed: int, varies: list[Vary] = ()) -> pl.DataFrame:
    """Each arm's recorded prices and Buy Box holder on one seed (``market.results.timeseries``), with ``arm``."""
    scenarios = [seeded(arm, seed, varies) for arm in arms]
    return pl.concat([results.timeseries(p.state, scenario).select(
        *results.ID_COLUMNS, pl.lit(arm.name).alias("arm"), "tick", "day", "seller", "price", "featured")
        for arm, scenario, p in zip(arms, scenarios, measure_together(scenarios), strict=True)])


def differences(runs: pl.DataFrame, baseline: str) -> pl.DataFrame:
    """For every other arm and outcome: both means, the paired statistics of ``experiments.stats.paired``, and
    ``whole_difference``, the mean paired difference over the whole runs (warm-up included)."""
    base = runs.filter(pl.col("arm") == baseline).select("seed", *KEY, pl.col("value").alias("base"),
                                                         pl.col("whole_run").alias("base_whole"))
    rows = []
    for arm in runs["arm"].unique(maintain_order=True):
        if arm == baseline:
            continue
        joined = runs.filter(pl.col("arm") == arm).join(base, on=["seed", *KEY]).sort("seed")
        for key, group in joined.group_by(KEY, maintain_order=True):
            stats = paired(group["base"].to_numpy(), group["value"].to_numpy())
            whole = paired(group["base_whole"].to_numpy(), group["whole_run"].to_numpy())["difference"]
            rows.append({"arm": arm, **dict(zip(KEY, key, strict=True)), "baseline": _mean(group["base"]),
                         "mean": _mean(group["value"]), **stats, "whole_difference": whole})
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


def warm_ups(runs: pl.DataFrame) -> pl.DataFrame:
    """Per arm: runs, runs warmed up, the warm-up's mean, least and most ticks, the share of warmed-up runs whose
    prices had settled, how they settled (``cycle``, ``drift``, or both) and the cycles' periods found (ticks)."""
    per_run = runs.unique(["seed", "arm"], maintain_order=True)
    return per_run.group_by("arm", maintain_order=True).agg(
        pl.len().alias("runs"), pl.col("settled").is_not_null().sum().alias("warmed_runs"),
        pl.col("warm_up_ticks").mean().alias("warm_up_ticks_mean"),
        pl.col("warm_up_ticks").min().alias("warm_up_ticks_min"),
        pl.col("warm_up_ticks").max().alias("warm_up_ticks_max"),
        pl.col("settled").cast(pl.Float64).mean().alias("settled_share"),
        pl.col("settled_by").drop_nulls().unique().sort().str.join(", ").alias("settled_by"),
        pl.col("cycle_ticks").filter(pl.col("cycle_ticks") > 0).unique().sort().alias("cycles"))


def disagree(settled: float, whole: float, scale: float) -> bool:
    r"""Whether the effect measured on the settled market and over the whole run (warm-up included) tell different
    stories: they differ in sign, or by more than half the larger, :math:`|s - w| > \max(|s|, |w|) / 2` (a sign
    change always does). Effects below :math:`10^{-12}` of ``scale`` (the baseline's level) are float noise: 0."""
    largest = max(abs(settled), abs(whole))
    return largest > 1e-12 * max(abs(scale), 1.0) and abs(settled - whole) > largest / 2


def _mean(values: pl.Series) -> float:
    finite = values.filter(values.is_finite())
    return float(finite.mean()) if finite.len() else float("nan")

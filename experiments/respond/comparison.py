r"""``compare --respond``: every arm measured again after the responders re-tune, and the two effects side by side.

Before an arm is measured with firms responding, the responders choose their settings in that arm
(:func:`experiments.respond.equilibrium.equilibrium`, on the comparison's first seeds, one pool of worker
processes for all arms). Each arm is then measured at its own equilibrium on the same seeds as the arms
with settings fixed, and compared with the baseline at *its* equilibrium: the rule's effect with firms
responding is :math:`x(\text{arm at its equilibrium}) - x(\text{baseline at its equilibrium})`, beside the
effect with settings fixed, :math:`x(\text{arm}) - x(\text{baseline})`. A package's parts are measured with
settings fixed only.
"""

from dataclasses import dataclass, replace

import polars as pl

from experiments.arms import Arm
from experiments.compare import KEY, differences, run_arms, series
from experiments.compare import seeds as run_seeds
from experiments.respond.equilibrium import Equilibrium, equilibrium, search_seeds
from experiments.respond.plan import Plan
from experiments.sweep.executors import Processes, Serial

RESPONDING = "responding"  # the sub-folder with the comparison of the arms at their equilibria
STATISTICS = ("baseline", "mean", "difference", "se", "ci_low", "ci_high", "relative_change_pct", "n")


@dataclass(frozen=True)
class Responding:
    """The equilibria found (``found``, by arm name), the arms at them, their runs on the comparison's seeds and
    their paired differences from the baseline at its equilibrium (``table``)."""

    found: dict[str, Equilibrium]
    arms: list[Arm]
    runs: pl.DataFrame
    table: pl.DataFrame


def primary(arms: list[Arm]) -> list[Arm]:
    """The arms firms respond in: all but the parts of packages."""
    return [a for a in arms if not a.part_of]


def search(arms: list[Arm], found_plan: Plan, workers: int, progress=None) -> dict[str, Equilibrium]:
    """Each primary arm's equilibrium, on the comparison's first search seeds, on one pool of ``workers``."""
    seeds = search_seeds(arms[0].scenario, found_plan)
    found = {}
    with Processes(workers) if workers > 1 else Serial() as pool:
        for arm in primary(arms):
            if progress:
                progress(arm.name)
            found[arm.name] = equilibrium(arm.scenario, found_plan, seeds=seeds, executor=pool,
                                          where=f"respond (arm {arm.name})")
    return found


def measure(arms: list[Arm], found: dict[str, Equilibrium], n_seeds: int, progress=None) -> Responding:
    """The primary arms at their equilibria, measured on the comparison's ``n_seeds`` seeds."""
    at = [replace(a, scenario=found[a.name].scenario, description=f"{a.description or a.name}, firms re-tuned")
          for a in primary(arms)]
    runs = run_arms(at, n_seeds, progress=progress)
    return Responding(found, at, runs, differences(runs, at[0].name))


def timeseries(responding: Responding) -> pl.DataFrame:
    """The responding arms' prices and Buy Box holder on the comparison's first seed."""
    return series(responding.arms, run_seeds(responding.arms, 1)[0])


def side_by_side(fixed: pl.DataFrame, responding: pl.DataFrame) -> pl.DataFrame:
    """Per arm and outcome, the paired statistics with settings fixed (``fixed_<statistic>``) and with firms
    responding (``responding_<statistic>``)."""
    def prefixed(table: pl.DataFrame, prefix: str) -> pl.DataFrame:
        return table.select("arm", *KEY, *[pl.col(c).alias(f"{prefix}_{c}") for c in STATISTICS])
    return prefixed(fixed, "fixed").join(prefixed(responding, "responding"), on=["arm", *KEY], how="inner",
                                         maintain_order="left")

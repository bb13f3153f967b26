"""``compare --respond`` on the command line: the plan, its check before any work, and the run that writes its files.

The plan comes from ``--respond SELLER[,SELLER]`` (or ``--respond FILE.toml`` with a ``[respond]`` table), or
from the arms file's ``[respond]`` table, never both. :func:`run` searches each arm's equilibrium, measures
the arms at their equilibria on the comparison's seeds and writes ``respond.parquet``,
``respond_effects.parquet`` and the ``responding/`` comparison (:mod:`experiments.respond.report`).
"""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from experiments import arms as armsfile
from experiments import compare_report
from experiments.arms import Arm
from experiments.atomic import write_parquet
from experiments.errors import UsageError
from experiments.respond import comparison, report
from experiments.respond.plan import Plan, from_flag, parse
from experiments.respond.space import responders
from experiments.uncertainty import Vary
from market.scenario import Scenario
from market.tomlfile import read_toml


@dataclass(frozen=True)
class Outcome:
    """What the command adds to the comparison's report: a section of ``compare.md``, the ``respond`` object of
    ``--json``, and the lines printed."""

    section: list[str]
    json: dict
    lines: list[str]


def plan(flag: str | None, arms_path: str | None) -> Plan | None:
    """The plan of ``--respond`` or of the arms file's ``[respond]`` table (None: firms keep their settings)."""
    table = read_toml(armsfile.resolve(arms_path), "arms", UsageError).get("respond") if arms_path else None
    if flag is not None and table:
        raise UsageError("--respond: the arms file has a [respond] table already; give the responders in one place")
    if flag is not None:
        return from_flag(flag)
    return parse(table, "respond") if table else None


def check(found_plan: Plan, arms: list[Arm], varies: list[Vary]) -> None:
    """``UsageError`` before any work if some arm cannot take the plan, or parameters are drawn per seed."""
    if varies:
        raise UsageError("--respond with --vary (or [uncertainty]): the settings firms choose depend on each draw; "
                         "compare at fixed parameter values, or sweep them with a [respond] table")
    for arm in comparison.primary(arms):
        responders(found_plan, arm.scenario, f"respond (arm {arm.name})")


def run(folder: Path, base: Scenario, arms: list[Arm], question: str, found_plan: Plan, n_seeds: int,
        fixed_runs: pl.DataFrame, fixed_table: pl.DataFrame, workers: int, progress=None) -> Outcome:
    """Search, measure and write (module docstring); ``progress(text)`` is told what runs."""
    found = comparison.search(arms, found_plan, workers, progress=lambda arm: progress and progress(
        f"{base.name}: firms re-tuning in arm {arm}"))
    if progress:
        progress(f"{base.name}: {n_seeds} seeds x {len(found)} arms, firms re-tuned")
    responding = comparison.measure(arms, found, n_seeds)
    effects = comparison.side_by_side(fixed_table, responding.table)
    measured = report.gains(fixed_runs, responding)
    write_parquet(report.settings_frame(base, responding, measured), folder / "respond.parquet")
    write_parquet(report.effects_frame(base, effects), folder / "respond_effects.parquet")
    sub = folder / comparison.RESPONDING
    sub.mkdir()
    compare_report.write(sub, base, responding.arms, f"{question}, firms re-tuning their repricers", responding.runs,
                         responding.table, pl.DataFrame(), comparison.timeseries(responding), [])
    return Outcome(report.section(responding, effects, measured), report.as_json(responding, effects, measured),
                   report.lines(responding, effects, measured))

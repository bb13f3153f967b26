"""Expand a spec into runs, and simulate one run.

Run ``k`` of replicate ``r`` gets the scenario seed ``seeds[r]``: the explicit seeds of the
spec, or ``SeedSequence(master_seed).spawn(n_seeds)[r]`` reduced to 63 bits. Every grid point
uses the same seeds (common random numbers), and no seed depends on the order of execution.
A run's id is the digest of its resolved scenario (seed included) as canonical JSON, so the
same run has the same id in every folder and on every executor.
"""

import itertools
import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from experiments.errors import UsageError
from experiments.respond.plan import Plan
from experiments.sweep.spec import Spec, apply
from market import results, settling, training
from market.scenario import Scenario


@dataclass(frozen=True)
class Run:
    """One simulation: its id, position in the sweep, replicate, seed, swept values and scenario data."""

    run_id: str
    index: int
    replicate: int
    seed: int
    values: dict
    scenario: dict


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back: the summary row and time series, or the error that stopped the run."""

    run_id: str
    summary: pl.DataFrame | None = None
    timeseries: pl.DataFrame | None = None
    error: str | None = None


def run_seeds(spec: Spec) -> list[int]:
    """The scenario seed of each replicate (see the module docstring)."""
    if spec.seeds is not None:
        return list(spec.seeds)
    children = np.random.SeedSequence(spec.master_seed).spawn(spec.n_seeds)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def points(spec: Spec) -> list[dict]:
    """Every grid point, ``{dotted path: value}``: the cartesian product of the axes, last axis fastest."""
    rows = [[dict(zip(axis, values, strict=True)) for values in zip(*axis.values(), strict=True)]
            for axis in spec.axes]
    return [{k: v for row in combo for k, v in row.items()} for combo in itertools.product(*rows)]


def expand(spec: Spec) -> list[Run]:
    """All runs of ``spec`` in a fixed order (grid point, then replicate). ``UsageError`` on a bad point."""
    seeds = run_seeds(spec)
    runs = []
    for point in points(spec):
        try:
            scenario = apply(spec.base, point)
            if spec.respond is not None:
                from experiments.respond.retune import check  # experiments.respond imports this module's users

                check(spec.respond, scenario, "respond")
        except ValueError as err:
            shown = ", ".join(f"{path} = {value!r}" for path, value in point.items())
            raise UsageError(f"grid point ({shown}): {err}") from None
        data = scenario.model_dump(mode="json")
        values = {path: _column_value(value, data, path) for path, value in point.items()}
        for replicate, seed in enumerate(seeds):
            seeded = {**data, "seed": seed}
            run_id = results.run_id(scenario.model_copy(update={"seed": seed}))
            runs.append(Run(run_id, len(runs), replicate, seed, values, seeded))
    if len({run.run_id for run in runs}) < len(runs):
        raise UsageError("grid: two grid points give the same scenario (e.g. 6 and 6.0); give each value once")
    return runs


def read_dotted(data: dict, path: str):
    """The value at a dotted path of scenario data; sellers are addressed by name (``*``: the first)."""
    node = data
    for key in path.split("."):
        node = next(s for s in node if key in ("*", s["name"])) if isinstance(node, list) else node[key]
    return node


def _column_value(value, data: dict, path: str):
    """A swept value as stored in its column: a scalar as validated, a list or table as given, in JSON."""
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else read_dotted(data, path)


def simulate(run: Run, metrics: tuple[str, ...], timeseries_stride: int | None, respond: Plan | None = None) -> Outcome:
    """Run one scenario (its learners trained first where it has ``[training]``, warmed up where it has
    ``[measure]``) over its horizon; keep the training and warm-up columns and ``metrics`` (market metrics, and
    ``seller.<name>.<metric>``, ``role.<role>.<metric>`` or ``owner.<firm>.<metric>`` columns, NaN where the run has
    no such seller, role or firm). With ``respond`` (the spec's ``[respond]``), the responders first re-tune their
    repricers and the run is measured at their equilibrium, its row saying what they chose
    (``experiments.respond.retune``). Any exception becomes ``Outcome.error`` (one line)."""
    try:
        scenario = Scenario.from_dict(run.scenario)
        chosen = pl.DataFrame()
        if respond is not None:
            from experiments.respond.retune import retune  # experiments.respond imports this module's users

            scenario, chosen = retune(scenario, respond)
        state, trained, warm_up = training.measured(scenario, record_stride=timeseries_stride or scenario.horizon)
        levels = {f"{level}.{name}.{metric}": value for level, name, metric, value in results.outcomes(state, scenario)
                  if level != "market"}
        summary = results.summary(state, scenario, trained, warm_up).with_columns(
            pl.lit(levels.get(c, float("nan")), dtype=pl.Float64).alias(c) for c in metrics if "." in c)
        summary = pl.concat([summary.select("scenario", "ticks", *training.COLUMNS, *settling.COLUMNS, *metrics),
                             chosen], how="horizontal")
        series = None
        if timeseries_stride is not None:
            series = results.timeseries(state, scenario)
        return Outcome(run.run_id, summary=summary, timeseries=series)
    except Exception as err:  # noqa: BLE001 - one bad run is recorded and must not stop the sweep
        message = " ".join(str(err).split()) or "no message"
        return Outcome(run.run_id, error=f"{type(err).__name__}: {message}")

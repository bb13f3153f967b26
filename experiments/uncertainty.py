"""Parameter uncertainty in a comparison: model parameters drawn per seed, the same draw in every arm.

``--vary demand.mu=0.1:0.5`` (or ``[uncertainty] vary = { "demand.mu" = [0.1, 0.5] }`` in an arms file)
draws the parameter uniformly on [low, high] for each seed (an integer for an integer field such as a
period).
Every arm of a seed gets the same draws (common random numbers), so the paired interval across seeds
covers the uncertainty about the parameter as well as the market's own randomness. A draw is a function
of the run seed and the path only: ``numpy.random.default_rng(SeedSequence([seed, crc32(path)]))``.

An interval over draws can hide that an effect's sign follows a parameter: :func:`effects` gives each
seed's paired effect beside its draws (the report charts them) and :func:`sign_shares` the share of
draws in which each effect is positive and negative.
"""

import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from experiments.errors import UsageError
from experiments.sweep.runs import read_dotted
from market.scenario import Scenario, ScenarioError


@dataclass(frozen=True)
class Vary:
    """A scenario field (dotted path) drawn uniformly on [low, high] per seed."""

    path: str
    low: float
    high: float
    integer: bool = False

    def draw(self, seed: int) -> float | int:
        rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(self.path.encode())]))
        if self.integer:
            return int(rng.integers(int(self.low), int(self.high) + 1))
        return float(rng.uniform(self.low, self.high))

    def __str__(self) -> str:
        kind = "integers" if self.integer else "uniform"
        return f"{self.path} ~ {kind} on [{self.low:g}, {self.high:g}]"


def parse(text: str, flag: str = "--vary") -> Vary:
    """``PATH=LOW:HIGH``; ``UsageError`` naming the flag otherwise."""
    path, sep, bounds = text.partition("=")
    low, colon, high = bounds.partition(":")
    if not sep or not path or not colon:
        raise UsageError(f"{flag} {text!r}: expected PATH=LOW:HIGH, e.g. demand.mu=0.1:0.5")
    try:
        values = [float(v) for v in (low, high)]
    except ValueError:
        raise UsageError(f"{flag} {text!r}: LOW and HIGH must be numbers") from None
    return make(path, values[0], values[1], flag)


def make(path: str, low, high, where: str) -> Vary:
    """A checked ``Vary``: finite numbers with LOW <= HIGH, of a field other than the seed."""
    if path == "seed":
        raise UsageError(f"{where} seed: the seeds are the comparison's own (--seeds; spawned from the scenario's "
                         f"seed); vary a market field such as demand.mu")
    if any(isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v) for v in (low, high)):
        raise UsageError(f"{where} {path} = [{low!r}, {high!r}]: LOW and HIGH must be finite numbers")
    if low > high:
        raise UsageError(f"{where} {path}: LOW = {low:g} > HIGH = {high:g}; give LOW <= HIGH")
    return Vary(path, low, high)


def check(varies: list[Vary], scenarios: list[Scenario]) -> list[Vary]:
    """``varies`` drawing integers where the field holds one; ``UsageError`` unless every path exists and both ends
    are valid in every arm's scenario."""
    checked = []
    for vary in varies:
        current = _current(scenarios[0], vary.path)
        integer = isinstance(current, int) and not isinstance(current, bool)
        if integer and not (float(vary.low).is_integer() and float(vary.high).is_integer()):
            raise UsageError(f"--vary {vary.path}={vary.low:g}:{vary.high:g}: the field holds whole numbers")
        ends = (int(vary.low), int(vary.high)) if integer else (float(vary.low), float(vary.high))
        for scenario in scenarios:
            for end in ends:
                try:
                    scenario.with_values({vary.path: end})
                except ScenarioError as err:
                    raise UsageError(f"--vary {vary.path}={vary.low:g}:{vary.high:g}: {err}") from None
        checked.append(Vary(vary.path, *ends, integer))
    return checked


def _current(scenario: Scenario, path: str):
    """The scenario's value at ``path``, None where there is none (``check`` then names the path)."""
    try:
        return read_dotted(scenario.model_dump(), path)
    except (KeyError, StopIteration, TypeError):
        return None


def draws(varies: list[Vary], seed: int) -> dict[str, float | int]:
    """The parameters of run seed ``seed``: ``{path: value}``."""
    return {vary.path: vary.draw(seed) for vary in varies}


def effects(runs: pl.DataFrame, baseline: str, metrics: tuple[str, ...], varies: list[Vary]) -> pl.DataFrame:
    """Each seed's paired effect of every other arm on the market ``metrics`` (this arm's value minus the
    baseline's on the seed), beside the seed's draws: columns ``seed, arm, metric, effect, baseline`` and a column
    per varied path."""
    market = runs.filter((pl.col("level") == "market") & pl.col("metric").is_in(metrics))
    base = market.filter(pl.col("arm") == baseline).select("seed", "metric", pl.col("value").alias("baseline"))
    return (market.filter(pl.col("arm") != baseline).join(base, on=["seed", "metric"])
            .select("seed", "arm", "metric", (pl.col("value") - pl.col("baseline")).alias("effect"), "baseline",
                    *[v.path for v in varies]).sort("arm", "metric", "seed", maintain_order=True))


def sign_shares(frame: pl.DataFrame) -> pl.DataFrame:
    """Per arm and metric of :func:`effects`: the share of seeds (draws) in which the effect is positive and
    negative (the rest are zero: below 1e-12 of the baseline's level, float noise), and ``n`` the seeds."""
    noise = 1e-12 * pl.max_horizontal(pl.col("baseline").abs(), pl.lit(1.0))
    finite = frame.filter(pl.col("effect").is_finite())
    return finite.group_by("arm", "metric", maintain_order=True).agg(
        (pl.col("effect") > noise).mean().alias("positive"), (pl.col("effect") < -noise).mean().alias("negative"),
        pl.len().alias("n"))

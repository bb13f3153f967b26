"""An experiment spec: a base scenario, the values to sweep, the seeds and what to keep.

A spec is a TOML file, checked here before any run starts; every error is one line that
names the field, the value and what is allowed (``UsageError``). The values themselves are
checked on every grid point by ``experiments.sweep.runs.expand``, as they may depend on each
other (a seller's phase must stay below its period). Example::

    name = "periods"
    base = "amazon_10min"        # a path relative to this file, a shipped scenario, or a [base] table
    master_seed = 2019           # seeds = N derives N run seeds from it (numpy SeedSequence.spawn)
    seeds = 4                    # or explicit scenario seeds: seeds = [1, 2, 3]

    [set]                        # fixed changes to the base, by dotted path
    horizon = 1440

    [grid]                       # cartesian product; sellers are addressed by name, or all by *
    "sellers.platform.period" = [1, 6, 144]
    "sellers.*.lag" = [0, 3]
    "sellers.shop_daily.period" = [36, 144]

    [zip]                        # lists that vary together (one axis of the product)
    "sellers.shop_hourly.period" = [6, 12]
    "sellers.shop_hourly.lag" = [3, 6]

    [respond]                    # optional: these sellers re-tune their repricers in every run before it is
    sellers = ["platform"]       # measured (experiments.respond; the run's row says what they chose)

    [keep]
    metrics = ["delta", "mean_price"]   # default: all of market.metrics.MARKET_METRICS
    sellers = ["profit", "margin"]      # also per seller: columns seller.<name>.<metric> (results.SELLER_METRICS)
    roles = ["profit"]                  # also per role present: columns role.<role>.<metric> (results.ROLE_METRICS)
    owners = ["profit"]                 # also per firm owning several sellers: owner.<firm>.<metric> (OWNER_METRICS)
    timeseries_stride = 144             # also keep each run's time series every 144 ticks

Every run row also says whether its learners were trained first (the scenario's ``[training]``)
and converged: ``learners``, ``trained``, ``converged``, ``training_ticks``; and whether it was warmed
up (``[measure]``) and its prices had settled: ``warm_up_ticks``, ``settled``, ``settled_by``,
``cycle_ticks``.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from experiments import configs
from experiments.errors import UsageError
from experiments.respond.plan import Plan, parse
from market import budget
from market.metrics import MARKET_METRICS
from market.results import OWNER_METRICS, ROLE_METRICS, ROLES, SELLER_METRICS
from market.scenario import Scenario, ScenarioError, set_dotted
from market.tomlfile import read_text, read_toml

_KEYS = ("name", "description", "base", "master_seed", "seeds", "set", "grid", "zip", "keep", "respond")
_KEEP_KEYS = ("metrics", "sellers", "roles", "owners", "timeseries_stride")
MAX_SEED = 2**63
RUN_BYTES = 16384  # a run's resolved scenario and bookkeeping while the sweep is expanded (a generous estimate)
ALL_SELLERS = "sellers.*."


@dataclass(frozen=True)
class Spec:
    """A validated experiment: the base scenario with ``set`` applied, the axes to sweep and the seeds.

    ``axes`` is a tuple of axes; each axis is a dict ``{dotted path: values}`` whose lists have
    equal length (one path for a grid axis, several for the ``[zip]`` axis). ``seeds`` holds
    the explicit scenario seeds, or ``None`` when they derive from ``master_seed``.
    """

    name: str
    description: str
    base: Scenario
    axes: tuple[dict[str, list], ...]
    n_seeds: int
    seeds: tuple[int, ...] | None
    master_seed: int
    metrics: tuple[str, ...]
    timeseries_stride: int | None
    source: str
    respond: Plan | None = None

    @property
    def paths(self) -> list[str]:
        """Every swept dotted path, in axis order."""
        return [path for axis in self.axes for path in axis]

    def canonical(self) -> dict:
        """Everything that determines the results, as JSON-ready data."""
        return {"name": self.name, "base": self.base.model_dump(mode="json"),
                "axes": [dict(axis) for axis in self.axes], "n_seeds": self.n_seeds,
                "seeds": list(self.seeds) if self.seeds is not None else None, "master_seed": self.master_seed,
                "metrics": list(self.metrics), "timeseries_stride": self.timeseries_stride,
                **({"respond": self.respond.canonical()} if self.respond is not None else {})}

    @property
    def hash(self) -> str:
        """Short SHA-256 of the canonical spec: two folders hold the same experiment iff equal."""
        return digest(self.canonical())


def digest(data) -> str:
    """First 16 hex digits of the SHA-256 of ``data`` as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _updates(base: Scenario, point: dict) -> dict:
    """``point`` with each ``sellers.*.<field>`` replaced by one path per seller of ``base``."""
    updates = {}
    for path, value in point.items():
        if path.startswith(ALL_SELLERS):
            rest = path.removeprefix(ALL_SELLERS)
            updates.update({f"sellers.{seller.name}.{rest}": value for seller in base.sellers})
        else:
            updates[path] = value
    return updates


def apply(base: Scenario, point: dict) -> Scenario:
    """``base`` with ``point`` ({dotted path: value}) set; ``sellers.*.<field>`` sets it for every seller."""
    return base.with_values(_updates(base, point))


def load(name_or_path: str | Path) -> Spec:
    """Read and check a spec file (a path or the name of a shipped spec)."""
    path = configs.resolve(name_or_path)
    text = read_text(path, "spec", UsageError)
    return from_dict(read_toml(path, "spec", UsageError), path.parent, text)


def from_dict(data: dict, folder: Path, source: str = "") -> Spec:
    """Check ``data`` (a parsed spec; relative ``base`` paths resolve against ``folder``)."""
    _check_keys(data, _KEYS, "")
    base = _base(data.get("base"), folder)
    fixed = _flatten(_table(data, "set"))
    if "grid" not in data:
        raise UsageError("grid: missing; give a [grid] table of dotted paths and lists of values")
    grid = _flatten(_table(data, "grid"))
    zipped = _flatten(_table(data, "zip"))
    _check_overlap(fixed, grid, zipped)
    try:
        base = apply(base, fixed)
    except ValueError as err:
        raise UsageError(f"set: {err}") from None
    axes = [_grid_axis(base, path, values) for path, values in grid.items()]
    if zipped:
        axes.append(_zip_axis(base, zipped))
    if not axes:
        raise UsageError("grid: empty; give at least one dotted path with a list of values")
    n_seeds, seeds = _seeds(data.get("seeds", 1))
    points = math.prod(len(next(iter(axis.values()))) for axis in axes)
    budget.count(points * n_seeds, RUN_BYTES, f"{points:,} grid points x {n_seeds:,} seeds", "runs")
    keep = _table(data, "keep")
    _check_keys(keep, _KEEP_KEYS, "keep.")
    return Spec(name=_string(data, "name", "sweep"), description=_string(data, "description", ""), base=base,
                axes=tuple(axes), n_seeds=n_seeds, seeds=seeds,
                master_seed=_integer(data.get("master_seed", 0), "master_seed", 0, MAX_SEED),
                metrics=_metrics(keep.get("metrics", list(MARKET_METRICS)), "keep.metrics", MARKET_METRICS)
                + _levels(base, keep),
                timeseries_stride=_stride(keep.get("timeseries_stride")), source=source,
                respond=parse(data["respond"], "respond") if "respond" in data else None)


def _check_keys(data: dict, allowed: tuple[str, ...], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise UsageError(f"{prefix}{key}: unknown field; allowed: {', '.join(allowed)}")


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UsageError(f"{key} = {value!r}: must be a table")
    return value


def _string(data: dict, key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise UsageError(f"{key} = {value!r}: must be a string")
    return value


def _integer(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise UsageError(f"{field} = {value!r}: must be an integer in [{low}, {high})")
    return value


def _base(value, folder: Path) -> Scenario:
    if value is None:
        raise UsageError("base: missing; give a scenario file, a shipped scenario name, or a [base] table")
    if not isinstance(value, str | dict):
        raise UsageError(f"base = {value!r}: give a scenario file, a shipped scenario name, or a [base] table")
    try:
        if isinstance(value, dict):
            return Scenario.from_dict(value)
        local = folder / value
        return Scenario.from_toml(local if local.is_file() else configs.resolve(value))
    except ScenarioError as err:
        raise UsageError(f"base: {err}") from None


def _flatten(table: dict, prefix: str = "") -> dict:
    """``{"a": {"b": x}}`` -> ``{"a.b": x}``, so quoted and bare dotted keys mean the same."""
    flat = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _check_overlap(fixed: dict, grid: dict, zipped: dict) -> None:
    sections = (("set", fixed), ("grid", grid), ("zip", zipped))
    for path in [*fixed, *grid, *zipped]:
        where = [name for name, table in sections if path in table]
        if len(where) > 1:
            raise UsageError(f"{path}: set in both [{where[0]}] and [{where[1]}]; give it in one place")
        if path == "seed":
            raise UsageError(f"{where[0]}.seed: the seed is set per run; use seeds = N or seeds = [..]")


def _values(section: str, path: str, values) -> list:
    """Check a list of values for ``path``: a non-empty list of distinct values."""
    if not isinstance(values, list):
        raise UsageError(f"{section}.{path} = {values!r}: must be a list of values")
    if not values:
        raise UsageError(f"{section}.{path} = []: empty; give at least one value")
    if len({json.dumps(v, sort_keys=True) for v in values}) < len(values):
        raise UsageError(f"{section}.{path} = {values!r}: values repeat; give each value once")
    return values


def _check_path(base: Scenario, section: str, path: str) -> None:
    """Raise if ``path`` names no field of the base scenario (values are checked per grid point)."""
    data = base.model_dump()
    try:
        for target in _updates(base, {path: None}):
            set_dotted(data, target, None)
    except ScenarioError as err:
        raise UsageError(f"{section}: {err}") from None


def _grid_axis(base: Scenario, path: str, values) -> dict:
    _check_path(base, "grid", path)
    return {path: _values("grid", path, values)}


def _zip_axis(base: Scenario, zipped: dict) -> dict:
    for path in zipped:
        _check_path(base, "zip", path)
    axis = {path: _values("zip", path, values) for path, values in zipped.items()}
    lengths = {path: len(values) for path, values in axis.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{path} has {n}" for path, n in lengths.items())
        raise UsageError(f"zip: lists must have equal lengths ({detail})")
    return axis


def _seeds(value) -> tuple[int, tuple[int, ...] | None]:
    if isinstance(value, list):
        if not value:
            raise UsageError("seeds = []: give a count > 0 or a non-empty list of seeds")
        seeds = tuple(_integer(s, "seeds[]", 0, MAX_SEED) for s in value)
        if len(set(seeds)) < len(seeds):
            raise UsageError(f"seeds = {value!r}: seeds repeat; give each seed once")
        return len(seeds), seeds
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise UsageError(f"seeds = {value!r}: must be a count > 0 or a non-empty list of seeds")
    return value, None


def _metrics(value, field: str, known: tuple[str, ...]) -> tuple[str, ...]:
    allowed = ", ".join(known)
    if not isinstance(value, list) or not value:
        raise UsageError(f"{field} = {value!r}: must be a non-empty list of: {allowed}")
    for metric in value:
        if metric not in known:
            raise UsageError(f"{field}: {metric!r} is not a metric; allowed: {allowed}")
    return tuple(dict.fromkeys(value))


def _levels(base: Scenario, keep: dict) -> tuple[str, ...]:
    """The per-seller, per-role and per-firm columns kept: ``seller.<name>.<metric>``, ``role.<role>.<metric>``,
    ``owner.<firm>.<metric>`` (firms of the base scenario that own several sellers)."""
    columns = []
    if "sellers" in keep:
        metrics = _metrics(keep["sellers"], "keep.sellers", SELLER_METRICS)
        columns += [f"seller.{s.name}.{m}" for s in base.sellers for m in metrics]
    if "roles" in keep:
        metrics = _metrics(keep["roles"], "keep.roles", ROLE_METRICS)
        columns += [f"role.{r}.{m}" for r in ROLES if any(s.role == r for s in base.sellers) for m in metrics]
    if "owners" in keep:
        metrics = _metrics(keep["owners"], "keep.owners", OWNER_METRICS)
        firms = [s.firm for s in base.sellers]
        columns += [f"owner.{f}.{m}" for f in dict.fromkeys(firms) if firms.count(f) > 1 for m in metrics]
    return tuple(columns)


def _stride(value) -> int | None:
    if value is None:
        return None
    return _integer(value, "keep.timeseries_stride", 1, MAX_SEED)

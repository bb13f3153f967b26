"""Arms of a comparison: named variants of one scenario, run on the same seeds, the first one the baseline.

An arms file (TOML) holds ``[[arms]]`` tables::

    description = "Assad et al. (2024): neither, one or both stations adopt"

    [uncertainty]                          # optional: parameters drawn per seed, the same in every arm
    vary = { "demand.mu" = [0.2, 0.3] }

    [respond]                              # optional: these sellers re-tune their repricers in every arm
    sellers = ["station_a"]                # before it is measured (experiments.respond.plan)

    [[arms]]
    name = "neither"                       # the first arm is the baseline
    set = { "sellers.station_a.strategy" = "best_response", "sellers.station_a.params" = {} }

    [[arms]]
    name = "both"
    interventions = ["once_a_day", { kind = "min_lag", ticks = 6 }]   # catalog names or tables

    [[arms.paper]]                         # what the paper reports for this arm against the baseline
    metric = "mean_margin"                 # a market metric, "role.<role>.<metric>" or "seller.<name>.<metric>"
    change = "relative"                    # relative (percent) | difference | direction | claim
    value = 28.0                           # direction: "+", "-" or "0"; claim: the paper's words
    source = "Assad, Clark, Ershov and Xu (2024), JPE, Table 5"

``set`` changes scenario fields by dotted path (``Scenario.with_values``; the text ``"none"`` unsets an
optional field, as in ``compare --set``); ``interventions`` are added to the scenario's own. Every arm is
validated before anything runs.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from experiments import uncertainty
from experiments.errors import UsageError
from experiments.uncertainty import Vary
from market import catalog, interventions
from market.errors import shorten
from market.scenario import Scenario, ScenarioError, format_validation_error
from market.tomlfile import MAX_DEPTH, depth, read_toml

ARMS_DIR = Path(__file__).resolve().parent / "configs" / "arms"
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class PaperFigure(BaseModel):
    """A published effect of an arm against the baseline, shown beside ours in the report: a relative change
    (percent), a difference, a direction, or a qualitative claim (the paper's words, not checked)."""

    model_config = _STRICT

    metric: Annotated[str, Field(min_length=1)]
    change: Literal["relative", "difference", "direction", "claim"] = "relative"
    value: float | str
    source: Annotated[str, Field(min_length=1)]
    note: str = ""

    @model_validator(mode="after")
    def _value_fits_change(self):
        if self.change == "direction" and self.value not in ("+", "-", "0"):
            raise ValueError(f"value = {self.value!r}: a direction is '+', '-' or '0'")
        if self.change in ("relative", "difference") and isinstance(self.value, str):
            raise ValueError(f"value = {self.value!r}: a {self.change} change is a number")
        return self


class ArmSpec(BaseModel):
    """One arm as written in the file."""

    model_config = _STRICT

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]
    description: str = ""
    set: dict[str, object] = Field(default_factory=dict)
    interventions: list[str | dict] = Field(default_factory=list)
    paper: list[PaperFigure] = Field(default_factory=list)


class Uncertainty(BaseModel):
    """Parameters drawn per seed: ``vary = { "demand.mu" = [0.1, 0.5] }`` (``experiments.uncertainty``)."""

    model_config = _STRICT

    vary: dict[str, tuple[float | int, float | int]] = Field(default_factory=dict)


class ArmsFile(BaseModel):
    model_config = _STRICT

    description: str = ""
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    respond: dict[str, object] = Field(default_factory=dict)  # firms re-tuning (experiments.respond.plan)
    arms: Annotated[list[ArmSpec], Field(min_length=2)]

    @field_validator("arms")
    @classmethod
    def _unique(cls, arms: list[ArmSpec]) -> list[ArmSpec]:
        names = [a.name for a in arms]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"arm name {name!r} appears twice: names must be unique")
        return arms


@dataclass(frozen=True)
class Arm:
    """A validated arm: its scenario, what the paper says of it, and what it changes from the baseline scenario
    (``values`` set by path, ``items`` the interventions added, ``rules`` their labels); a part of a package
    arm names it in ``part_of``."""

    name: str
    description: str
    scenario: Scenario
    paper: tuple[PaperFigure, ...] = ()
    rules: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)
    items: tuple = ()
    part_of: str = ""

    @property
    def components(self) -> list[tuple[str, dict, tuple]]:
        """What the arm changes, one part at a time: ``(label, values, items)`` for each rule, and its set values."""
        parts = [(label, {}, (item,)) for label, item in zip(self.rules, self.items, strict=True)]
        return parts + ([("set " + ", ".join(self.values), self.values, ())] if self.values else [])


def resolve(name_or_path: str | Path) -> Path:
    """An arms file given as a path or as the name of a shipped one (``experiments/configs/arms/``)."""
    path = catalog.find(name_or_path, ARMS_DIR)
    if path is not None:
        return path
    known = ", ".join(sorted(p.stem for p in ARMS_DIR.glob("*.toml")))
    raise UsageError(f"--arms {str(name_or_path)!r}: no such file, and not a shipped arms file ({known})")


def load(name_or_path: str | Path, base: Scenario) -> tuple[str, list[Arm], list[Vary]]:
    """The file's description, its arms built on ``base`` and the parameters it draws per seed; ``UsageError``
    naming the arm and field otherwise."""
    path = resolve(name_or_path)
    data = read_toml(path, "arms", UsageError)
    try:
        spec = ArmsFile.model_validate(data)
    except ValidationError as err:
        raise UsageError(f"arms file {path.name!r}: {format_validation_error(err)}") from None
    arms = [build(arm, base, f"arms[{i}] ({arm.name})") for i, arm in enumerate(spec.arms)]
    varies = [uncertainty.make(path, low, high, "uncertainty.vary") for path, (low, high)
              in spec.uncertainty.vary.items()]
    return spec.description, arms, varies


def build(arm: ArmSpec, base: Scenario, where: str) -> Arm:
    """The arm's scenario: ``base`` with its fields set and its interventions added."""
    try:
        rules = [interventions.named(item) if isinstance(item, str)
                 else interventions.parse(item, f"{where}.interventions[{k}]")
                 for k, item in enumerate(arm.interventions)]
        values = {path: None if isinstance(v, str) and v.lower() == "none" else v for path, v in arm.set.items()}
        scenario = base.with_values(values).with_interventions(rules)
    except (ScenarioError, interventions.InterventionError) as err:
        raise UsageError(f"{where}: {err}") from None
    for k, figure in enumerate(arm.paper):
        check_metric(figure.metric, scenario, f"{where}.paper[{k}].metric")
    return Arm(arm.name, arm.description, scenario, tuple(arm.paper), rule_labels(rules), values, tuple(rules))


def check_metric(metric: str, scenario: Scenario, where: str) -> None:
    """``UsageError`` unless ``metric`` is an outcome a comparison measures (``market.results.outcomes``): a market
    metric, ``role.<role>.<metric>`` or ``seller.<name>.<metric>`` of a seller of ``scenario``."""
    from market.metrics import MARKET_METRICS
    from market.results import ROLE_METRICS, ROLES, SELLER_METRICS

    parts = metric.split(".")
    known = (len(parts) == 1 and metric in MARKET_METRICS) or (
        len(parts) == 3 and parts[0] == "role" and parts[1] in ROLES and parts[2] in ROLE_METRICS) or (
        len(parts) == 3 and parts[0] == "seller" and parts[1] in [s.name for s in scenario.sellers]
        and parts[2] in SELLER_METRICS)
    if not known:
        raise UsageError(f"{where} = {shorten(metric)!r}: not an outcome of the comparison; give a market metric "
                         f"({', '.join(MARKET_METRICS)}), role.<{'|'.join(ROLES)}>.<{'|'.join(ROLE_METRICS)}> or "
                         f"seller.<name>.<{'|'.join(SELLER_METRICS)}>")


def shorthand(base: Scenario, rules: list, assignments: dict[str, object], label: str) -> list[Arm]:
    """``compare --intervention/--set``: the arms ``without`` (the base) and ``with`` the change."""
    try:
        treated = base.with_values(assignments).with_interventions(rules)
    except (ScenarioError, interventions.InterventionError) as err:
        raise UsageError(str(err)) from None
    return [Arm("without", "the scenario as given", base),
            Arm("with", f"with {label}", treated, rules=rule_labels(rules), values=dict(assignments),
                items=tuple(rules))]


def rule_labels(rules) -> tuple[str, ...]:
    """A label per rule: its name, or its kind where that is missing or names several rules (one file)."""
    names = [r.name or r.kind for r in rules]
    return tuple(n if names.count(n) == 1 else f"{n}:{r.kind}" for n, r in zip(names, rules, strict=True))


def decompose(arms: list[Arm], base: Scenario) -> list[Arm]:
    """``arms``, each package (an arm changing two things or more: rules, and its set values as one thing)
    followed by one arm per part alone on ``base``, named ``<package>~<part>``, so that the package's effect
    splits into its parts' effects and their interaction on the same seeds."""
    out = []
    for arm in arms:
        out.append(arm)
        if len(arm.components) < 2:
            continue
        for label, values, items in arm.components:
            scenario = base.with_values(values).with_interventions(list(items))
            out.append(Arm(f"{arm.name}~{label}", f"{label} alone (part of {arm.name})", scenario,
                           rules=(label,) if items else (), values=values, items=items, part_of=arm.name))
    return out


def parse_assignment(text: str, flag: str = "--set") -> tuple[str, object]:
    """``PATH=VALUE`` with VALUE read as TOML (bare words as strings; ``none`` as None)."""
    path, sep, value = text.partition("=")
    if not sep or not path:
        raise UsageError(f"{flag} {text!r}: expected PATH=VALUE, e.g. sellers.b.period=6")
    if value.strip().lower() == "none":
        return path, None
    if depth(value) > MAX_DEPTH:
        raise UsageError(f"{flag} {shorten(text)!r}: the value is nested more than {MAX_DEPTH} levels deep")
    try:
        return path, tomllib.loads(f"value = {value}")["value"]
    except tomllib.TOMLDecodeError:
        return path, value

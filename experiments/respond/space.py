"""What each responder may choose in a scenario, checked against the strategy registry, and choices applied.

A responder's *options* are its current strategy and the rules of its menu; each option's knobs are
the strategy's tunable parameters (``market.strategies.registry.Param.tune``) and the seller's
``period``, or those the user named, within the declared ranges or the user's narrower ones. Price
bounds (``cost``, ``nash``, ``monopoly``) are the seller's own in this scenario. The status quo, its
*given* setting, is always available, even where the user's ranges leave it out.

A *profile* is one :class:`Setting` per responder. :func:`apply` writes it into the scenario: the
strategy, its parameters (the seller's own for its current strategy, the strategy's defaults for a rule
of the menu, the chosen values over both) and the period, the phase kept modulo the new period.
"""

import math
from dataclasses import dataclass

from experiments.errors import UsageError
from experiments.respond.knob import PERIOD, Knob
from experiments.respond.plan import Plan, Request
from market import strategies
from market.scenario import Scenario
from market.strategies.registry import StrategySpec


@dataclass(frozen=True)
class Setting:
    """A responder's choice: a strategy and the values of the settings it chooses (``period`` among them)."""

    strategy: str
    values: tuple[tuple[str, float | int], ...]

    def get(self, name: str) -> float | int:
        return dict(self.values)[name]

    def with_value(self, name: str, value: float | int) -> "Setting":
        return Setting(self.strategy, tuple((k, value if k == name else v) for k, v in self.values))

    def __str__(self) -> str:
        return f"{self.strategy}(" + ", ".join(f"{k}={v:.6g}" for k, v in self.values) + ")"


@dataclass(frozen=True)
class Option:
    """A strategy a responder may run: what it chooses (``knobs``), the parameters it keeps (``params``) and where
    its search starts (``start``)."""

    strategy: str
    knobs: tuple[Knob, ...]
    params: dict
    start: Setting


@dataclass(frozen=True)
class Responder:
    """A seller that re-tunes: its name, index and phase in the scenario, its given setting and its options
    (its current strategy first)."""

    name: str
    index: int
    phase: int
    given: Setting
    options: tuple[Option, ...]

    def option(self, strategy: str) -> Option:
        return next(o for o in self.options if o.strategy == strategy)


def responders(plan: Plan, scenario: Scenario, where: str = "respond") -> tuple[Responder, ...]:
    """The plan's responders in ``scenario``; ``UsageError`` (one line) for an unknown seller, a seller or rule
    without tunable settings, an unknown or untunable setting, or a range outside the declared one."""
    return tuple(_responder(request, scenario, where) for request in plan.requests)


def apply(scenario: Scenario, found: tuple[Responder, ...], profile: tuple[Setting, ...]) -> Scenario:
    """``scenario`` with every responder's setting of ``profile`` written in (module docstring)."""
    updates = {}
    for responder, setting in zip(found, profile, strict=True):
        option = responder.option(setting.strategy)
        chosen = dict(setting.values)
        period = chosen.pop(PERIOD, None)
        updates[f"sellers.{responder.name}.strategy"] = setting.strategy
        updates[f"sellers.{responder.name}.params"] = {**option.params, **chosen}
        if period is not None:
            updates[f"sellers.{responder.name}.period"] = period
            updates[f"sellers.{responder.name}.phase"] = responder.phase % period
    return scenario.with_values(updates)


def _responder(request: Request, scenario: Scenario, where: str) -> Responder:
    names = [s.name for s in scenario.sellers]
    if request.seller not in names:
        raise UsageError(f"{where}: no seller named {request.seller!r} in {scenario.name}; sellers: "
                         f"{', '.join(names)}")
    i = names.index(request.seller)
    seller = scenario.sellers[i]
    specs = [strategies.get(seller.strategy)] + [strategies.get(m) for m in request.menu if m != seller.strategy]
    for spec in specs:
        if spec.learns or spec.family == "outside":
            whose = f"seller {seller.name!r}'s strategy" if spec.name == seller.strategy else "menu strategy"
            raise UsageError(f"{where}.{seller.name}: {whose} {spec.name!r} has no tunable settings (a "
                             f"{'learner learns its own' if spec.learns else 'Python object sets its own'}); "
                             f"rules that have: {', '.join(_rules())}")
    named = dict(request.ranges)
    known = {PERIOD} | {p.name for spec in specs for p in spec.tunable}
    for name in named:
        if name not in known:
            raise UsageError(f"{where}.{seller.name}.{name}: not a tunable setting of "
                             f"{', '.join(spec.name for spec in specs)}; {seller.name} may choose: "
                             f"{', '.join(sorted(known))}")
    references = scenario.references(i)
    options = tuple(_option(spec, seller, named, references, scenario, f"{where}.{seller.name}") for spec in specs)
    current = options[0]
    given = Setting(seller.strategy, tuple((k.name, _given(k, seller, current.params, references, specs[0]))
                                           for k in current.knobs))
    return Responder(seller.name, i, seller.phase, given, options)


def _option(spec: StrategySpec, seller, named: dict, references: dict, scenario: Scenario, where: str) -> Option:
    """The knobs of ``spec`` for this seller: the named settings it has (all its tunable ones and the period when
    none is named; a rule of the menu may have none, and then runs at its defaults), each in its declared range
    or the user's."""
    chosen = [p for p in spec.tunable if not named or p.name in named]
    knobs = []
    for p in chosen:
        declared = p.tune_range(references)
        knobs.append(_knob(p.name, _within(named.get(p.name), declared, references if p.is_price else None,
                                           f"{where}.{p.name}", f"strategy {spec.name!r} declares"), p.integer, where))
    if not named or PERIOD in named:
        allowed = (1, scenario.horizon)
        default = (1, min(scenario.ticks_per_day, scenario.horizon))
        given = _within(named.get(PERIOD), allowed, None, f"{where}.{PERIOD}", "a period may take")
        knobs.append(_knob(PERIOD, default if PERIOD not in named else given, True, where))
    params = dict(seller.params) if spec.name == seller.strategy else {}
    start = Setting(spec.name, tuple((k.name, k.clip(_given(k, seller, params, references, spec))) for k in knobs))
    return Option(spec.name, tuple(knobs), params, start)


def _knob(name: str, bounds: tuple[float, float], integer: bool, where: str) -> Knob:
    """A knob on ``bounds``; a whole-number setting's bounds rounded inwards (``UsageError`` if none is left)."""
    low, high = bounds
    if integer:
        low, high = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        if low > high:
            raise UsageError(f"{where}.{name} = {list(bounds)}: takes whole numbers, and none lies in this range")
    return Knob(name, low, high, integer)


def _within(given, declared: tuple[float, float], references: dict | None, where: str,
            who: str) -> tuple[float, float]:
    """The user's range ``given`` (None: ``declared``) in numbers, refused if it leaves ``declared``; price
    references are allowed for a price only (``references`` None otherwise)."""
    if given is None:
        return declared
    if references is None and any(isinstance(b, str) for b in given):
        raise UsageError(f"{where} = {list(given)}: not a price; give numbers")
    low, high = (references[b] if isinstance(b, str) else float(b) for b in given)
    slack = 1e-12 * max(1.0, abs(declared[1]))
    if low > high or low < declared[0] - slack or high > declared[1] + slack:
        raise UsageError(f"{where} = {list(given)}: outside the range {who} for it, [{declared[0]:.6g}, "
                         f"{declared[1]:.6g}]" + (f" (here [{low:.6g}, {high:.6g}])" if any(
                             isinstance(b, str) for b in given) else ""))
    return low, high


def _given(knob: Knob, seller, params: dict, references: dict, spec: StrategySpec) -> float | int:
    """The value the setting has in the scenario as given (a parameter's default where it is not set)."""
    if knob.name == PERIOD:
        return seller.period
    value = params.get(knob.name, spec.param(knob.name).default)
    number = references[value] if isinstance(value, str) else value
    return int(number) if knob.integer and float(number).is_integer() else float(number)


def _rules() -> list[str]:
    return [n for n in strategies.names() if not strategies.get(n).learns and strategies.get(n).family != "outside"]

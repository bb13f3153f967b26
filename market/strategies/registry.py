"""The registry of pricing strategies: one spec per strategy, looked up by name.

A spec names the strategy, gives its integer id (the kernel dispatch key), its parameters
with defaults and allowed ranges, a short classifier (does it use rivals' prices? is it
stochastic? does it learn?) and the work it comes from. Price-valued parameters may name
a reference instead of a number: ``"cost"``, ``"nash"`` or ``"monopoly"`` (the seller's own
marginal cost or static benchmark price), resolved when a scenario is built.
"""

from dataclasses import dataclass, field

import numpy as np

MAX_PARAMS = 8
MEMORY_SLOTS = 4
PRICE_REFERENCES = ("cost", "nash", "monopoly")


@dataclass(frozen=True)
class Param:
    """One strategy parameter: default, closed range ``[low, high]``, and whether it is a price."""

    name: str
    default: float | str
    low: float
    high: float
    doc: str
    is_price: bool = False


@dataclass(frozen=True)
class StrategySpec:
    """A registered strategy. ``id`` is the kernel's dispatch key."""

    name: str
    id: int
    doc: str
    source: str
    params: tuple[Param, ...] = ()
    uses_rival_prices: bool = False
    stochastic: bool = False
    learns: bool = False
    memory: int = 0
    extra: dict = field(default_factory=dict)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def validate(self, values: dict, where: str) -> None:
        """Raise ``ValueError`` naming ``where.<param>`` for an unknown name or a value out of range."""
        allowed = [p.name for p in self.params]
        for key, value in values.items():
            if key not in allowed:
                raise ValueError(f"{where}.{key}: unknown parameter of strategy {self.name!r}; "
                                 f"allowed: {', '.join(allowed) or 'none'}")
            p = self.param(key)
            if isinstance(value, str):
                if not (p.is_price and value in PRICE_REFERENCES):
                    refs = f"a number or one of {', '.join(PRICE_REFERENCES)}" if p.is_price else "a number"
                    raise ValueError(f"{where}.{key} = {value!r}: must be {refs}")
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{where}.{key} = {value!r}: must be a number")
            if not np.isfinite(value) or not (p.low <= value <= p.high):
                raise ValueError(f"{where}.{key} = {value!r}: must be in [{p.low:g}, {p.high:g}]")

    def resolve(self, values: dict, references: dict[str, float]) -> np.ndarray:
        """Parameter row for the kernel: given values, else defaults, with references replaced."""
        row = np.zeros(MAX_PARAMS)
        for k, p in enumerate(self.params):
            value = values.get(p.name, p.default)
            row[k] = references[value] if isinstance(value, str) else float(value)
        return row


_REGISTRY: dict[str, StrategySpec] = {}


def register(spec: StrategySpec) -> StrategySpec:
    if spec.name in _REGISTRY or any(s.id == spec.id for s in _REGISTRY.values()):
        raise ValueError(f"strategy {spec.name!r} (id {spec.id}) registered twice")
    if len(spec.params) > MAX_PARAMS or spec.memory > MEMORY_SLOTS:
        raise ValueError(f"strategy {spec.name!r} needs more parameters or memory than the engine holds")
    _REGISTRY[spec.name] = spec
    return spec


def get(name: str) -> StrategySpec:
    """The spec registered under ``name``; ``ValueError`` listing the names otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def names() -> list[str]:
    return sorted(_REGISTRY)


def select(**classifier) -> list[StrategySpec]:
    """Specs whose classifier matches, e.g. ``select(uses_rival_prices=False)``."""
    return [s for s in _REGISTRY.values() if all(getattr(s, k) == v for k, v in classifier.items())]

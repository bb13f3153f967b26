"""The registry of pricing strategies: one spec per strategy, looked up by name.

A spec names the strategy, its kernel (the numba function that prices), its family (which
decides the kernel's signature, :mod:`market.strategies.dispatch`), its parameters with
defaults and allowed ranges, a short classifier (does it use rivals' prices? the time of day?
is it stochastic? does it learn?) and the work it comes from. ``register`` numbers the specs in the
order they are registered: the number is the engine's dispatch key, never written by hand.
A spec without a kernel is refused when its module is imported.

Price-valued parameters may name a reference instead of a number: ``"cost"``, ``"nash"`` or
``"monopoly"`` (the seller's own marginal cost or static benchmark price), resolved when a
scenario is built.

A parameter a firm would set on its repricer is *tunable*: ``tune`` gives the range within which a
firm re-tuning its repricer chooses it (bounds may be price references; :mod:`experiments.respond`
searches it), and ``integer`` says it takes whole values (counts of repricings). Learners' parameters
are not tunable: their settings are learned, not chosen.
"""

from dataclasses import dataclass, replace

import numpy as np

MAX_PARAMS = 8
MEMORY_SLOTS = 4
PRICE_REFERENCES = ("cost", "nash", "monopoly")
FAMILIES = ("rule", "response", "learner", "outside")
RULE, RESPONSE, LEARNER, OUTSIDE = range(4)


@dataclass(frozen=True)
class Param:
    """One strategy parameter: default, closed range ``[low, high]``, whether it is a price, the range a firm
    re-tuning its repricer chooses it in (``tune``; None: not tunable) and whether it is a whole number."""

    name: str
    default: float | str
    low: float
    high: float
    doc: str
    is_price: bool = False
    tune: tuple[float | str, float | str] | None = None
    integer: bool = False

    def tune_range(self, references: dict[str, float]) -> tuple[float, float]:
        """``tune`` in numbers, price references replaced by ``references`` (a seller's cost, nash, monopoly)."""
        low, high = (references[b] if isinstance(b, str) else float(b) for b in self.tune)
        return low, high


@dataclass(frozen=True)
class StrategySpec:
    """A strategy: its kernel and family, parameters, classifier and source. ``id`` is set by ``register``.

    A ``learner`` also gives ``observe``, the kernel that turns what it sees into the row of its table.
    """

    name: str
    doc: str
    source: str
    kernel: object = None
    family: str = "rule"
    params: tuple[Param, ...] = ()
    uses_rival_prices: bool = False
    uses_clock: bool = False
    stochastic: bool = False
    learns: bool = False
    memory: int = 0
    observe: object = None
    id: int = -1

    @property
    def family_code(self) -> int:
        """``RULE``, ``RESPONSE``, ``LEARNER`` or ``OUTSIDE``: the dispatch that prices a seller with this strategy."""
        return FAMILIES.index(self.family)

    @property
    def tunable(self) -> tuple[Param, ...]:
        """The parameters a firm re-tuning its repricer chooses (``Param.tune``)."""
        return tuple(p for p in self.params if p.tune is not None)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def value(self, row: np.ndarray, name: str) -> float:
        """The value of parameter ``name`` in a resolved parameter ``row``."""
        return float(row[[p.name for p in self.params].index(name)])

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
            number = float(value) if not isinstance(value, int) or abs(value) < 2**63 else float("inf")
            if not np.isfinite(number) or not (p.low <= number <= p.high):
                raise ValueError(f"{where}.{key} = {value!r}: must be in [{p.low:g}, {p.high:g}]")
            if p.is_price and p.name != "floor" and number <= 0.0:
                raise ValueError(f"{where}.{key} = {value!r}: a price must be > 0 (only a floor may be 0)")

    def resolve(self, values: dict, references: dict[str, float]) -> np.ndarray:
        """Parameter row for the kernel: given values, else defaults, with references replaced."""
        row = np.zeros(MAX_PARAMS)
        for k, p in enumerate(self.params):
            value = values.get(p.name, p.default)
            row[k] = references[value] if isinstance(value, str) else float(value)
        return row


_REGISTRY: dict[str, StrategySpec] = {}
_SEALED: list[bool] = [False]


def register(spec: StrategySpec) -> StrategySpec:
    """Add ``spec`` under the next id and return it with that id; ``ValueError`` for a spec the engine cannot run."""
    problem = None
    if spec.name in _REGISTRY:
        problem = "is registered twice"
    elif spec.family not in FAMILIES:
        problem = f"has family {spec.family!r}; allowed: {', '.join(FAMILIES)}"
    elif spec.kernel is None or (spec.family == "learner") != (spec.observe is not None):
        problem = "needs a kernel (and a learner, an observe kernel)"
    elif len(spec.params) > MAX_PARAMS or spec.memory > MEMORY_SLOTS:
        problem = "needs more parameters or memory than the engine holds"
    elif not all(_tune_fits(p) for p in spec.params) or (spec.learns and spec.tunable):
        problem = "declares a tunable range outside its parameter's (or a learner's parameter as tunable)"
    elif _SEALED[0]:
        problem = "is registered after the dispatch was built (import its module in market.strategies.dispatch)"
    if problem:
        raise ValueError(f"strategy {spec.name!r} {problem}")
    numbered = replace(spec, id=len(_REGISTRY))
    _REGISTRY[spec.name] = numbered
    return numbered


def _tune_fits(p: Param) -> bool:
    """Whether ``p.tune`` is absent, or two bounds within ``[p.low, p.high]`` (references only for a price)."""
    if p.tune is None:
        return True
    numbers = [b for b in p.tune if not isinstance(b, str)]
    references = [b for b in p.tune if isinstance(b, str)]
    return (len(p.tune) == 2 and all(p.low <= b <= p.high for b in numbers)
            and all(p.is_price and b in PRICE_REFERENCES for b in references)
            and (len(numbers) < 2 or numbers[0] <= numbers[1]))


def seal() -> None:
    """Refuse further registrations: the dispatch tables have been built from the registry."""
    _SEALED[0] = True


def family(name: str) -> list[StrategySpec]:
    """The registered specs of a family, in id order."""
    return [s for s in _REGISTRY.values() if s.family == name]


def get(name: str) -> StrategySpec:
    """The spec registered under ``name``; ``ValueError`` listing the names otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def names() -> list[str]:
    """The strategies a scenario runs by itself: every registered one but the ``outside`` family's, whose sellers
    a Python object prices (``market.outside``)."""
    return sorted(name for name, spec in _REGISTRY.items() if spec.family != "outside")


def select(**classifier) -> list[StrategySpec]:
    """Specs whose classifier matches, e.g. ``select(uses_rival_prices=False)``."""
    return [s for s in _REGISTRY.values() if all(getattr(s, k) == v for k, v in classifier.items())]

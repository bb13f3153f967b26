"""What the user asks of the re-tuning: who responds, what each may choose, and when the search stops.

A ``[respond]`` table (in an arms file, a sweep spec, or a TOML file given to ``compare --respond``)::

    [respond]
    sellers = ["platform"]        # who re-tunes (compare --respond platform,shop_a says the same)
    tolerance = 0.0               # converged once no seller gains more than this, in profit per tick,
    relative_tolerance = 0.001    # or more than this share of its own profit, whichever is larger
    max_rounds = 10               # rounds of best responses before giving up (reported as not converged)
    seeds = 1                     # common seeds every candidate is measured on
                                  # (default: 1 where the seeds vary nothing, else 4)
    points = 9                    # points of each setting's coarse grid
    resolution = 0.01             # refine a setting until its step is at most this share of its range

    [respond.platform]            # optional: what this seller chooses; without it, every tunable parameter
    window = [1, 12]              #   of its strategy within its declared range, and its period from one
    period = [1, 36]              #   tick to a day. Naming settings restricts the choice to those, in
    strategies = ["undercut"]     #   these ranges; strategies: other rules it may switch to (a menu)

Only the form is checked here; whether the sellers, settings and ranges exist in a scenario is
checked against the strategy registry by :mod:`experiments.respond.space`.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from experiments.errors import UsageError
from market import strategies
from market.strategies.registry import PRICE_REFERENCES
from market.tomlfile import read_toml

OPTIONS = ("sellers", "tolerance", "relative_tolerance", "max_rounds", "seeds", "points", "resolution")
MENU = "strategies"
RANDOM_SEEDS = 4  # the default number of search seeds in a market whose seeds vary something


@dataclass(frozen=True)
class Request:
    """One responder: the settings it chooses, with the ranges the user gave (empty: every tunable one, at the
    declared ranges, and its period), and other rules it may switch to."""

    seller: str
    ranges: tuple[tuple[str, tuple[float | str, float | str]], ...] = ()
    menu: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Who re-tunes and how the search runs and stops (module docstring); ``seeds`` None: automatic."""

    requests: tuple[Request, ...]
    tolerance: float = 0.0
    relative_tolerance: float = 1e-3
    max_rounds: int = 10
    seeds: int | None = None
    points: int = 9
    resolution: float = 0.01

    @property
    def sellers(self) -> tuple[str, ...]:
        return tuple(r.seller for r in self.requests)

    def threshold(self, profit: float) -> float:
        """The gain a seller must exceed to move: ``max(tolerance, relative_tolerance * |profit|)``, per tick."""
        return max(self.tolerance, self.relative_tolerance * abs(profit))

    def canonical(self) -> dict:
        """Everything that determines the search's result, as JSON-ready data."""
        return {"sellers": {r.seller: {"ranges": {k: list(v) for k, v in r.ranges}, "strategies": list(r.menu)}
                            for r in self.requests},
                "tolerance": self.tolerance, "relative_tolerance": self.relative_tolerance,
                "max_rounds": self.max_rounds, "seeds": self.seeds, "points": self.points,
                "resolution": self.resolution}


def parse(table, where: str = "respond") -> Plan:
    """A ``[respond]`` table as a :class:`Plan`; ``UsageError`` naming ``where.<field>`` otherwise."""
    if not isinstance(table, dict):
        raise UsageError(f"{where} = {table!r}: must be a table")
    tables = {k: v for k, v in table.items() if k not in OPTIONS}
    for key, value in tables.items():
        if not isinstance(value, dict):
            raise UsageError(f"{where}.{key}: unknown field; allowed: {', '.join(OPTIONS)}, or a table "
                             f"[{where}.<seller>] of that seller's settings")
    sellers = table.get("sellers", list(tables))
    if (not isinstance(sellers, list) or not sellers or not all(isinstance(s, str) and s for s in sellers)
            or len(set(sellers)) < len(sellers)):
        raise UsageError(f"{where}.sellers = {sellers!r}: must be a non-empty list of distinct seller names")
    for name in tables:
        if name not in sellers:
            raise UsageError(f"{where}.{name}: a table for a seller that is not in {where}.sellers ({sellers})")
    requests = tuple(_request(name, tables.get(name, {}), f"{where}.{name}") for name in sellers)
    return Plan(requests,
                tolerance=_number(table, "tolerance", 0.0, where, 0.0, 1e12),
                relative_tolerance=_number(table, "relative_tolerance", 1e-3, where, 0.0, 1.0),
                max_rounds=_count(table, "max_rounds", 10, where, 1, 1000),
                seeds=_count(table, "seeds", None, where, 1, 10_000),
                points=_count(table, "points", 9, where, 3, 65),
                resolution=_number(table, "resolution", 0.01, where, 1e-6, 0.5))


def as_plan(value: "Plan | dict | str") -> Plan:
    """A plan given as a :class:`Plan`, a ``[respond]`` table (dict) or seller names (``"platform,shop_a"``)."""
    if isinstance(value, Plan):
        return value
    return parse(value) if isinstance(value, dict) else from_flag(value)


def from_flag(text: str) -> Plan:
    """``compare --respond``: seller names separated by commas, or a TOML file with a ``[respond]`` table."""
    if text.endswith(".toml") or Path(text).is_file():
        data = read_toml(text, "respond", UsageError)
        if "respond" not in data:
            raise UsageError(f"--respond {text!r}: the file has no [respond] table")
        return parse(data["respond"], "respond")
    names = [name.strip() for name in text.split(",")]
    if not all(names) or len(set(names)) < len(names):
        raise UsageError(f"--respond {text!r}: give seller names separated by commas (each once), or a TOML file "
                         "with a [respond] table")
    return Plan(tuple(Request(name) for name in names))


def _request(seller: str, table: dict, where: str) -> Request:
    ranges = []
    menu = table.get(MENU, [])
    if not isinstance(menu, list) or not all(isinstance(m, str) for m in menu) or len(set(menu)) < len(menu):
        raise UsageError(f"{where}.{MENU} = {menu!r}: must be a list of distinct strategy names")
    for name in menu:
        try:
            strategies.get(name)
        except ValueError as err:
            raise UsageError(f"{where}.{MENU}: {err}") from None
    for key, value in table.items():
        if key == MENU:
            continue
        ranges.append((key, _range(value, f"{where}.{key}")))
    return Request(seller, tuple(ranges), tuple(menu))


def _range(value, where: str) -> tuple[float | str, float | str]:
    """``[low, high]``: numbers, or price references (``cost``, ``nash``, ``monopoly``) for a price."""
    ok = isinstance(value, list) and len(value) == 2 and all(
        (isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b)) or b in PRICE_REFERENCES
        for b in value)
    if not ok:
        raise UsageError(f"{where} = {value!r}: must be a range [low, high] of numbers (or, for a price, of "
                         f"{', '.join(PRICE_REFERENCES)})")
    low, high = value
    if not isinstance(low, str) and not isinstance(high, str) and low > high:
        raise UsageError(f"{where} = {value!r}: low is above high")
    return low, high


def _number(table: dict, key: str, default: float, where: str, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise UsageError(f"{where}.{key} = {value!r}: must be a number in [{low:g}, {high:g}]")
    return float(value)


def _count(table: dict, key: str, default: int | None, where: str, low: int, high: int) -> int | None:
    value = table.get(key, default)
    if value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{where}.{key} = {value!r}: must be a whole number from {low} to {high}")
    return value

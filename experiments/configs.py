"""The shipped scenarios in ``experiments/configs/``, found by name or path."""

import tomllib
from pathlib import Path

from experiments.errors import UsageError
from market.scenario import Scenario

CONFIG_DIR = Path(__file__).resolve().parent / "configs"


def scenario_names() -> list[str]:
    """Names of the shipped scenario files (experiment specs, which have a ``grid`` table, excluded)."""
    return sorted(p.stem for p in CONFIG_DIR.glob("*.toml") if "grid" not in tomllib.loads(p.read_text()))


def resolve(name_or_path: str | Path) -> Path:
    """Path of a scenario given as a file path or as the name of a shipped config."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = CONFIG_DIR / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    raise UsageError(f"config {str(name_or_path)!r}: no such file, and not a shipped scenario "
                     f"({', '.join(scenario_names())})")


def load(name_or_path: str | Path) -> Scenario:
    return Scenario.from_toml(resolve(name_or_path))

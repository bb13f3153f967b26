"""The shipped scenarios, found by name or by path.

The TOML files live in ``experiments/configs/`` (the experiments' folder, shipped as package
data); the engine reads them as data and imports nothing from ``experiments``. Files with a
``grid`` table are experiment specs, not scenarios, and are left out of the names.
"""

import tomllib
from pathlib import Path

from market.errors import ScenarioError, check_type
from market.scenario import Scenario

CONFIG_DIR = Path(__file__).resolve().parents[1] / "experiments" / "configs"


def scenario_names() -> list[str]:
    """Names of the shipped scenario files."""
    return sorted(p.stem for p in CONFIG_DIR.glob("*.toml") if "grid" not in tomllib.loads(p.read_text()))


def find(name_or_path: str | Path, folder: Path) -> Path | None:
    """``name_or_path`` if it exists (a folder is the file reader's error to name), else ``folder/<name>.toml`` if
    that is a file, else None."""
    check_type(name_or_path, (str, Path), "scenario", "a shipped name, a TOML file's path or a Scenario")
    path = Path(name_or_path)
    if path.is_file() or path.is_dir():
        return path
    shipped = folder / f"{name_or_path}.toml"
    return shipped if shipped.is_file() else None


def resolve(name_or_path: str | Path) -> Path:
    """Path of a scenario given as a file path or as the name of a shipped config; ``ScenarioError`` otherwise."""
    path = find(name_or_path, CONFIG_DIR)
    if path is not None:
        return path
    raise ScenarioError(f"config {str(name_or_path)!r}: no such file, and not a shipped scenario "
                        f"({', '.join(scenario_names())})")


def load(name_or_path: str | Path) -> Scenario:
    """The validated scenario of a shipped name or a TOML file."""
    return Scenario.from_toml(resolve(name_or_path))

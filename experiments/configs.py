"""The shipped scenarios in ``experiments/configs/``, found by name or path: :mod:`market.catalog`."""

from market.catalog import CONFIG_DIR, load, resolve, scenario_names

__all__ = ["CONFIG_DIR", "load", "resolve", "scenario_names"]

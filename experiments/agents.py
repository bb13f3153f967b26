"""Pricers named on the command line: ``--agent SELLER=MODULE:NAME`` (``market.outside``).

The code a seller is priced by comes from the command line, never from a scenario file (a
scenario stays data). ``MODULE`` is an importable module (``mypackage.pricers``, looked up in the
working folder first, as ``python -m`` does) or a Python file (``path/to/pricers.py``); ``NAME`` is a
pricer object in it (anything with ``price(observation)``) or a class or function that makes one
when called without arguments. A module that fails to load, or a maker that raises, is one line
naming the item and the error.
"""

import importlib
import importlib.util
import os
import sys
from pathlib import Path

from experiments.errors import UsageError


def parse(items: list[str] | None) -> dict[str, object]:
    """``{seller: pricer}`` from ``SELLER=MODULE:NAME`` items; ``UsageError`` naming the item for a bad one."""
    agents = {}
    for item in items or []:
        seller, _, target = item.partition("=")
        module, _, name = target.rpartition(":")
        if not (seller and module and name):
            raise UsageError(f"--agent {item!r}: must be SELLER=MODULE:NAME, e.g. platform=mypricers:Undercut")
        if seller in agents:
            raise UsageError(f"--agent {item!r}: seller {seller!r} is given twice")
        agents[seller] = _make(_import(module, item), name, item)
    return agents


def _import(module: str, item: str):
    try:
        if module.endswith(".py"):
            path = Path(module)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or not path.is_file():
                raise ImportError(f"no file {module}")
            loaded = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(loaded)
            return loaded
        here = os.getcwd()
        sys.path.insert(0, here)
        try:
            return importlib.import_module(module)
        finally:
            sys.path.remove(here)
    except ImportError as err:
        raise UsageError(f"--agent {item!r}: cannot import {module!r} ({err})") from None
    except Exception as err:  # noqa: BLE001 - the user's module: any error loading it is theirs, in one line
        raise UsageError(f"--agent {item!r}: loading {module!r} failed: {type(err).__name__}: {err}") from err


def _make(module, name: str, item: str):
    if not hasattr(module, name):
        raise UsageError(f"--agent {item!r}: {module.__name__!r} has no {name!r}")
    target = getattr(module, name)
    if callable(getattr(target, "price", None)) and not isinstance(target, type):
        return target
    if not callable(target):
        raise UsageError(f"--agent {item!r}: {name!r} is neither a pricer nor a class or function that makes one")
    try:
        return target()
    except Exception as err:  # noqa: BLE001 - the user's maker: any error is theirs, in one line
        raise UsageError(f"--agent {item!r}: calling {name}() without arguments failed ({type(err).__name__}: "
                         f"{err})") from err

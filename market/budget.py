"""Memory budgets, checked before any work: what a run needs against what this machine (or the user) allows.

The limit is ``PRICELAB_MAX_MEMORY`` (bytes, or a size such as ``4GiB``; the command line's
``--max-memory`` sets it), else 80% of the memory available when the check runs (Linux's
``MemAvailable``). A request over the limit is a ``BudgetError`` (a ``ScenarioError``: one line, exit
2) naming the figure, the limit and the fix, raised before anything is allocated.
"""

import os
import re

from market.errors import ScenarioError

LIMIT_ENV = "PRICELAB_MAX_MEMORY"
SHARE_OF_AVAILABLE = 0.8
_UNITS = {"": 1, "B": 1, "K": 1e3, "KB": 1e3, "KIB": 2**10, "M": 1e6, "MB": 1e6, "MIB": 2**20, "G": 1e9,
          "GB": 1e9, "GIB": 2**30, "T": 1e12, "TB": 1e12, "TIB": 2**40}


class BudgetError(ScenarioError):
    """A run that needs more memory than allowed."""


def parse_size(text: str, where: str = "--max-memory") -> int:
    """Bytes in ``text`` (``4GiB``, ``500MB``, ``2G``, ``1000000``); ``BudgetError`` naming ``where`` otherwise."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = match.group(2).upper() if match else None
    if match is None or unit not in _UNITS or float(match.group(1)) <= 0:
        raise BudgetError(f"{where} = {text!r}: must be a size > 0 such as 4GiB, 500MB or 2000000000")
    return int(float(match.group(1)) * _UNITS[unit])


def available() -> int:
    """Bytes of memory available now (``MemAvailable``; elsewhere the physical memory)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def limit() -> int:
    """The budget in bytes (module docstring)."""
    if os.environ.get(LIMIT_ENV):
        return parse_size(os.environ[LIMIT_ENV], LIMIT_ENV)
    return int(SHARE_OF_AVAILABLE * available())


def gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:,.1f} GiB" if n_bytes >= 2**28 else f"{n_bytes / 2**20:,.1f} MiB"


def require(need: float, what: str, fix: str) -> None:
    """``BudgetError`` when ``need`` bytes exceed the budget: ``<what> need 37.3 GiB; ... ; <fix>``."""
    allowed = limit()
    if need > allowed:
        source = f"{LIMIT_ENV} / --max-memory" if os.environ.get(LIMIT_ENV) else "80% of the memory available"
        raise BudgetError(f"{what} need {gib(need)}; the budget is {gib(allowed)} ({source}): {fix}")


def count(value: int, per_item: float, what: str, flag: str) -> None:
    """Refuse ``value`` items of ``per_item`` bytes each beyond the budget, naming the largest count that fits."""
    most = max(1, int(limit() // per_item))
    if value > most:
        raise BudgetError(f"{flag} {value:,}: {what} need {gib(value * per_item)}, over the budget; at most "
                          f"{most:,} fit")

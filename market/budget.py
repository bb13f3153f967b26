"""Memory budgets, checked before any work: what a run needs against what this machine (or the user) allows.

The limit is ``PRICELAB_MAX_MEMORY`` (bytes, or a size such as ``4GiB``; the command line's
``--max-memory`` sets it), else 80% of the memory available when the check runs: the least of Linux's
``MemAvailable``, what the process's control group still allows (cgroup v2 ``memory.max - memory.current``
of its group and every group above it; v1 ``memory.limit_in_bytes - memory.usage_in_bytes``), and what its
address-space limit still allows (``ulimit -v``: ``RLIMIT_AS`` less the address space in use), so a job in
a 2 GB container or under ``ulimit -v`` is refused in one line instead of being killed. A request over the
limit is a ``BudgetError`` (a ``ScenarioError``: one line, exit 2) naming the figure, the limit and the fix,
raised before anything is allocated. ``workers`` caps worker processes by the cores and the budget.
"""

import math
import os
import re
import resource
from pathlib import Path

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
    """Bytes of memory available now: the least of the system's, the control group's and the address space's
    (module docstring)."""
    return min(_system(), _cgroup(), _address_space())


def _system() -> int:
    """``MemAvailable``; elsewhere the physical memory."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _read_number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except (OSError, ValueError):
        return None
    return int(text) if text.isdigit() else None


def _cgroup(root: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")) -> float:
    """What this process's control groups still allow, in bytes (inf: no limit, or no cgroup)."""
    try:
        lines = membership.read_text().splitlines()
    except OSError:
        return math.inf
    room = math.inf
    for line in lines:
        _, controllers, group = line.split(":", 2)
        if controllers == "":  # v2: the group and every group above it
            folder = root / group.lstrip("/")
            while True:
                limit, used = _read_number(folder / "memory.max"), _read_number(folder / "memory.current")
                if limit is not None:
                    room = min(room, limit - (used or 0))
                if folder == root or root not in folder.parents:
                    break
                folder = folder.parent
        elif "memory" in controllers.split(","):  # v1
            folder = root / "memory" / group.lstrip("/")
            limit = _read_number(folder / "memory.limit_in_bytes")
            used = _read_number(folder / "memory.usage_in_bytes")
            if limit is not None and limit < 2**60:
                room = min(room, limit - (used or 0))
    return max(room, 0)


def _address_space() -> float:
    """``RLIMIT_AS`` less this process's address space (inf: no limit)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return math.inf
    try:
        with open("/proc/self/statm") as handle:
            used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        used = 0
    return max(soft - used, 0)


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


WORKER_BYTES = 400 * 2**20  # a worker process with numpy, numba and the engine loaded (measured: about 300 MiB)


def cores() -> int:
    """The cores this process may run on (its CPU affinity; elsewhere the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers(requested: int | None, flag: str = "--workers", per_worker: float = WORKER_BYTES) -> int:
    """Worker processes to start: ``requested`` (None: one per core) capped by the cores and by the memory budget
    at ``per_worker`` bytes each, at least 1; a capped request says so on standard error."""
    import sys

    allowed = max(1, min(cores(), int(limit() // per_worker)))
    chosen = allowed if requested is None else min(requested, allowed)
    if requested is not None and chosen < requested:
        print(f"pricelab: {flag} {requested:,}: using {chosen} (this process may use {cores()} cores and "
              f"{gib(limit())} of memory, about {gib(per_worker)} per worker)", file=sys.stderr)
    return chosen

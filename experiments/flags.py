"""Types for numeric command-line flags: a bad value is argparse's one-line error, before any work.

``argparse`` turns the ``ArgumentTypeError`` into ``argument --xi: must be a finite number, not 'nan'``,
which ``experiments.cli`` prints in one line with exit status 2.
"""

import argparse
import math
import re

MAX_COUNT = 2**62
_DURATION = re.compile(r"^(?P<number>\d+(\.\d+)?)(?P<unit>m|h|d|w)$")
_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}


def finite(text: str) -> float:
    """A finite number (no nan, no inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def _integer(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value}: must be {what}")
    return value


def count(text: str) -> int:
    """A whole number from 1 to 2**62."""
    return _integer(text, 1, MAX_COUNT, "from 1 to 2**62")


def seed(text: str) -> int:
    """A seed: a whole number in [0, 2**63)."""
    return _integer(text, 0, 2**63 - 1, "in [0, 2**63)")


def port(text: str) -> int:
    """A TCP port: 1 to 65535."""
    return _integer(text, 1, 65535, "a port from 1 to 65535")


def duration(text: str) -> float:
    """A duration in minutes, written with its unit: 30m, 12h, 1d, 13w."""
    match = _DURATION.match(text)
    if match is None or float(match["number"]) <= 0:
        raise argparse.ArgumentTypeError(f"must be a duration such as 30m, 12h, 1d, 13w, not {text!r}")
    return float(match["number"]) * _MINUTES[match["unit"]]

"""Errors raised at the edge, when a scenario or an intervention is read, and their one-line messages.

This module imports nothing heavy, so that the command line can catch these errors without
loading numpy, numba or pydantic first.
"""


class ScenarioError(ValueError):
    """Invalid scenario: the message names the field, the value and what is allowed."""


class InterventionError(ValueError):
    """Invalid intervention: the message names the field, the value and what is allowed."""


class PanelError(ValueError):
    """An unusable price panel or calibration for the screens: the message names the file, the row and the value."""


class CalibrationError(ValueError):
    """An unusable product panel, repricers' fragment or calibration (``market.calibration``): the message names the
    market and the product (or the file, the field and the value) and what is allowed."""


class OutsideError(ValueError):
    """A seller priced from outside (``market.outside``) misconfigured, or a price from it that is no price: the
    message names the seller, the value and what is allowed (and the tick, for a price)."""


class PricerError(OutsideError):
    """A pricer's own code raised when asked for a price: the message names the seller, the tick and the error;
    the pricer's exception is its ``__cause__``, with its traceback."""


class PriceError(ScenarioError):
    """A strategy's kernel chose a price that is no price (not finite, or negative): the message names the seller,
    its strategy, the tick and the value. The state is left before that tick and cannot be advanced further."""


SHOWN = 80  # characters of a user's value shown in a one-line error


def shorten(text: str, limit: int = SHOWN) -> str:
    """``text`` cut to about ``limit`` characters (a user's value echoed in an error), saying how long it was."""
    return text if len(text) <= limit else f"{text[:max(limit - 24, 8)]}... ({len(text):,} characters)"


def check_type(value, allowed: type | tuple, name: str, what: str) -> None:
    """``TypeError`` in one line naming the argument, its value and what is allowed, unless ``value`` is an
    ``allowed`` (a bool is never a number): the Python API's edge, before any work."""
    if isinstance(value, allowed) and not (isinstance(value, bool) and bool not in (allowed if isinstance(
            allowed, tuple) else (allowed,))):
        return
    raise TypeError(f"{name} = {shorten(repr(value))}: must be {what}")


def format_validation_error(err) -> str:
    """One line naming each problem of a pydantic ``ValidationError``: ``field = value: what is allowed``."""
    lines = []
    for e in err.errors():
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown field")
        elif e["type"] == "missing":
            lines.append(f"{where}: missing")
        elif e["type"] == "value_error" and (not e["loc"] or isinstance(e["loc"][-1], int)):
            lines.append(f"{where}.{message}" if where else message)
        else:
            lines.append(f"{where} = {shorten(repr(e.get('input')))}: {message}")
    return "; ".join(lines)

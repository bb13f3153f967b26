"""A table's column read as numbers, and the first value that is not an allowed number.

Shared by the readers of users' data (observed price panels, calibration panels); each words its own
error around :class:`BadNumber` (the row, the value as given, or that it is missing).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import polars as pl


class BadNumber(NamedTuple):
    """The first bad value of a column: its position (from 0) and the value as given (``None``: missing)."""

    row: int
    value: object


def read_numbers(column: pl.Series, valid: Callable[[np.ndarray], np.ndarray],
                 missing_ok: bool = False) -> tuple[np.ndarray, BadNumber | None]:
    """``column`` as float64 (missing values NaN) and its first bad value, if any.

    A value is bad when it is not a number (text, a date, a truth value), not finite, fails ``valid``, or is
    missing unless ``missing_ok``.
    """
    if column.dtype == pl.Boolean or column.dtype.is_temporal():
        return np.full(column.len(), np.nan), BadNumber(0, column[0])
    cast = column.cast(pl.Float64, strict=False)
    numbers = cast.to_numpy().astype(np.float64)
    given = column.is_not_null().to_numpy()
    not_number = given & cast.is_null().to_numpy()
    with np.errstate(invalid="ignore"):
        not_allowed = given & ~not_number & ~(np.isfinite(numbers) & valid(numbers))
    bad = not_number | not_allowed | (~given & (not missing_ok))
    if not bad.any():
        return numbers, None
    row = int(np.argmax(bad))
    value = None if not given[row] else column[row] if not_number[row] else float(numbers[row])
    return numbers, BadNumber(row, value)

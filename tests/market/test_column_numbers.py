"""Reading a column of users' data as numbers: the first bad value, whatever its kind, is the one named."""

import datetime

import numpy as np
import polars as pl
import pytest

from market.column_numbers import BadNumber, read_numbers


def positive(v: np.ndarray) -> np.ndarray:
    return v > 0


@pytest.mark.parametrize(("values", "missing_ok", "bad"), [
    (["1.5", "2", "3"], False, None),
    (["1", "cheap", None, "-1"], False, BadNumber(1, "cheap")),
    (["1", None, "cheap", "-1"], False, BadNumber(1, None)),
    (["1", None, "cheap", "-1"], True, BadNumber(2, "cheap")),
    ([1.0, None, -1.0], True, BadNumber(2, -1.0)),
    ([1.0, float("inf")], False, BadNumber(1, float("inf"))),
    ([True, False], False, BadNumber(0, True)),
    ([datetime.date(2026, 1, 1)], False, BadNumber(0, datetime.date(2026, 1, 1))),
])
def test_the_first_bad_value_is_named(values, missing_ok, bad):
    numbers, found = read_numbers(pl.Series("x", values), positive, missing_ok)
    assert found == bad
    if bad is None:
        assert numbers.tolist() == [1.5, 2.0, 3.0]


def test_missing_values_read_as_nan_where_allowed():
    numbers, found = read_numbers(pl.Series("x", [2.0, None]), positive, missing_ok=True)
    assert found is None and numbers[0] == 2.0 and np.isnan(numbers[1])


def test_nan_given_is_not_a_number_allowed():
    _, found = read_numbers(pl.Series("x", [1.0, float("nan")], nan_to_null=False), positive, missing_ok=True)
    assert found.row == 1 and np.isnan(found.value)

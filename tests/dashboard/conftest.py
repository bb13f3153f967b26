"""Shared fixtures: a Lab on the default scenario, run a little way."""

import pytest

from dashboard.lab import Lab


@pytest.fixture
def lab() -> Lab:
    lab = Lab()
    lab.step(200)
    return lab

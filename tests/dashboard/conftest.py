"""Shared fixtures: a Lab on the default scenario from its start (tick 0, no warm-up), run a little way."""

import pytest

from dashboard.lab import Lab


@pytest.fixture
def lab() -> Lab:
    lab = Lab()
    assert lab.set_learn_live(True), lab.error  # from scratch: the charts' mechanics are read from tick 0
    lab.step(200)
    return lab

"""What counts as a price change (market.changes): moves within CHANGE_TOLERANCE are held, uncounted, and use up no
change cap, so they cannot creep either."""

import numpy as np

from market import catalog, engine, interventions
from market.changes import CHANGE_TOLERANCE
from market.screens.measures import changes

AMAZON = catalog.load("amazon_10min").replace(horizon=300, measure=None)


class Nudge:
    """A pricer that asks for its current price times ``1 + relative(tick)``."""

    def __init__(self, relative):
        self.relative = relative

    def price(self, observation):
        return observation.price * (1.0 + self.relative(observation.tick))


def platform_path(scenario, relative):
    state = engine.run(scenario, agents={"platform": Nudge(relative)})
    return state, state.records.price[:, 0]


def test_moves_within_the_tolerance_are_held_and_cannot_creep():
    state, path = platform_path(AMAZON, lambda t: 0.9 * CHANGE_TOLERANCE)
    assert np.all(path == path[0]) and state.totals.changes[0] == 0
    state, path = platform_path(AMAZON, lambda t: -0.9 * CHANGE_TOLERANCE)
    assert np.all(path == path[0]) and state.totals.changes[0] == 0


def test_moves_beyond_the_tolerance_are_changes():
    state, path = platform_path(AMAZON, lambda t: 2.0 * CHANGE_TOLERANCE)
    assert state.totals.changes[0] == AMAZON.horizon
    np.testing.assert_allclose(path[-1] / path[0], (1 + 2 * CHANGE_TOLERANCE) ** (AMAZON.horizon - 1), rtol=1e-12)


def test_a_held_move_uses_up_no_change_cap():
    """Under once a day, a float-sized nudge at tick 1 must not block a real move at tick 2."""
    capped = AMAZON.with_interventions(interventions.load("once_a_day"))
    state, path = platform_path(capped, lambda t: {1: 1e-12, 2: 0.05}.get(t, 0.0))
    assert path[2] == path[0] * 1.05 and np.all(path[:2] == path[0]) and state.totals.changes[0] == 1


def test_the_screens_read_panels_by_the_same_rule():
    panel = np.array([[1.0], [1.0 + 0.5 * CHANGE_TOLERANCE], [1.0 + 3 * CHANGE_TOLERANCE]])
    assert changes(panel)[1][:, 0].tolist() == [False, True]

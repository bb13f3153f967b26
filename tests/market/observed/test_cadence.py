import numpy as np

from market.observed.cadence import Cadence, cadences, change_events, support


def test_changes_between_observations_are_intervals():
    own = np.array([1.0, np.nan, 1.0, 2.0, np.nan, np.nan, 3.0, 3.0])
    start, end = change_events(own)
    np.testing.assert_array_equal(start, [2, 3])
    np.testing.assert_array_equal(end, [3, 6])


def test_support_counts_the_phases_each_interval_allows():
    # changes seen at 3 (exactly) and somewhere in (3, 6]: phases of period 3 counted from first tick 10
    shares = support(np.array([2, 3]), np.array([3, 6]), first_tick=10, period=3)
    # tick 3 is absolute 13 -> phase 1; (3, 6] is absolute 14..16 -> phases 2, 0, 1
    np.testing.assert_allclose(shares, [0.5, 1.0, 0.5])


def test_a_seller_changing_on_an_hourly_lattice_gets_that_cadence():
    own = np.full(600, 1.0)
    for k, t in enumerate(range(4, 600, 6)):
        own[t:] = 1.0 + 0.01 * (k % 2)
    found = cadences(own, first_tick=0)
    assert Cadence(1, 0, 1.0) in found
    assert any(c.period == 6 and c.phase == 4 and c.support == 1.0 for c in found)
    assert not any(c.period in (18, 24) for c in found)  # every other change only: not a lattice

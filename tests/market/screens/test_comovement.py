import numpy as np
import pytest

from market.screens import comovement
from tests.market.screens.panels import panel_of, random_walk


def test_identical_moves_correlate_one_and_mirrored_moves_minus_one():
    walk = random_walk(3)
    assert comovement.parallelism(panel_of({"a": walk, "b": walk + 1.0})) == pytest.approx(1.0)
    assert comovement.parallelism(panel_of({"a": walk, "b": 30.0 - walk})) == pytest.approx(-1.0)


def test_pairs_with_a_constant_price_are_left_out_of_parallelism():
    walk = random_walk(4)
    panel = panel_of({"a": walk, "b": walk * 1.1, "c": np.full(walk.size, 5.0)})
    assert comovement.parallelism(panel) == pytest.approx(1.0)


@pytest.mark.parametrize("k", [1, 3, 7, 20])
def test_a_follower_copying_a_leader_k_ticks_later_is_found_at_lag_k(k):
    leader = random_walk(5)
    follower = np.concatenate([np.full(k, leader[0]), leader[:-k]])
    bystander = random_walk(6)
    panel = panel_of({"bystander": bystander, "leader": leader, "follower": follower})
    found = comovement.leadership(panel)
    assert (panel.seller[found.leader], panel.seller[found.follower], found.lag) == ("leader", "follower", k)
    assert found.correlation == pytest.approx(1.0)
    assert comovement.lead_follow(panel) == pytest.approx(1.0)


def test_independent_sellers_show_no_strong_leader():
    panel = panel_of({"a": random_walk(7, 2000), "b": random_walk(8, 2000)})
    assert comovement.lead_follow(panel) < 0.1


def _follows(rival: np.ndarray, rises: bool, cuts: bool, delay: int = 2) -> np.ndarray:
    """A price that copies the rival's moves ``delay`` ticks later: its rises, its cuts, or both."""
    own = np.empty_like(rival)
    own[: delay + 1] = rival[0]
    for t in range(delay + 1, rival.size):
        move = rival[t - delay] - rival[t - delay - 1]
        own[t] = own[t - 1] + (move if (move > 0 and rises) or (move < 0 and cuts) else 0.0)
    return own


def test_a_seller_that_follows_rises_but_not_cuts_is_fully_asymmetric():
    rival = np.repeat(10.0 + np.cumsum(np.tile([0.5, -0.3, -0.1, 0.2], 20)), 40)[:2000]
    panel = panel_of({"rival": rival, "follower": _follows(rival, rises=True, cuts=False)})
    follow = comovement.following(panel)
    assert follow[1] == pytest.approx([1.0, 0.0])
    symmetric = panel_of({"rival": rival, "follower": _follows(rival, rises=True, cuts=True)})
    assert comovement.following(symmetric)[1] == pytest.approx([1.0, 1.0])
    # the follower never cuts, so the rival's response to cuts is undefined: the score is the follower's alone
    assert comovement.asymmetry(panel) == pytest.approx(1.0)


def test_cross_correlation_is_nan_for_a_constant_column():
    x = np.column_stack([np.arange(10.0), np.ones(10)])
    r = comovement.cross_correlation(x, x)
    assert r[0, 0] == pytest.approx(1.0) and np.isnan(r[1, 1]) and np.isnan(r[0, 1])

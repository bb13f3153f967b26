import numpy as np
import pytest

from market.screens import catalog, measures
from tests.market.screens.panels import panel_of, random_walk

T = 200


def test_constant_prices_score_zero_on_every_price_screen():
    panel = panel_of({"a": np.full(T, 1.7), "b": np.full(T, 2.3), "c": np.full(T, 1.9)})
    scores = catalog.score(panel)
    for name in ("variance", "cv", "change_frequency", "change_size", "parallelism", "lead_follow", "asymmetry",
                 "edgeworth", "structural_break"):
        assert scores[name] == 0.0, name
    assert np.isnan(scores["markup_over_nash"]) and np.isnan(scores["lerner"])


def test_variance_and_cv_of_alternating_prices():
    a = np.tile([1.0, 3.0], T // 2)  # mean 2, variance 1
    b = np.tile([4.0, 4.0, 4.0, 8.0], T // 4)  # mean 5, variance 3
    panel = panel_of({"a": a, "b": b})
    assert measures.variance(panel) == pytest.approx((1.0 + 3.0) / 2)
    assert measures.coefficient_of_variation(panel) == pytest.approx((1.0 / 2.0 + np.sqrt(3.0) / 5.0) / 2)


def test_rigidity_counts_changes_and_their_relative_size():
    a = np.tile([1.0, 1.1], T // 2)  # changes every step: +10%, then -1/11
    b = np.repeat([2.0, 2.2], T // 2)  # one change of +10%
    panel = panel_of({"a": a, "b": b})
    assert measures.change_frequency(panel) == pytest.approx((T - 1 + 1) / (2 * (T - 1)))
    rises, cuts = T // 2 + 1, T // 2 - 1  # a's T/2 rises and b's one; a's T/2 - 1 cuts
    assert measures.change_size(panel) == pytest.approx((rises * 0.1 + cuts * 0.1 / 1.1) / (rises + cuts))


def test_moves_below_the_tolerance_are_no_change():
    wobble = 2.0 * (1.0 + 1e-9 * np.sin(np.arange(T)))
    panel = panel_of({"a": wobble, "b": np.full(T, 2.0)})
    assert measures.change_frequency(panel) == 0.0 and measures.change_size(panel) == 0.0


def _sawtooth(cut: float, steps: int, repeats: int, start: float = 2.0) -> np.ndarray:
    """Cut by the share ``cut`` ``steps`` times, then jump back to ``start``; ``repeats`` cycles."""
    cycle = start * (1.0 - cut) ** np.arange(steps + 1)
    return np.tile(cycle, repeats)


def test_edgeworth_signature_of_a_cycle_is_its_cut():
    cycle = _sawtooth(0.02, 9, 20)  # 9 cuts of 2% for every restoration
    panel = panel_of({"a": cycle, "b": np.roll(cycle, 3)})
    assert measures.edgeworth_signature(panel) == pytest.approx(0.02)
    reversed_cycle = panel_of({"a": cycle[::-1].copy(), "b": np.roll(cycle[::-1], 3)})
    assert measures.edgeworth_signature(reversed_cycle) < 0.0  # slow rises, sudden drops: no Edgeworth cycle


def test_markup_over_nash_and_lerner_index():
    price = {"a": np.full(T, 1.65), "b": np.full(T, 2.2)}
    panel = panel_of(price, nash_price={"a": np.full(T, 1.5), "b": np.full(T, 2.0)},
                     cost={"a": np.full(T, 1.1), "b": np.full(T, 1.1)})
    assert measures.markup_over_nash(panel) == pytest.approx(0.1)
    assert measures.lerner_index(panel) == pytest.approx(((1.65 - 1.1) / 1.65 + 0.5) / 2)


def test_a_clean_break_in_the_level_explains_all_its_variance_and_is_dated():
    level = np.where(np.arange(T) < 120, 1.0, 2.0)
    panel = panel_of({"a": level, "b": level + 0.5})
    score, k = measures.break_point(panel)
    assert score == pytest.approx(1.0) and k == 120


def test_structural_break_matches_a_brute_force_search_over_break_dates():
    a, b = random_walk(1, T), random_walk(2, T)
    panel = panel_of({"a": a, "b": b})
    level = (a + b) / 2
    total = np.sum((level - level.mean()) ** 2)
    best = 0.0
    for k in range(int(np.ceil(0.15 * T)), int(np.floor(0.85 * T)) + 1):
        within = np.sum((level[:k] - level[:k].mean()) ** 2) + np.sum((level[k:] - level[k:].mean()) ** 2)
        best = max(best, 1.0 - within / total)
    assert measures.structural_break(panel) == pytest.approx(best, rel=1e-9)

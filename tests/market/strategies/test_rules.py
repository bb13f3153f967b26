"""Each rule strategy against scripted rival price paths, with the exact expected prices."""

import numpy as np
import pytest

from market import strategies
from market.strategies.dispatch import rule_price


def _play(name, rival_path, cost=1.0, **params):
    spec = strategies.get(name)
    row = spec.resolve(params, {"cost": cost, "nash": 1.5, "monopoly": 1.9})
    memory = np.zeros(strategies.MEMORY_SLOTS)
    return [rule_price(spec.id, cost, rival, rival + 0.1, row, memory) for rival in rival_path]


RIVALS = [1.80, 1.60, 1.20, 0.90, 2.50, np.inf]


def test_fixed_and_cost_plus_ignore_rivals():
    assert _play("fixed", RIVALS, price=1.7) == [1.7] * 6
    assert _play("cost_plus", RIVALS, cost=1.25, markup=0.2) == pytest.approx([1.5] * 6)


def test_match_lowest_within_floor_and_ceiling():
    assert _play("match_lowest", RIVALS, floor=1.0, ceiling=2.0) == [1.8, 1.6, 1.2, 1.0, 2.0, 2.0]


def test_match_platform_follows_the_platform_not_the_lowest():
    assert _play("match_platform", RIVALS[:4], floor=1.0, ceiling=2.0) == pytest.approx([1.9, 1.7, 1.3, 1.0])


def test_undercut_by_a_step():
    got = _play("undercut", RIVALS, step=0.05, floor=1.0, ceiling=2.0)
    assert got == pytest.approx([1.75, 1.55, 1.15, 1.0, 2.0, 2.0])


def test_undercut_defaults_use_cost_and_monopoly():
    assert _play("undercut", [1.5, 0.5, 3.0]) == pytest.approx([1.49, 1.0, 1.9])


def test_edgeworth_undercuts_then_resets():
    got = _play("edgeworth", [1.8, 1.3, 1.11, 1.09, 1.5], step=0.1, floor=1.0, reset=1.9)
    assert got == pytest.approx([1.7, 1.2, 1.01, 1.9, 1.4])


def test_tit_for_tat_punishes_once_and_forgives():
    got = _play("tit_for_tat", [1.9, 1.9, 1.6, 1.9, 1.9], high=1.9, low=1.5, trigger=1.9)
    assert got == [1.9, 1.9, 1.5, 1.9, 1.9]


def test_grim_trigger_never_forgives():
    got = _play("grim_trigger", [1.9, 1.9, 1.6, 1.9, 1.9], high=1.9, low=1.5, trigger=1.9)
    assert got == [1.9, 1.9, 1.5, 1.5, 1.5]


def test_registry_classifiers_and_sources():
    for name in strategies.names():
        spec = strategies.get(name)
        assert spec.source and spec.doc
    reactive = {s.name for s in strategies.select(uses_rival_prices=True, learns=False)}
    assert {"match_lowest", "undercut", "edgeworth", "tit_for_tat", "grim_trigger", "best_response"} <= reactive
    assert {s.name for s in strategies.select(uses_rival_prices=False, learns=False)} >= {"fixed", "cost_plus"}


def test_parameter_validation_names_the_parameter():
    spec = strategies.get("undercut")
    with pytest.raises(ValueError, match=r"params.step = -1: must be in \[0, 1e\+06\]"):
        spec.validate({"step": -1}, "params")
    with pytest.raises(ValueError, match="params.stepp: unknown parameter"):
        spec.validate({"stepp": 0.1}, "params")
    with pytest.raises(ValueError, match="params.floor = 'median'"):
        spec.validate({"floor": "median"}, "params")
    with pytest.raises(ValueError, match="params.step = nan"):
        spec.validate({"step": float("nan")}, "params")
    with pytest.raises(ValueError, match="unknown strategy 'magic'"):
        strategies.get("magic")

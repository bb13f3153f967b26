"""Each rule strategy against scripted rival price paths, with the exact expected prices."""

import numpy as np
import pytest

from market import strategies
from market.strategies.dispatch import rule_price


def _play(name, rival_path, cost=1.0, minutes=None, **params):
    """The strategy's prices against ``rival_path`` (the platform 0.1 dearer), repricing at ``minutes`` (minutes since
    day 0, 00:00; default every 10 minutes from 00:00)."""
    spec = strategies.get(name)
    row = spec.resolve(params, {"cost": cost, "nash": 1.5, "monopoly": 1.9})
    memory = np.zeros(strategies.MEMORY_SLOTS)
    minutes = range(0, 10 * len(rival_path), 10) if minutes is None else minutes
    return [rule_price(spec.id, cost, rival, rival + 0.1, minute, row, memory)
            for rival, minute in zip(rival_path, minutes, strict=True)]


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


def test_resetting_undercuts_then_resets_at_its_hour_and_holds():
    """Ticks of 30 minutes from 00:30 on day 0 to 03:30 on day 1; the reset hour is 2, the hold an hour."""
    minutes = [30, 60, 90, 120, 150, 180, 210, 1440 + 90, 1440 + 120, 1440 + 150, 1440 + 180, 1440 + 210]
    rivals = [1.6, 1.55, 1.52, 1.5, 1.5, 1.85, 1.5, 1.6, 1.6, 1.6, 1.6, 1.88]
    got = _play("resetting", rivals, minutes=minutes, step=0.05, floor=1.5, reset=1.9, hour=2, hold_hours=1)
    assert got == pytest.approx([1.55, 1.5, 1.5, 1.9, 1.9, 1.8, 1.5, 1.55, 1.9, 1.9, 1.55, 1.83])


def test_resetting_resets_at_its_first_run_after_the_hour_once_a_day():
    """Runs at 01:00 and 05:00: the 05:00 run is the first after 02:00, so it resets; the next day again."""
    minutes = [60, 300, 360, 1440 + 60, 1440 + 300, 1440 + 360]
    got = _play("resetting", [1.6] * 6, minutes=minutes, step=0.1, floor=1.0, reset=1.9, hour=2, hold_hours=0)
    assert got == pytest.approx([1.5, 1.9, 1.5, 1.5, 1.9, 1.5])


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
    assert {s.name for s in strategies.select(uses_clock=True)} == {"resetting"}


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

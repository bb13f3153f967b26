"""Tunable parameters: declared on the specs, within each parameter's range; learners have none."""

import pytest

from market import strategies
from market.strategies.registry import Param, StrategySpec, register
from market.strategies.rules import fixed_price

REFERENCES = {"cost": 1.0, "nash": 1.4, "monopoly": 1.9}


@pytest.mark.parametrize("name", strategies.names())
def test_tunable_ranges_lie_within_the_parameters_ranges_and_learners_have_none(name):
    spec = strategies.get(name)
    if spec.learns:
        assert spec.tunable == ()
    for p in spec.tunable:
        low, high = p.tune_range(REFERENCES)
        assert p.low <= low <= high <= p.high
        assert not p.integer or (float(low).is_integer() and float(high).is_integer())


def test_every_rule_repricer_but_the_best_responses_has_tunable_settings():
    rules = [n for n in strategies.names() if not strategies.get(n).learns]
    assert {n for n in rules if not strategies.get(n).tunable} == {"best_response", "anticipating"}
    assert [p.name for p in strategies.get("price_leadership").tunable if p.integer] == ["window", "cooldown"]
    # Musolff's sellers choose when their repricer resets, to what and for how long, as well as its step and floor
    assert [p.name for p in strategies.get("resetting").tunable] == ["step", "floor", "reset", "hour", "hold_hours"]


@pytest.mark.parametrize("param", [
    Param("step", 0.01, 0.0, 1.0, "a step", tune=(0.0, 2.0)),
    Param("step", 0.01, 0.0, 1.0, "a step", tune=("nash", 1.0)),
    Param("step", 0.01, 0.0, 1.0, "a step", tune=(0.5, 0.1)),
])
def test_a_tunable_range_outside_its_parameters_is_refused_at_registration(param):
    with pytest.raises(ValueError, match="declares a tunable range outside its parameter's"):
        register(StrategySpec(name="bad_tune", doc="", source="", kernel=fixed_price, params=(param,)))
    with pytest.raises(ValueError, match="unknown strategy 'bad_tune'"):
        strategies.get("bad_tune")

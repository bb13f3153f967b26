import pytest

from experiments.compare import measure
from experiments.configs import load
from experiments.errors import UsageError
from experiments.respond.plan import parse
from experiments.respond.space import Setting, apply, responders


def test_a_responder_chooses_its_strategys_tunable_parameters_and_its_period_by_default():
    nessie = load("nessie")
    (platform,) = responders(parse({"sellers": ["platform"]}), nessie)
    knobs = {k.name: k for k in platform.options[0].knobs}
    assert list(knobs) == ["step", "window", "cooldown", "slack", "floor", "ceiling", "period"]
    refs = nessie.references(0)
    assert (knobs["floor"].low, knobs["floor"].high) == (refs["cost"], refs["monopoly"])
    assert knobs["window"].integer and (knobs["period"].low, knobs["period"].high) == (1, 144)
    assert platform.given == Setting("price_leadership", (("step", 0.03), ("window", 3), ("cooldown", 6),
                                                          ("slack", 0.0), ("floor", refs["nash"]),
                                                          ("ceiling", refs["monopoly"]), ("period", 6)))


def test_named_settings_restrict_the_choice_and_a_menu_adds_rules_at_their_defaults():
    plan = parse({"platform": {"floor": ["nash", "monopoly"], "period": [1, 12], "strategies": ["undercut"]}})
    (platform,) = responders(plan, load("nessie"))
    assert [o.strategy for o in platform.options] == ["price_leadership", "undercut"]
    assert [k.name for k in platform.options[1].knobs] == ["floor", "period"]
    assert platform.options[1].params == {} and platform.options[1].start.get("period") == 6


def test_the_given_profile_reproduces_the_scenario_exactly_and_a_choice_changes_it():
    nessie = load("nessie").with_values({"horizon": 600})
    found = responders(parse({"platform": {"window": [1, 12], "period": [1, 12]}}), nessie)
    given = tuple(r.given for r in found)
    assert measure(apply(nessie, found, given))[1] == measure(nessie)[1]
    changed = apply(nessie, found, (given[0].with_value("period", 12),))
    platform = changed.sellers[0]
    assert (platform.period, platform.phase, platform.params["window"]) == (12, 0, 3)
    assert measure(changed)[1] != measure(nessie)[1]  # (the settled market at period 4 is the one at period 1)


@pytest.mark.parametrize("table, message", [
    ({"sellers": ["nobody"]}, "respond: no seller named 'nobody' in nessie; sellers: platform, shop_a, shop_b"),
    ({"platform": {"colour": [0, 1]}}, "respond.platform.colour: not a tunable setting of price_leadership; "
                                       "platform may choose: ceiling, cooldown"),
    ({"platform": {"window": [0, 12]}}, "respond.platform.window = [0, 12]: outside the range strategy "
                                        "'price_leadership' declares for it, [1, 48]"),
    ({"platform": {"ceiling": ["nash", 5.0]}}, "respond.platform.ceiling = ['nash', 5.0]: outside the range"),
    ({"platform": {"period": [1, 10**6]}}, "respond.platform.period = [1, 1000000]: outside the range a period "
                                           "may take for it, [1, 4320]"),
    ({"platform": {"strategies": ["qlearning"]}}, "menu strategy 'qlearning' has no tunable settings"),
    ({"platform": {"window": [1, "nash"]}}, "respond.platform.window = [1, 'nash']: not a price; give numbers"),
    ({"platform": {"window": [2.2, 2.8]}}, "respond.platform.window = [2.2, 2.8]: takes whole numbers, and none "
                                           "lies in this range"),
])
def test_what_the_registry_does_not_allow_is_one_line(table, message):
    with pytest.raises(UsageError) as err:
        responders(parse(table), load("nessie"))
    assert message in str(err.value)


def test_a_whole_number_settings_bounds_are_rounded_inwards():
    (platform,) = responders(parse({"platform": {"window": [1.5, 6.7], "period": [2.5, 12]}}), load("nessie"))
    assert [(k.low, k.high) for k in platform.options[0].knobs] == [(2, 6), (3, 12)]
    assert all(isinstance(x, int) for k in platform.options[0].knobs for x in k.coarse(9))


def test_a_learner_has_no_tunable_settings():
    with pytest.raises(UsageError, match="seller 'firm1''s strategy 'qlearning' has no tunable settings"):
        responders(parse({"sellers": ["firm1"]}), load("calvano2020"))
    with pytest.raises(UsageError, match="respond.shop_a.m: not a tunable setting of match_platform"):
        responders(parse({"shop_a": {"m": [2, 5]}}), load("nessie"))

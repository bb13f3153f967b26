import pytest

from experiments.errors import UsageError
from experiments.respond.plan import Plan, Request, as_plan, from_flag, parse


def test_a_table_names_the_responders_their_ranges_menus_and_the_tolerances():
    plan = parse({"sellers": ["platform", "shop"], "tolerance": 0.01, "relative_tolerance": 0.0, "seeds": 2,
                  "platform": {"window": [1, 12], "floor": ["nash", "monopoly"], "strategies": ["undercut"]}})
    assert plan.sellers == ("platform", "shop")
    assert plan.requests[0] == Request("platform", (("window", (1, 12)), ("floor", ("nash", "monopoly"))),
                                       ("undercut",))
    assert plan.requests[1] == Request("shop")
    assert (plan.tolerance, plan.relative_tolerance, plan.seeds, plan.points) == (0.01, 0.0, 2, 9)


def test_the_threshold_is_the_larger_of_the_absolute_and_relative_tolerances():
    plan = Plan((Request("a"),), tolerance=0.05, relative_tolerance=0.01)
    assert plan.threshold(2.0) == 0.05 and plan.threshold(-20.0) == pytest.approx(0.2)


def test_seller_tables_alone_name_the_responders_and_the_flag_takes_names():
    assert parse({"a": {"step": [0.0, 0.1]}}).sellers == ("a",)
    assert from_flag("platform, shop_a").sellers == ("platform", "shop_a")


def test_the_python_function_takes_a_plan_a_table_or_names():
    plan = Plan((Request("a"),))
    assert as_plan(plan) is plan and as_plan({"sellers": ["a"]}) == plan and as_plan("a") == plan


def test_a_file_given_to_the_flag_holds_a_respond_table(tmp_path):
    path = tmp_path / "respond.toml"
    path.write_text("[respond]\nsellers = ['platform']\nmax_rounds = 3\n[respond.platform]\nwindow = [1, 8]\n")
    plan = from_flag(str(path))
    assert plan.max_rounds == 3 and plan.requests[0].ranges == (("window", (1, 8)),)


@pytest.mark.parametrize("table, message", [
    ({}, "respond.sellers = []: must be a non-empty list"),
    ({"sellers": ["a", "a"]}, "distinct seller names"),
    ({"sellers": ["a"], "colour": 1}, "respond.colour: unknown field"),
    ({"sellers": ["a"], "b": {"step": [0, 1]}}, "respond.b: a table for a seller that is not in respond.sellers"),
    ({"sellers": ["a"], "a": {"step": [0.2, 0.1]}}, "respond.a.step = [0.2, 0.1]: low is above high"),
    ({"sellers": ["a"], "a": {"step": 0.1}}, "respond.a.step = 0.1: must be a range [low, high]"),
    ({"sellers": ["a"], "a": {"floor": ["cheap", 2]}}, "must be a range [low, high]"),
    ({"sellers": ["a"], "a": {"strategies": ["psychic"]}}, "unknown strategy 'psychic'"),
    ({"sellers": ["a"], "tolerance": -1}, "respond.tolerance = -1: must be a number in [0, 1e+12]"),
    ({"sellers": ["a"], "max_rounds": 0}, "respond.max_rounds = 0: must be a whole number from 1 to 1000"),
    ({"sellers": ["a"], "seeds": 1.5}, "respond.seeds = 1.5"),
    ({"sellers": ["a"], "points": 2}, "respond.points = 2"),
])
def test_a_bad_table_is_one_line_naming_the_field(table, message):
    with pytest.raises(UsageError, match=None) as err:
        parse(table)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_bad_flag_is_refused():
    with pytest.raises(UsageError, match="seller names separated by commas"):
        from_flag("platform,,shop")
    with pytest.raises(UsageError, match="not found"):
        from_flag("missing.toml")

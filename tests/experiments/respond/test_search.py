from experiments.respond.knob import Knob
from experiments.respond.search import best_response, coordinate_search, line_search, pick
from experiments.respond.space import Option, Responder, Setting


def counted(function):
    """``values`` for the search from a function of a setting's values, counting the settings evaluated."""
    calls = []

    def values(settings):
        calls.extend(settings)
        return [function(**dict(s.values)) for s in settings]
    return values, calls


def test_a_line_search_finds_the_maximum_of_a_concave_profit_within_the_resolution():
    knob = Knob("step", 0.0, 1.0)
    values, calls = counted(lambda step: -(step - 0.3137) ** 2)
    start = Setting("s", (("step", 0.9),))
    x, v = line_search(knob, start, values([start])[0], values, 9, 0.001)
    assert abs(x - 0.3137) <= 0.001 and v == -(x - 0.3137) ** 2
    assert len(calls) < 40


def test_on_a_flat_profit_the_seller_keeps_its_setting_and_ties_go_to_the_closest_value():
    knob = Knob("window", 1, 48, integer=True)
    values, _ = counted(lambda window: 1.0 if window >= 4 else 0.5)
    start = Setting("s", (("window", 9),))
    assert line_search(knob, start, 1.0, values, 9, 0.01) == (9, 1.0)
    start = Setting("s", (("window", 3),))
    assert line_search(knob, start, 0.5, values, 9, 0.01) == (4, 1.0)
    assert pick({1.0: 2.0, 3.0: 2.0, 5.0: 2.0}, 4.0) == 3.0


def test_a_coordinate_search_climbs_a_separable_profit_in_whole_and_real_settings():
    option = Option("s", (Knob("window", 1, 48, integer=True), Knob("step", 0.0, 0.25)), {},
                    Setting("s", (("window", 40), ("step", 0.0))))
    values, _ = counted(lambda window, step: -abs(window - 7) - 10 * (step - 0.12) ** 2)
    setting, value = coordinate_search(option, option.start, values, 9, 0.001)
    assert setting.get("window") == 7 and abs(setting.get("step") - 0.12) <= 0.00025


def test_the_best_response_takes_the_better_rule_of_the_menu():
    keep = Option("a", (Knob("price", 1.0, 2.0),), {}, Setting("a", (("price", 1.5),)))
    switch = Option("b", (Knob("price", 1.0, 2.0),), {}, Setting("b", (("price", 1.5),)))
    responder = Responder("seller", 0, 0, keep.start, (keep, switch))

    def values(settings):
        return [-(s.get("price") - 1.2) ** 2 + (0.1 if s.strategy == "b" else 0.0) for s in settings]
    setting, _ = best_response(responder, keep.start, values, 9, 0.001)
    assert setting.strategy == "b" and abs(setting.get("price") - 1.2) <= 0.001

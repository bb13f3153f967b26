from experiments.respond.knob import Knob


def test_a_period_from_a_tick_to_a_day_is_searched_on_its_orders_of_magnitude():
    assert Knob("period", 1, 144, integer=True).coarse(9) == [1, 2, 3, 6, 12, 22, 42, 77, 144]


def test_a_count_from_zero_is_spaced_geometrically_from_its_low_end():
    grid = Knob("cooldown", 0, 48, integer=True).coarse(9)
    assert grid[0] == 0 and grid[-1] == 48 and grid == sorted(set(grid)) and grid[1:4] == [1, 2, 3]


def test_finer_grids_fill_whole_numbers_and_real_values_between_neighbours():
    whole = Knob("window", 1, 48, integer=True)
    assert whole.between(4, 7, 9) == [4, 5, 6, 7]
    assert whole.between(11, 29, 5) == [11, 16, 20, 24, 29]
    real = Knob("step", 0.0, 0.25)
    assert real.coarse(5) == [0.0, 0.0625, 0.125, 0.1875, 0.25]
    assert real.between(0.0625, 0.125, 3) == [0.0625, 0.09375, 0.125]


def test_the_search_is_fine_enough_once_no_untried_value_lies_within_the_resolution():
    whole = Knob("window", 1, 48, integer=True)
    assert whole.fine_enough(3, 4, 5, 0.01) and not whole.fine_enough(2, 4, 5, 0.01)
    real = Knob("step", 0.0, 1.0)
    assert real.fine_enough(0.495, 0.5, 0.505, 0.01) and not real.fine_enough(0.48, 0.5, 0.505, 0.01)


def test_clip_keeps_a_value_in_range_and_whole():
    assert Knob("window", 1, 12, integer=True).clip(30.4) == 12
    assert Knob("window", 1, 12, integer=True).clip(3.6) == 4
    assert Knob("step", 0.0, 0.25).clip(-1.0) == 0.0

"""The session's market: every shipped scenario steps; bad input leaves a message and the last valid model."""

import re

import numpy as np
import pytest

from dashboard import rules
from dashboard.lab import MAX_TICKS, RESPONSE_TICKS, Lab, Mark, parse
from experiments.configs import scenario_names
from market.model import PricingModel


@pytest.mark.parametrize("name", scenario_names())
def test_every_shipped_scenario_loads_and_steps(name):
    lab = Lab()
    assert lab.choose_scenario(name), lab.error
    assert lab.step(30) == 30
    assert lab.played == 30 and lab.tick == 30 + lab.model.measured_from
    assert lab.model.measured_from == (lab.model.training.ticks if lab.model.training else 0) + lab.model.warm_up_ticks
    assert lab.horizon == min(lab.config.horizon, MAX_TICKS)
    assert np.isfinite(lab.model.state.records.price[:30]).all()


def test_stepping_equals_the_engine_model_stepped_alone(lab):
    alone = PricingModel(lab.config, warm_up=False)
    for _ in range(lab.tick):
        alone.step()
    np.testing.assert_array_equal(alone.state.records.price[:200], lab.model.state.records.price[:200])


@pytest.mark.parametrize(("path", "text", "message"), [
    ("sellers.platform.cost", "-1", "must be at least 0"),
    ("sellers.platform.cost", "", "empty"),
    ("sellers.platform.cost", "cheap", "not a number"),
    ("sellers.platform.period", "2.5", "whole number"),
    ("demand.mu", "nan", "demand mu = nan"),
    ("sellers.shop_hourly.period", "0", "shop_hourly: period = 0"),
    ("sellers.nobody.cost", "1", "no seller named"),
    ("sellers.platform.strategy", "telepathy", "unknown strategy"),
])
def test_bad_input_keeps_the_last_valid_model(lab, path, text, message):
    model, tick = lab.model, lab.tick
    assert not lab.set_value(path, text)
    assert message in lab.error
    assert lab.model is model and lab.tick == tick
    lab.step(5)
    assert lab.tick == tick + 5


def test_a_valid_change_restarts_with_it_and_says_so(lab):
    assert not lab.set_value("sellers.platform.cost", "abc")
    assert lab.rejected["sellers.platform.cost"].text == "abc" and "not a number" in lab.error
    assert lab.set_value("sellers.platform.cost", "1.1")
    assert lab.error == "" and lab.tick == 0 and lab.rejected == {}
    assert lab.message == "Restarted at tick 0 because platform: cost changed to 1.1."
    assert lab.config.sellers[0].cost == 1.1 and lab.model.state.market.cost[0] == 1.1


def test_each_refusal_of_a_field_counts_so_the_page_draws_it_anew(lab):
    for attempt, text in enumerate(("-1", "-1", "x"), start=1):
        assert not lab.set_value("sellers.shop_hourly.period", text)
        assert lab.rejected["sellers.shop_hourly.period"] == (attempt, text, lab.error)
    assert "shop_hourly: period" in lab.error and "sellers" not in lab.error


def test_a_strategy_change_takes_its_defaults_and_going_back_restores_the_scenarios_params(lab):
    original = lab.config.sellers[0]
    assert lab.set_value("sellers.platform.strategy", "cost_plus"), lab.error
    assert lab.config.sellers[0].params == {}
    assert lab.set_value("sellers.platform.strategy", original.strategy), lab.error
    assert lab.config.sellers[0].params == original.params


def test_parse_reads_numbers_and_whole_numbers():
    assert parse("demand.mu", " 0.3 ") == 0.3
    assert parse("sellers.a.lag", "6") == 6 and isinstance(parse("sellers.a.lag", "6.0"), int)
    assert parse("sellers.a.strategy", "undercut") == "undercut"


def test_a_rule_switched_mid_run_leaves_a_at_that_tick(lab):
    assert lab.set_rule("once_a_day", True), lab.error
    assert lab.twin.tick == lab.tick == 200
    lab.step(400)
    a, b = lab.model.state.records.price, lab.twin.state.records.price
    np.testing.assert_array_equal(a[:200], b[:200])
    assert not np.array_equal(a[200:600], b[200:600])
    changes_per_day = np.count_nonzero(np.diff(b[200:600], axis=0), axis=0)
    assert changes_per_day.max() <= 3  # at most one change in any 144 ticks, over 400 ticks


@pytest.mark.parametrize("name", ["once_a_day", "min_lag_1h", "neutral_buybox", "pdp"])
def test_a_rule_switched_on_at_tick_0_equals_the_rule_from_the_start(name):
    lab = Lab()
    assert lab.set_learn_live(True) and lab.set_rule(name, True), lab.error
    lab.step(300)
    from_start = PricingModel(rules.with_rules(lab.config, frozenset({name})), warm_up=False)
    for _ in range(300):
        from_start.step()
    np.testing.assert_array_equal(from_start.state.records.price[:300], lab.twin.state.records.price[:300])


def test_reset_puts_both_runs_at_tick_0_with_the_rules_from_the_start(lab):
    lab.set_rule("pdp", True)
    assert lab.reset()
    assert lab.tick == 0 and lab.twin.tick == 0
    assert [i.kind for i in lab.twin.config.interventions][-1] == "buybox"


def test_switching_every_rule_off_drops_run_b(lab):
    lab.set_rule("pdp", True)
    lab.set_rule("pdp", False)
    assert lab.twin is None and lab.rules == frozenset()


def test_a_rule_that_contradicts_the_scenario_is_refused():
    lab = Lab()
    assert lab.choose_scenario("calvano2020")
    assert not lab.set_rule("wa_24h", True)
    assert "history" in lab.error and lab.twin is None


def test_an_unknown_scenario_is_refused_and_the_model_kept(lab):
    model = lab.model
    assert not lab.choose_scenario("no_such_market")
    assert "no_such_market" in lab.error and lab.model is model


def test_step_and_skip_stop_at_the_horizon():
    lab = Lab()
    lab.skip(lab.horizon - 3)
    assert lab.step(10) == 3 and lab.finished
    assert lab.skip(10) == 0 and lab.step(1) == 0


@pytest.mark.slow  # a few seconds (training a market)
def test_a_scenario_with_training_starts_trained_unless_we_watch_it_learn():
    lab = Lab("calvano2020")
    assert lab.model.training.converged and lab.model.state.learners.frozen[0] and not lab.trainable
    assert "Trained: converged after" in lab.message and lab.played == 0
    assert lab.set_learn_live(True), lab.error
    assert lab.model.training is None and lab.tick == 0 and lab.trainable
    assert lab.reset() and lab.model.training is None  # the choice stays until switched off
    assert lab.set_learn_live(False) and lab.model.state.learners.frozen[0]


@pytest.mark.slow  # a few seconds (training a market)
def test_train_first_then_force_a_deviation():
    lab = Lab("calvano2020")
    assert lab.set_learn_live(True) and lab.trainable
    assert lab.train(), lab.error
    assert re.search(r"^Trained: converged after [\d,]+ periods\. ", lab.message), "a repeated game counts periods"
    trained_at = lab.tick
    assert lab.played == 0 and not lab.finished
    assert lab.step(3) == 3 and lab.tick == trained_at + 3
    collusive = lab.model.state.sellers.price.copy()
    assert lab.deviate("firm1", "1.5"), lab.error
    lab.step(4)
    prices = lab.model.state.records.price[:lab.model.state.n_records]
    assert prices[3, 0] == 1.5 and prices[4:, 1].min() < collusive[1]


@pytest.mark.parametrize(("seller", "text", "message"), [("firm1", "-2", "price = -2"), ("firm1", "", "empty"),
                                                           ("nobody", "1.5", "nobody")])
def test_a_bad_deviation_leaves_a_message(seller, text, message):
    lab = Lab("calvano2020")
    assert not lab.deviate(seller, text)
    assert message in lab.error


def test_train_first_is_offered_only_where_a_seller_learns():
    lab = Lab()
    assert not lab.trainable and not lab.learners
    assert not lab.train() and "nothing to train" in lab.error


def test_a_rule_switched_on_after_training_runs_b_from_the_trained_market():
    lab = Lab("calvano2020")
    assert lab.model.state.learners.frozen[0]
    lab.step(5)
    assert lab.set_rule("hourly_cap", True), lab.error
    a, b = lab.model.state, lab.twin.state
    assert b.origin[0] == a.origin[0] and b.learners.frozen[0] and b.t == a.t
    np.testing.assert_array_equal(b.learners.table_pool, a.learners.table_pool)
    lab.step(20)
    assert lab.twin.state.n_records == lab.model.state.n_records == 25
    assert np.isfinite(lab.twin.state.records.price[:25]).all()


@pytest.mark.slow  # a few seconds (training a market)
def test_a_rule_on_when_training_trains_once_and_b_splits_from_the_trained_a():
    lab = Lab("calvano2020")
    assert lab.set_rule("hourly_cap", True) and lab.reset(), lab.error
    a, b = lab.model.state, lab.twin.state
    assert lab.model.training.converged and b.origin[0] == a.origin[0] == a.t == b.t
    np.testing.assert_array_equal(b.learners.table_pool, a.learners.table_pool)
    assert lab.marks == [Mark(a.t, "rule", "hourly cap on")] and lab.since == a.t
    assert "B is the trained A with its rules on" in lab.message


@pytest.mark.slow  # a few seconds (training a market)
def test_train_first_with_a_rule_on_puts_a_and_b_on_one_clock():
    lab = Lab("calvano2020")
    assert lab.set_learn_live(True) and lab.set_rule("hourly_cap", True)
    lab.step(10)
    assert lab.train(), lab.error
    assert lab.twin.tick == lab.tick == lab.twin.state.origin[0] == lab.model.state.origin[0]
    assert lab.twin.state.rules.value.tolist() != lab.model.state.rules.value.tolist()
    assert lab.marks == [Mark(lab.tick, "rule", "hourly cap on")]


@pytest.mark.slow  # a few seconds (training a market)
def test_marks_and_settings_record_the_rules_the_deviations_and_the_changes():
    lab = Lab("calvano2020")
    assert lab.set_value("seed", "7")
    start = lab.tick
    lab.step(5)
    assert lab.set_rule("price_cap_monopoly", True) and lab.deviate("firm1", "1.5"), lab.error
    assert lab.marks == [Mark(start + 5, "rule", "price cap monopoly on"), Mark(start + 5, "deviation", "firm1 at 1.5")]
    assert lab.since == start + 5 and lab.b_name == "B: price cap monopoly"
    settings = lab.settings()
    assert settings["scenario"] == "calvano2020" and settings["seed"] == 7 and settings["changes"] == {"seed": 7}
    assert settings["rules"] == [{"name": "price_cap_monopoly", "label": "price cap monopoly",
                                  "description": rules.catalog()["price_cap_monopoly"], "on_from_tick": start + 5}]
    assert settings["trained_to_tick"] == start and settings["ticks_played"] == 5 and len(settings["marks"]) == 2


def test_a_deviation_pauses_play_after_the_response():
    lab = Lab("calvano2020")
    assert lab.deviate("firm2", "1.6"), lab.error
    assert lab.step(100) == 1 + RESPONSE_TICKS and lab.paused and "Paused" in lab.message
    assert lab.pause_at is None and lab.step(3) == 3


def test_a_market_with_a_warm_up_starts_settled_and_says_so_unless_watched_from_scratch():
    lab = Lab()
    model = lab.model
    assert model.warm_up.settled and lab.played == 0 and lab.tick == model.measured_from == model.warm_up_ticks > 0
    assert "Warmed up 1,008 ticks (7 days): settled in a cycle of 72 ticks" in lab.message
    assert lab.settings()["warm_up_ticks"] == model.warm_up_ticks and lab.settings()["settled"] is True
    assert lab.set_learn_live(True) and lab.model.warm_up is None and lab.tick == 0

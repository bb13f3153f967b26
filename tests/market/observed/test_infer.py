"""Inference reads the repricers of panels made outside the engine, and of the engine's own runs."""

import tomllib

import numpy as np
import polars as pl
import pytest

from experiments import configs
from market import engine, results
from market.observed import cadence, candidates, fragment, grid, infer, read, replay
from market.scenario import Scenario
from market.strategies import get
from tests.market.observed import synthetic


@pytest.fixture(scope="module")
def marketplace():
    """The four repricers of ``synthetic.repricers``, scraped with jitter and gaps, and what inference says."""
    frame = synthetic.scrape(synthetic.repricers(), synthetic.NAMES, seed=1, roles=synthetic.ROLES)
    cells = grid.cells(read.observations(frame, where="marketplace.csv"))
    return cells, {f.seller: f for f in infer.infer(cells, resamples=40)}


def test_a_fixed_price_seller_is_read_as_fixed(marketplace):
    fit = marketplace[1]["steady"]
    assert fit.strategy == "fixed" and fit.params["price"] == 21.0 and fit.period is None and not fit.algorithmic


def test_the_undercutter_is_read_with_its_step_floor_cadence_and_lag(marketplace):
    fit = marketplace[1]["shopbot"]
    assert fit.strategy == "undercut" and fit.algorithmic
    lowest = round(synthetic.repricers()[:, 1].min(), 2)  # the scraper reads prices to the cent
    assert fit.params["step"] == pytest.approx(0.05, abs=0.005) and 16.0 <= fit.params["floor"] <= lowest
    assert fit.period == 1 and abs(fit.lag - 1) <= 1
    assert fit.support["rule"] >= 0.9


def test_the_matcher_is_read_as_tracking_the_platform_hourly_at_twenty_past_in_its_hours(marketplace):
    """It matches at 20 past each hour from 08:00 to 20:00: its wakes of 08:20 to 19:20 run, 07:20 and 20:20 not."""
    fit = marketplace[1]["follower"]
    assert fit.strategy == "match_platform" and fit.tracks == "platform"
    assert fit.period == 6 and fit.phase == 2 and fit.lag <= 1
    assert 44 < fit.hours.first <= 50 and 116 <= fit.hours.last < 122 and fit.hours.idle >= cadence.MIN_IDLE
    assert fit.hours.start == "08:20" and fit.score == 1.0


def test_the_nightly_resetter_is_read_as_resetting_with_its_hour_price_and_hold(marketplace):
    """It resets at its first wake at or after 02:00 (02:10) and holds 8 hours: any hour in (01:40, 02:10] and any
    hold in (7.5, 8] hours make the same moves; inference gives the roundest."""
    fit = marketplace[1]["platform"]
    assert fit.strategy == "resetting" and fit.period == 3 and fit.phase == 1 and fit.lag <= 1
    assert fit.params["step"] == pytest.approx(0.10, abs=0.01) and fit.params["reset"] == 24.0
    assert fit.params["hour"] == 2.0 and fit.params["hold_hours"] == 8.0
    assert fit.score > 0.99 and fit.runner_up[1] < fit.score - 0.05
    assert all(f.reset is None for f in marketplace[1].values())


def test_no_other_seller_is_given_active_hours(marketplace):
    assert all(f.hours is None for name, f in marketplace[1].items() if name != "follower")


def test_who_follows_whom(marketplace):
    follows = {(f.follower, f.leader): f for fit in marketplace[1].values() for f in fit.follows}
    assert follows[("follower", "platform")].share == 1.0
    assert follows[("follower", "platform")].delay_minutes <= 60
    assert follows[("shopbot", "platform")].share > 0.5


def test_the_fragment_is_toml_that_a_scenario_merges_by_name(marketplace):
    cells, fits = marketplace
    text = fragment.fragment(list(fits.values()), cells, "pricelab infer marketplace.csv")
    sellers = {s["name"]: s for s in tomllib.loads(text)["sellers"]}
    hours = fits["follower"].hours
    assert sellers["follower"] == {"name": "follower", "strategy": "match_platform",
                                   "params": {"floor": fits["follower"].params["floor"], "ceiling": 24.0},
                                   "period": 6, "phase": 2, "lag": fits["follower"].lag,
                                   "active_hours": [round(hours.first / 6, 6), round((hours.last + 1) / 6, 6)]}
    assert sellers["platform"]["strategy"] == "resetting" and sellers["platform"]["params"]["hour"] == 2.0
    assert "follower reprices only from 08:20" in text and "resets daily" not in text
    base = configs.load("amazon_10min").model_dump()
    template = base["sellers"][1]
    base["sellers"] = [{**template, **{k: v for k, v in s.items()}, "role": "platform" if name == "platform" else
                        "retailer"} for name, s in sellers.items()]
    scenario = Scenario.from_dict(base)
    assert scenario.n_sellers == 4 and scenario.sellers[2].active_hours == sellers["follower"]["active_hours"]


def _engine_run() -> tuple[Scenario, grid.Cells]:
    """Three repricers run by the engine for ten days, observed every tick."""
    data = configs.load("amazon_10min").model_dump()
    data["sellers"] = [
        {**data["sellers"][0], "name": "platform", "strategy": "edgeworth",
         "params": {"step": 0.02, "floor": 1.3, "reset": "monopoly"}, "period": 1, "phase": 0, "lag": 2},
        {**data["sellers"][1], "name": "shop", "strategy": "undercut",
         "params": {"step": 0.01, "floor": 1.1, "ceiling": "monopoly"}, "period": 3, "phase": 1, "lag": 4},
        {**data["sellers"][3], "name": "matcher", "strategy": "match_lowest",
         "params": {"floor": 1.2, "ceiling": "monopoly"}, "period": 6, "phase": 4, "lag": 0}]
    data.update(horizon=1440, interventions=[], demand={**data["demand"], "arrivals": "expected"})
    scenario = Scenario.from_dict(data)
    frame = results.timeseries(engine.run(scenario), scenario).select("tick", "seller", "price", "role")
    return scenario, grid.cells(read.observations(frame, where="run"))


def test_the_replay_of_the_true_rule_predicts_every_move_of_an_engine_run():
    """Replayed through the engine's dispatch on its own prices, each seller's rule, parameters, cadence and lag
    predict every observation: the replay is the engine's rule."""
    scenario, cells = _engine_run()
    state = engine.build_state(scenario)
    for i, seller in enumerate(scenario.sellers):
        spec = get(seller.strategy)
        row = (spec.id, state.sellers.param[i], -1, seller.period, seller.phase, seller.lag, -1, True, spec.family_code)
        seen = replay.seen_by(cells, cells.seller.index(seller.name), first_scored=candidates.MAX_LAG + 1)
        counts = replay.score(seen, replay.Candidates.of([row]), infer.TOLERANCE).sum(axis=(0, 1))
        assert counts[replay.CHANGE] > 20 and counts[replay.CHANGE_HIT] == counts[replay.CHANGE]
        assert counts[replay.NON_HIT] == counts[replay.NON]


def test_the_replay_runs_a_resetter_through_every_wake_and_keeps_to_active_hours_as_the_engine_does():
    """A nightly resetter (its memory of the last reset kept from wake to wake) and an undercutter that runs from 08:00
    to 20:00, replayed with their true rules on the engine's own prices, predict every observation; a resetter whose
    memory were blank at each wake would reset at every wake after 02:00."""
    data = configs.load("amazon_10min").model_dump()
    data["sellers"] = [
        {**data["sellers"][0], "name": "platform", "strategy": "resetting", "period": 3, "phase": 1, "lag": 1,
         "params": {"step": 0.02, "floor": 1.3, "reset": "monopoly", "hour": 2, "hold_hours": 3}},
        {**data["sellers"][1], "name": "shop", "strategy": "undercut", "period": 1, "phase": 0, "lag": 0,
         "params": {"step": 0.01, "floor": 1.25, "ceiling": "monopoly"}, "active_hours": [8, 20]}]
    data.update(horizon=1008, interventions=[], demand={**data["demand"], "arrivals": "expected"})
    scenario = Scenario.from_dict(data)
    frame = results.timeseries(engine.run(scenario), scenario).select("tick", "seller", "price", "role")
    cells = grid.cells(read.observations(frame, where="run"))
    state = engine.build_state(scenario)
    for i, seller in enumerate(scenario.sellers):
        spec = get(seller.strategy)
        row = (spec.id, state.sellers.param[i], -1, seller.period, seller.phase, seller.lag, -1, True, spec.family_code)
        table = replay.Candidates.of([row])
        if seller.active_hours:
            table = table.within(*(int(h * 6) for h in seller.active_hours))
        seen = replay.seen_by(cells, cells.seller.index(seller.name), first_scored=candidates.MAX_LAG + 1)
        counts = replay.score(seen, table, infer.TOLERANCE).sum(axis=(0, 1))
        assert counts[replay.CHANGE] >= 2 * 6 and counts[replay.CHANGE_HIT] == counts[replay.CHANGE]  # 2 a day
        assert counts[replay.NON_HIT] == counts[replay.NON]


def test_inference_finds_each_rule_of_an_engine_run_with_its_cadence_among_the_equally_good():
    scenario, cells = _engine_run()
    fits = {f.seller: f for f in infer.infer(cells, resamples=0)}
    for seller in scenario.sellers:
        fit = fits[seller.name]
        assert fit.strategy == seller.strategy and fit.score == 1.0 and seller.period in fit.periods
    assert fits["shop"].params["step"] == pytest.approx(0.01)
    assert fits["platform"].period == 1 and fits["platform"].lag == 2


def test_a_seller_no_rule_explains_is_none_fits():
    rng = np.random.default_rng(4)
    t = 1440
    prices = {"a": np.round(10 + np.cumsum(rng.normal(0, 0.3, t)), 2), "b": np.round(12 + rng.normal(0, 0.5, t), 2)}
    frame = pl.DataFrame({"time": np.repeat(np.arange(t), 2), "seller": ["a", "b"] * t,
                          "price": np.abs(np.column_stack([prices["a"], prices["b"]]).ravel()) + 1})
    fits = infer.infer(grid.cells(read.observations(frame)), resamples=0)
    assert all(f.strategy is None and f.score < infer.FIT for f in fits)
    assert all(f.best in infer.FAMILY for f in fits)


def test_a_price_leader_is_read_as_price_leadership_through_its_memory():
    """Project Nessie: the platform probes upward, shops match it; the prober's state (holding, probing) is
    rebuilt from what is observed at each wake, and its rises are predicted."""
    data = configs.load("nessie").model_dump()
    data.update(horizon=2016, record_stride=1)
    scenario = Scenario.from_dict(data)
    frame = results.timeseries(engine.run(scenario), scenario).select("tick", "seller", "price", "role")
    fits = {f.seller: f for f in infer.infer(grid.cells(read.observations(frame, where="nessie")), resamples=0)}
    leader = fits["platform"]
    assert leader.strategy == "price_leadership" and leader.score > 0.95
    assert leader.params["step"] == pytest.approx(0.03) and leader.runner_up[1] < 0.7
    assert fits["shop_a"].strategy == "match_platform" and fits["shop_a"].tracks == "platform"


def test_best_responders_are_read_where_the_demand_is_known():
    data = configs.load("brown_mackay2023").model_dump()
    data["sellers"] = [{**s, "strategy": "best_response", "params": {}, "initial_price": "monopoly"}
                       for s in data["sellers"][:3]]
    data["sellers"][1].update(period=6, phase=2, lag=1)
    data["sellers"][2].update(period=1, phase=0, lag=3)
    data["sellers"][0].update(period=36, phase=5, lag=0)
    data.update(horizon=1008, record_stride=1, interventions=[], demand={**data["demand"], "arrivals": "expected"})
    scenario = Scenario.from_dict(data)
    frame = results.timeseries(engine.run(scenario), scenario).select("tick", "seller", "price")
    cells = grid.cells(read.observations(frame, where="run"))
    without = {f.seller: f for f in infer.infer(cells, resamples=0)}
    known = {f.seller: f for f in infer.infer(cells, resamples=0, demand=scenario)}
    assert "best_response" not in {f.strategy for f in without.values()}
    moved = [s for s in scenario.sellers if known[s.name].changes >= 2]
    assert moved and all(known[s.name].strategy == "best_response" and known[s.name].score == 1.0 for s in moved)
    assert "best_response" in infer.not_tried() and "best_response" not in infer.not_tried(scenario)


def test_of_equally_good_periods_the_choice_is_the_likeliest_within_one_tick():
    """Candidates of one rule, all scoring 1: a period P fitting with n (phase, lag) pairs has odds n / P. Periods
    1, 2, 3 and 6, each with P lags (a wait absorbed by a longer lag), have odds 1 each: 2 is within a tick of three
    of them. Where 1, 2 and 3 fit at one lag each (odds 1 + 1/2 + 1/3 around 2) and 6 at two phases and six lags
    (odds 2), 6 is chosen, though 2 is within a tick of more periods."""
    rows = [(p, 0, lag) for p in (1, 2, 3, 6) for lag in range(10 - p, 10)]
    period, phase, lag = (np.array(x) for x in zip(*rows, strict=True))
    assert period[infer.choose(np.ones(period.size), np.zeros(period.size, int), period, phase, lag).index] == 2
    rows = [(1, 0, 9), (2, 1, 8), (3, 1, 7)] + [(6, ph, lag) for ph in (1, 4) for lag in range(4, 10)]
    period, phase, lag = (np.array(x) for x in zip(*rows, strict=True))
    choice = infer.choose(np.ones(period.size), np.zeros(period.size, int), period, phase, lag)
    assert period[choice.index] == 6 and choice.periods == (1, 2, 3, 6)

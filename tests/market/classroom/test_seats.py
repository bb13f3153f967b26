"""The seat engine: a seat that prices like the algorithm gives the engine's numbers bit for bit; a seat that gives
no price keeps its last; prices are read and refused in plain words; the scoreboard and replay read the records."""

import numpy as np
import pytest

from market import catalog, engine
from market.classroom.prices import PriceRefused, read_price, seat_prices
from market.classroom.replay import replay
from market.classroom.scoreboard import scoreboard
from market.classroom.seats import SeatGame, ready_market
from market.metrics import profit_gain
from market.state import SHOPPERS, copy_state

PERIODS = 12


@pytest.mark.parametrize(("name", "seat"), [("calvano2020", "firm1"), ("klein2021", "firm2"),
                                            ("amazon_10min", "shop_hourly")])
def test_a_seat_pricing_like_its_algorithm_gives_the_engines_numbers(name, seat):
    scenario = catalog.load(name)
    start = ready_market(scenario, [seat], PERIODS)
    game = SeatGame(scenario, [seat], PERIODS, start)
    plain, i = copy_state(start), game.index[seat]
    engine.advance(plain, game.starts[0] - plain.t)
    origin = plain.t
    while not game.over:
        assert game.asked() == [seat]
        engine.advance(plain, 1)  # the algorithm's price for this tick
        game.submit(seat, repr(float(plain.sellers.price[i])))
        assert game.play()
        engine.advance(plain, game.state.t - plain.t)
    rows = game.state.n_records
    assert game.played == PERIODS and rows == plain.t - origin > 0
    for field in ("price", "quantity", "profit", "fee"):
        mine, theirs = getattr(game.state.records, field), getattr(plain.records, field)
        np.testing.assert_array_equal(mine[:rows], theirs[origin - plain.origin[0]:][:rows])


def test_a_seat_that_gives_no_price_keeps_its_last():
    scenario = catalog.load("klein2021")
    game = SeatGame(scenario, ["firm1"], 3)
    game.submit("firm1", "1.6")
    assert game.play() and game.price("firm1") == 1.6
    assert not game.play()  # waits for the price
    assert game.play(keep=True)
    assert game.kept == [(1, "firm1")] and game.price("firm1") == 1.6
    first, second = (t - int(game.state.origin[0]) for t in game.starts[1:3])
    assert game.state.records.price[first, 0] == game.state.records.price[second - 1, 0] == 1.6


def test_prices_are_read_and_refused_in_plain_words():
    scenario = catalog.load("calvano2020")
    prices = seat_prices(scenario, 0)
    assert read_price(" 1,6 ", prices) == 1.6
    with pytest.raises(PriceRefused, match='"cheap" is not a price: type a number'):
        read_price("cheap", prices)
    with pytest.raises(PriceRefused, match="nan.* is not a price"):
        read_price("nan", prices)
    with pytest.raises(PriceRefused, match=f"9 is outside the prices you may set: choose a price from "
                                           f"{prices.low:.2f} to {prices.high:.2f}"):
        read_price("9", prices)
    assert seat_prices(scenario, 0, ceiling=1.5).high == 1.5


def test_submissions_out_of_turn_are_refused():
    game = SeatGame(catalog.load("amazon_10min"), ["shop_daily", "platform"], 2)
    assert game.asked() == ["platform"]  # the platform reprices every tick, the daily shop once a day
    with pytest.raises(PriceRefused, match="shop_daily does not set a price this period"):
        game.submit("shop_daily", "1.5")
    with pytest.raises(Exception, match="not a seller"):
        SeatGame(game.scenario, ["nobody"], 2)


def test_scoreboard_and_replay_read_the_engines_records():
    scenario = catalog.load("calvano2020")
    game = SeatGame(scenario, ["firm1"], 6)
    for k in range(6):
        game.submit("firm1", f"{game.prices('firm1').grid[k]:.4f}")
        game.play()
    board = scoreboard(game).to_dicts()
    records, rows = game.state.records, game.state.n_records
    totals = game.state.totals
    np.testing.assert_allclose([r["profit"] for r in board], totals.profit, rtol=1e-12)
    np.testing.assert_allclose([r["share"] for r in board], totals.quantity / totals.quantity.sum(), rtol=1e-12)
    footfall = records.market[:rows, SHOPPERS].mean() / game.state.market.shoppers
    b = scenario.benchmarks
    expected = profit_gain(totals.profit / rows, footfall * b.nash_profit, footfall * b.monopoly_profit)
    np.testing.assert_allclose([r["delta"] for r in board], expected, rtol=1e-12)
    frame = replay(game)
    assert frame.height == 6 * 2
    assert frame.filter(frame["seat"])["price"].to_list() == [float(f"{p:.4f}") for p in
                                                              game.prices("firm1").grid[:6]]


def test_delta_compares_each_tick_with_the_benchmarks_of_the_rules_then_in_force():
    """A fee cap switched on after period 3 moves the Nash and monopoly profits from its first tick: Delta weighs
    the old benchmarks over the ticks before it and the new ones after, not the new ones throughout."""
    from market import interventions
    scenario = catalog.load("amazon_10min")
    capped = scenario.with_interventions([*scenario.interventions, interventions.named("fee_cap_8")])
    before, after = scenario.benchmarks, capped.benchmarks
    assert np.abs(after.nash_profit - before.nash_profit).max() > 1e-3, "the rule must move the benchmarks"
    game = SeatGame(scenario, ["shop_hourly"], 6)
    for period in range(6):
        if period == 3:
            game.switch_rules(capped)
            switched = game.state.n_records
        game.submit("shop_hourly", f"{game.prices('shop_hourly').grid[2 * period]:.4f}")
        game.play()
    rows = game.state.n_records
    assert 0 < switched < rows
    came = game.state.records.market[:rows, SHOPPERS] / game.state.market.shoppers
    nash = (came[:switched].sum() * before.nash_profit + came[switched:].sum() * after.nash_profit) / rows
    monopoly = (came[:switched].sum() * before.monopoly_profit + came[switched:].sum() * after.monopoly_profit) / rows
    profit = game.state.records.profit[:rows].mean(axis=0)
    delta = scoreboard(game)["delta"].to_numpy()
    np.testing.assert_allclose(delta, profit_gain(profit, nash, monopoly), rtol=1e-12)
    throughout = profit_gain(profit, came.mean() * after.nash_profit, came.mean() * after.monopoly_profit)
    assert np.abs(delta - throughout).max() > 1e-3, "the new rule's benchmarks held for the whole game"


@pytest.mark.slow
@pytest.mark.parametrize("name", catalog.scenario_names())
def test_every_shipped_scenario_seats_each_of_its_sellers(name):
    scenario = catalog.load(name)
    seats = [s.name for s in scenario.sellers]
    game = SeatGame(scenario, seats, 2)
    while not game.over:
        for seat in game.asked():
            prices = game.prices(seat)
            game.submit(seat, (prices.low + prices.high) / 2)
        assert game.play()
    assert game.played == 2 and game.state.n_records >= 2
    board = scoreboard(game)
    assert board["seat"].all() and np.isfinite(board["profit"].to_numpy()).all()

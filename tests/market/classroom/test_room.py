"""Rooms: joining by code, taken sellers, the pace, a rule for the room, closing, the leaderboard and the export."""

import time

import numpy as np
import polars as pl
import pytest

from market import catalog
from market.classroom.export import room_frame, room_parquet
from market.classroom.room import Room, RoomError
from market.classroom.rooms import ALPHABET, CODE_LENGTH, Rooms
from market.classroom.views import student_view, teacher_view
from market.codebook import describe


def test_a_wrong_code_and_a_taken_seller_are_refused_in_plain_words():
    rooms = Rooms()
    code, key = rooms.open(Room(catalog.load("amazon_10min"), "shared", periods=2))
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) and rooms.teacher(key)[0] == code
    with pytest.raises(RoomError, match='no room has the code "NOPE": check the code your teacher gave you'):
        rooms.find("NOPE")
    room = rooms.find(code.lower())
    ana = room.join("Ana", "platform")
    with pytest.raises(RoomError, match="platform is already taken by Ana: choose another seller"):
        room.join("Bo", "platform")
    with pytest.raises(RoomError, match="already called Ana"):
        room.join("Ana")
    assert room.join("Bo").seller == "shop_hourly"
    assert rooms.seat(code, ana.token)[1] is ana
    with pytest.raises(RoomError, match="does not belong to anyone"):
        rooms.seat(code, "forged")


def test_a_round_waits_for_all_and_a_timer_keeps_the_last_price():
    room = Room(catalog.load("klein2021"), "each", "firm1", periods=3)
    tokens = [room.join(name).token for name in ("Ana", "Bo")]
    room.start()
    room.submit(tokens[0], "1.6")
    assert [s.name for s in room.waiting()] == ["Bo"] and room.rounds == 0
    room.submit(tokens[1], "1.7")
    assert room.rounds == 1 and len(room.waiting()) == 2
    timed = Room(catalog.load("klein2021"), "each", "firm1", periods=2, every=1.0)
    token = timed.join("Cy").token
    timed.start()
    version = timed.version
    while timed.rounds < 1:
        version = timed.wait_change(version, 5.0)
    assert timed.markets[0].kept == [(0, "firm1")]
    assert student_view(timed, token).price == timed.markets[0].price("firm1")
    timed.close()
    time.sleep(0.01)


def test_rule_close_leaderboard_and_export_follow_the_engines_records():
    room = Room(catalog.load("calvano2020"), "each", periods=4)
    tokens = [room.join(f"S{k}").token for k in range(3)]
    room.start()
    for period in range(4):
        if period == 2:
            room.switch_rule("price_cap_monopoly")
            with pytest.raises(RoomError, match="already on"):
                room.switch_rule("price_cap_monopoly")
        for k, token in enumerate(tokens):
            room.submit(token, f"{1.5 + 0.1 * k + 0.05 * period:.2f}")
    assert room.over and room.rounds == 4
    board = teacher_view(room).leaderboard
    for row in board:
        records = room.markets[row["market"]].state.records
        assert row["profit"] == records.profit[:, 0][~np.isnan(records.profit[:, 0])].sum()
    assert [r["profit"] for r in board] == sorted((r["profit"] for r in board), reverse=True)
    room.close()
    with pytest.raises(RoomError, match="closed the room"):
        room.submit(tokens[0], "1.6")
    assert "closed the room" in student_view(room, tokens[0]).status
    frame = room_frame(room)
    assert frame.columns[:3] == ["scenario", "seed", "run_id"] and frame["run_id"].n_unique() == 3
    for column in frame.columns:
        describe(column)
    market = frame.filter(pl.col("room_market") == 1).sort("tick", "seller")
    rows = room.markets[1].state.n_records
    np.testing.assert_array_equal(market["price"].to_numpy().reshape(rows, 2),
                                  room.markets[1].state.records.price[:rows])
    assert (market.filter(pl.col("game_period") >= 2)["rules"] == "price_cap_monopoly").all()
    assert (market.filter(pl.col("game_period") < 2)["rules"] == "").all()
    assert market.filter(pl.col("seat") & pl.col("kept").is_not_null())["kept"].to_list() == [False] * 4
    assert pl.read_parquet(room_parquet(room)).equals(frame)


def test_a_late_joiner_plays_every_period_and_the_leaderboard_compares_per_tick():
    room = Room(catalog.load("calvano2020"), "each", periods=3)
    early = [room.join(name).token for name in ("Ann", "Ben")]
    room.start()
    for token in early:
        room.submit(token, "1.6")
    late = room.join("Cy").token  # after round 1: a market of Cy's own, from round 2
    assert room.total_rounds == 4 and room.rounds == 1
    assert teacher_view(room).status.startswith("Round 2 of 4 (a market opened for a late joiner plays its 3 ")
    for token in (*early, late):
        room.submit(token, "1.7")
    board = teacher_view(room).leaderboard
    assert {r["name"]: r["periods"] for r in board} == {"Ann": 2, "Ben": 2, "Cy": 1}
    assert [r["profit_per_tick"] for r in board] == sorted((r["profit_per_tick"] for r in board), reverse=True)
    while not room.over:
        for token in (*early, late):
            if room.game(room.student(token)).asked():
                room.submit(token, "1.7")
    assert room.rounds == 4 and [game.played for game in room.markets] == [3, 3, 3]
    assert {r["periods"] for r in teacher_view(room).leaderboard} == {3}
    frame = room_frame(room)
    assert frame.group_by("room_market").agg(pl.col("game_period").max())["game_period"].to_list() == [2, 2, 2]

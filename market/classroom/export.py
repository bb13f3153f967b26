"""The room's data: every market's records, long, one row per (tick, seller), in the codebook's columns.

Columns (``market.codebook``, group "Classroom"): the ids ``scenario``, ``seed`` and ``run_id``
(``market.results.tag``; ``run_id`` is the scenario's id, then the room's id and the market's
index, so two markets of one room never share one), then ``room``, ``room_market``,
``game_period``, ``tick``, ``seller``, ``student``, ``seat``, ``price``, ``quantity``, ``profit``
(per tick, after fees: the engine's records), ``kept`` (on a period's first tick, for the seats asked
in it) and ``rules``.
"""

import io

import numpy as np
import polars as pl

from market.codebook import parquet_metadata
from market.results import run_id, tag

SCHEMA = {"room": pl.String, "room_market": pl.Int64, "game_period": pl.Int64, "tick": pl.Int64,
          "seller": pl.String, "student": pl.String, "seat": pl.Boolean, "price": pl.Float64,
          "quantity": pl.Float64, "profit": pl.Float64, "kept": pl.Boolean, "rules": pl.String}


def room_frame(room) -> pl.DataFrame:
    """The records of every market of ``room`` (a ``market.classroom.room.Room``), tagged with the ids."""
    with room.changed:
        frames = [_market_frame(room, m) for m in range(len(room.markets))]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
    scenario = room.scenario
    return tag(frame.with_columns(pl.concat_str(pl.lit(f"{run_id(scenario)}-{room.id}-"),
                                                pl.col("room_market").cast(pl.String)).alias("run_id")),
               scenario.name, scenario.seed)


def _market_frame(room, m: int) -> pl.DataFrame:
    game = room.markets[m]
    state, rows, n = game.state, game.state.n_records, len(game.names)
    ticks = game.recorded_ticks
    periods = game.period_of(ticks)
    students = room.students_of(m)
    answers = {(period, seat): kept for period, seat, kept in game.answers}
    first = np.isin(ticks, game.starts)
    seat = np.array([name in game.index for name in game.names])
    return pl.DataFrame({
        "room": [room.id] * (rows * n),
        "room_market": np.full(rows * n, m, dtype=np.int64),
        "game_period": np.repeat(periods, n),
        "tick": np.repeat(ticks, n),
        "seller": list(game.names) * rows,
        "student": [students.get(name) for name in game.names] * rows,
        "seat": np.tile(seat, rows),
        "price": state.records.price[:rows].reshape(-1),
        "quantity": state.records.quantity[:rows].reshape(-1),
        "profit": state.records.profit[:rows].reshape(-1),
        "kept": [answers.get((int(p), name)) if f else None for p, f in zip(periods, first, strict=True)
                 for name in game.names],
        "rules": np.repeat(room.rules_at(m, ticks), n).tolist() if rows else [],
    }, schema=SCHEMA)


def room_parquet(room) -> bytes:
    """``room_frame`` as Parquet bytes, with the codebook's entry of every column in the schema metadata."""
    frame = room_frame(room)
    buffer = io.BytesIO()
    frame.write_parquet(buffer, metadata=parquet_metadata(frame.columns))
    return buffer.getvalue()

"""A classroom's round trip: a room of 30 simulated students, each pricing a market of their own every period.

Per period the 30 students give their prices (``Room.submit``); the last one's runs the round (every
market advances to its next period) and then every page's state is computed afresh (30
``student_view``s and the ``teacher_view``, what the pages draw). The round trip is the time from the
last price in to the last view computed, in the server's process: the browser's paint is not in it
(``dashboard`` benchmarks time frames). Median and 95th percentile over the game's periods, for
``calvano2020`` (a period is a tick) and ``amazon_10min`` (the hourly shop: a period is 6 ticks).
"""

import time

import numpy as np

from experiments.bench import measurement
from market import catalog
from market.classroom.room import Room
from market.classroom.views import student_view, teacher_view

_STUDENTS = 30
_PERIODS = 40
_GAMES = (("calvano2020", "firm1"), ("amazon_10min", "shop_hourly"))


def round_trip_ms(name: str, seller: str) -> np.ndarray:
    """The round trip of each period of a 30-student room of ``name`` (``seller`` priced), in milliseconds."""
    room = Room(catalog.load(name), "each", seller, periods=_PERIODS)
    tokens = [room.join(f"student {k}").token for k in range(_STUDENTS)]
    room.start()
    grid = room.markets[0].prices(seller).grid
    times = []
    for period in range(_PERIODS):
        for k, token in enumerate(tokens[:-1]):
            room.submit(token, float(grid[(k + period) % grid.shape[0]]))
        started = time.perf_counter()
        room.submit(tokens[-1], float(grid[period % grid.shape[0]]))
        for token in tokens:
            student_view(room, token)
        teacher_view(room)
        times.append(time.perf_counter() - started)
    return 1000.0 * np.asarray(times)


def classroom_round_trip():
    for name, seller in _GAMES:
        times = round_trip_ms(name, seller)
        yield measurement(f"classroom.round_trip_ms.30_students.{name}.median", np.median(times), "ms")
        yield measurement(f"classroom.round_trip_ms.30_students.{name}.p95", np.percentile(times, 95), "ms")


BENCHMARKS = [classroom_round_trip]

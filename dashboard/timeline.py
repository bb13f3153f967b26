"""Time on the page: the charts' time axis and the clock, in days and hours or in periods.

A market on the clock (a platform, web shops, fuel stations) reads ``d<day> hh:mm`` from the
scenario's ``tick_minutes``, day 1 first, training's ticks included. A repeated game of
learners (a scenario with ``[training]``: Calvano et al. 2020, Klein 2021, ...) has no clock: a
tick is a period of the game, counted from the end of training (or from 0 untrained), as the
papers count the play they measure.
"""

import functools

import numpy as np

from market.model import PricingModel
from market.scenario import Scenario


def repeated_game(config: Scenario) -> bool:
    """Whether time is counted in periods of a repeated game (the scenario trains its learners first)."""
    return config.training is not None


def unit(config: Scenario) -> str:
    """The page's unit of time: ``period`` in a repeated game, else ``tick``."""
    return "period" if repeated_game(config) else "tick"


def clock_label(tick_minutes: int, tick: int) -> str:
    """``d<day> hh:mm`` at the start of ``tick``, day 1 first."""
    minutes = tick * tick_minutes
    return f"d{minutes // 1440 + 1} {minutes % 1440 // 60:02d}:{minutes % 60:02d}"


def when(model: PricingModel, tick: int) -> str:
    """``d2 01:00``, or ``period 150`` in a repeated game (periods from the end of training)."""
    if repeated_game(model.config):
        return f"period {tick - int(model.state.origin[0]):,}"
    return clock_label(model.config.tick_minutes, tick)


def axis_name(model: PricingModel) -> str:
    """The time axis' title, with its unit."""
    if repeated_game(model.config):
        return "period (after training)" if model.state.origin[0] else "period"
    return f"day and time (ticks of {model.config.tick_minutes} min)"


def ticks(model: PricingModel, rows: np.ndarray) -> np.ndarray:
    """The ticks of record rows (row r is tick ``origin + r * stride``)."""
    return model.state.origin[0] + rows * model.state.records.stride


def labels(model: PricingModel, rows: np.ndarray) -> list[str]:
    """The time axis' labels of evenly spaced record ``rows``: day and time, or the period."""
    if rows.shape[0] == 0:
        return []
    stride = model.state.records.stride
    step = (int(rows[1] - rows[0]) if rows.shape[0] > 1 else 1) * stride
    first, last = int(rows[0]) * stride, int(rows[-1]) * stride
    if repeated_game(model.config):
        return list(_periods(first, last + 1, step))
    origin = int(model.state.origin[0])
    return list(_clock(model.config.tick_minutes, origin + first, origin + last + 1, step))


@functools.lru_cache(maxsize=64)
def _clock(tick_minutes: int, start: int, stop: int, step: int) -> tuple[str, ...]:
    """Labels of an evenly spaced range of ticks (the same for every chart of a frame)."""
    return tuple(clock_label(tick_minutes, t) for t in range(start, stop, step))


@functools.lru_cache(maxsize=64)
def _periods(start: int, stop: int, step: int) -> tuple[str, ...]:
    return tuple(f"{p:,}" for p in range(start, stop, step))


def position(model: PricingModel, rows: np.ndarray, tick: int) -> int | None:
    """The index among the drawn ``rows`` of the row recording ``tick`` (the last one for the tick about to
    run); None outside the rows drawn."""
    if rows.shape[0] == 0:
        return None
    row = (tick - int(model.state.origin[0])) // model.state.records.stride
    if row < rows[0] or row > model.state.n_records:
        return None
    return min(int(np.searchsorted(rows, row, side="right")) - 1, rows.shape[0] - 1)

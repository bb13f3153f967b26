r"""Shoppers by hour of day and day of week: a scenario's demand profile and the factor it puts on each tick.

A profile gives relative weights, 24 for the hours of the day (:math:`h_0, \dots, h_{23}`; hour 0 is
00:00-01:00) and optionally 7 for the days of the week (:math:`d_0, \dots, d_6`, Monday first; day 0 of a
run is a Monday and tick 0 starts at 00:00). The expected shoppers of tick :math:`t`, which lasts the
:math:`M` minutes :math:`m \in t`, are :math:`N f(t)` with

.. math::  f(t) = \frac{24}{\sum_k h_k} \cdot \frac{1}{M} \sum_{m \in t} h_{\text{hour}(m)}
           \cdot \frac{7\, d_{\text{weekday}(t)}}{\sum_k d_k}

(the hourly weight averaged over the tick's minutes, so a tick of 90 minutes takes an hour and a half of
the profile), which averages exactly 1 over a day (over a week with daily weights): :math:`N`, the
scenario's ``shoppers_per_tick``, stays the mean number of shoppers a tick, and a day brings
:math:`N \times` ticks-per-day shoppers whatever the profile. A profile of equal weights gives
:math:`f(t) = 1` exactly, the market without a profile. With Poisson arrivals the tick's arrivals are
Poisson with mean :math:`N f(t)`.

The static benchmarks (Nash and monopoly prices and profits per tick) do not move: the profile scales
every offer's demand alike within a tick, and profits per tick average to the benchmark's.

A scenario writes ``profile = "ecommerce"`` (a shipped profile, ``PROFILES``), ``profile = [24 weights]``
or ``profile = { hourly = [24 weights], daily = [7 weights] }``.
"""

import math
from dataclasses import dataclass

import numpy as np

HOURS, DAYS = 24, 7
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Profile:
    """Relative weights by hour of day (24) and, optionally, by day of week (7, Monday first)."""

    hourly: tuple[float, ...]
    daily: tuple[float, ...] | None = None
    source: str = ""


# Counted by us: order_purchase_timestamp of the first 4,998 orders of olist_orders_dataset.csv (orders from
# 2016-09-04 to 2018-09-20, Brazilian local time), the Olist Brazilian E-Commerce Public Dataset (Olist, 2018;
# Kaggle, CC BY-NC-SA 4.0), read from a public mirror of the file (SugarDataStar/ecommerce-sql-analytics-olist
# on GitHub). A count's sampling error is about its square root (night hours: 20-50%).
OLIST_HOURLY = (114, 56, 30, 15, 11, 13, 25, 50, 152, 235, 307, 366, 279, 346, 341, 303, 336, 301, 289, 304, 306,
                315, 283, 221)
OLIST_DAILY = (783, 750, 794, 776, 744, 531, 620)
PROFILES = {
    "ecommerce": Profile(
        hourly=tuple(float(c) for c in OLIST_HOURLY), daily=tuple(float(c) for c in OLIST_DAILY),
        source="orders by hour of day and day of week of the Olist Brazilian E-Commerce Public Dataset (Olist "
               "2018, Kaggle, CC BY-NC-SA 4.0): the first 4,998 orders of olist_orders_dataset.csv, counted by us"),
}


def parse(value) -> Profile:
    """The profile a scenario's ``demand.profile`` gives (a name, 24 weights, or a table with ``hourly`` and
    optionally ``daily``); ``ValueError`` naming what is wrong and what is allowed."""
    if isinstance(value, str):
        if value not in PROFILES:
            raise ValueError(f"unknown profile; shipped profiles: {', '.join(sorted(PROFILES))}, or 24 hourly "
                             f"weights, or a table {{ hourly = [24 weights], daily = [7 weights] }}")
        return PROFILES[value]
    if isinstance(value, list):
        return Profile(hourly=_weights(value, HOURS, "hourly"))
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"hourly", "daily"})
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; a profile table has hourly (24 weights) and daily (7)")
        if "hourly" not in value:
            raise ValueError("a profile table needs hourly = [24 weights] (daily = [7 weights] is optional)")
        daily = value.get("daily")
        return Profile(hourly=_weights(value["hourly"], HOURS, "hourly"),
                       daily=None if daily is None else _weights(daily, DAYS, "daily"))
    raise ValueError("must be the name of a shipped profile, a list of 24 hourly weights, or a table "
                     "{ hourly = [24 weights], daily = [7 weights] }")


def _weights(values, length: int, what: str) -> tuple[float, ...]:
    """``length`` finite weights >= 0, not all 0; ``ValueError`` otherwise."""
    unit = "hour of the day, 00:00 first" if what == "hourly" else "day of the week, Monday first"
    if not isinstance(values, list) or len(values) != length:
        count = len(values) if isinstance(values, list) else "no list of"
        raise ValueError(f"{what}: {count} weights given; needs {length}, one per {unit}")
    for k, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{what}[{k}] = {v!r}: a weight must be a finite number >= 0")
    if not any(v > 0 for v in values):
        raise ValueError(f"{what}: every weight is 0; at least one must be > 0")
    return tuple(float(v) for v in values)


def tick_factors(profile: Profile | None, tick_minutes: int) -> np.ndarray:
    r"""``float64[ticks of a day, or of a week with daily weights]``: :math:`f(t)` of the module docstring for
    the ticks of one cycle; tick :math:`t` takes entry :math:`t \bmod` length. No profile: ``[1.0]``.
    ``tick_minutes`` must divide 1440 (the scenario checks it)."""
    if profile is None:
        return np.ones(1)
    ticks = MINUTES_PER_DAY // tick_minutes
    by_minute = np.repeat(np.asarray(profile.hourly, dtype=np.float64), MINUTES_PER_DAY // HOURS)
    day = by_minute.reshape(ticks, tick_minutes).sum(axis=1) / tick_minutes * (HOURS / sum(profile.hourly))
    if profile.daily is None:
        return day
    weekday = np.asarray(profile.daily, dtype=np.float64) * (DAYS / sum(profile.daily))
    return (weekday[:, None] * day[None, :]).ravel()

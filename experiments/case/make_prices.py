"""Make the worked case's observed prices: a panel MADE FOR THE EXAMPLE, not data.

    python -m experiments.case.make_prices [--out experiments/case/prices.csv]

The market is the calibrated twin of Nevo's market C01Q1 (pyblp's cereal data) with three of its cereals, F1B06,
F2B05 and F3B06, listed on a marketplace; the others and the outside option as the data give them. The made
"truth": F2B05's and F3B06's sellers run Edgeworth repricers (undercut the cheapest rival by a step each hour, half
an hour apart, down to a floor, then jump back up), seeing prices 10 minutes late; F1B06 keeps its list price
until it raises it by 4% at the start of day 8. A crawler visits the three offers about every hour for 14 days
(its clock drifts by up to 5 minutes), records each price to 0.0001 a serving and which offer holds the Buy Box,
and misses 2% of its page loads. ``experiments/case/repricers.toml`` is what an inference from these scrapes
would say (written by hand, in the format of ``pricelab infer``): it gets the rules right but the lag wrong (0),
as hourly scrapes cannot see a 10-minute lag, and it keeps F1B06 at its list price: the twin check is there to
show such a gap.
"""

import argparse
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from market import engine, training
from market.calibration.estimate import estimate_logit
from market.calibration.panel import read_product_panel
from market.calibration.scenarios import Settings, calibrate
from market.calibration.twin import merge

MARKET, PRODUCTS, DAYS = "C01Q1", ("F1B06", "F2B05", "F3B06"), 14
TRUTH = [
    {"name": "F2B05", "strategy": "edgeworth", "params": {"step": 0.002, "floor": 0.088, "reset": 0.124},
     "period": 6, "phase": 0, "lag": 1},
    {"name": "F3B06", "strategy": "edgeworth", "params": {"step": 0.0025, "floor": 0.09, "reset": 0.126},
     "period": 6, "phase": 3, "lag": 1},
]
LIST_PRICE_RISE = ("F1B06", 1.04, 7)  # who, by what factor, after how many days
START = datetime(2024, 3, 4)


def made_prices(seed: int = 2024) -> pl.DataFrame:
    """The crawler's rows (time, seller, price, buy_box), from the twin run with the made truth."""
    panel = read_product_panel("pyblp:nevo", single_product_firms=True)
    fit = calibrate(panel, estimate_logit(panel), [MARKET], Settings(channel="platform", days=DAYS, products=PRODUCTS,
                                                                      prefix="nevo"))[0]
    truth = merge(fit, [{**table, "_tick_minutes": None, "_where": "the made truth"} for table in TRUTH]).scenario
    state, _ = training.prepare(truth)
    who, factor, days = LIST_PRICE_RISE
    i = truth.seller_index(who)
    engine.advance(state, days * truth.ticks_per_day)
    engine.force_price(state, i, round(state.sellers.price[i] * factor, 4), truth.horizon - state.t)
    engine.advance(state, truth.horizon - state.t)
    rng = np.random.default_rng(seed)
    names = [s.name for s in truth.sellers]
    rows = []
    for hour in range(DAYS * 24):
        minute = 60 * hour + int(rng.integers(-5, 6)) if hour else 0
        tick = minute // truth.tick_minutes
        for i, name in enumerate(names):
            if hour and rng.random() < 0.02:
                continue
            rows.append((START + timedelta(minutes=minute), name, round(float(state.records.price[tick, i]), 4),
                         bool(state.records.featured[tick] == i)))
    return pl.DataFrame(rows, schema=["time", "seller", "price", "buy_box"], orient="row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="experiments/case/prices.csv")
    made_prices().write_csv(parser.parse_args().out, datetime_format="%Y-%m-%d %H:%M")


if __name__ == "__main__":
    main()

"""ECharts options for the dashboard's charts, built from a model's recorded ticks.

Each function takes a ``PricingModel`` (recording every tick) and the window of ticks to
show, and returns a plain dict that ``dashboard.chart.Chart`` draws in the browser. The time
axis reads ``d<day> hh:mm``; every chart has a "save as PNG" button.
"""

import functools
import math

import numpy as np

from market import inventory as inventory_flows
from market.metrics import profit_gain
from market.model import PricingModel
from market.state import SHOPPERS, SURPLUS

MAX_POINTS = 600
AXIS_LABELS = 6
_BANDS = (("Nash", "nash_price", "rgba(46, 125, 50, 0.18)"), ("monopoly", "monopoly_price", "rgba(198, 40, 40, 0.15)"))


def rows(model: PricingModel, window: int) -> np.ndarray:
    """Record rows (ticks) to draw: the last ``window`` ticks run, thinned to ``MAX_POINTS``."""
    end = model.state.n_records
    start = max(0, end - window)
    step = max(1, math.ceil((end - start) / MAX_POINTS))
    return np.arange(start, end, step)


def time_labels(model: PricingModel, record_rows: np.ndarray) -> list[str]:
    """``d<day> hh:mm`` at the start of the tick of each record row, day 1 first (training's ticks count)."""
    ticks = model.state.origin[0] + record_rows * model.state.records.stride
    if ticks.shape[0] > 1 and np.all(np.diff(ticks) == ticks[1] - ticks[0]):
        return list(_labels(model.config.tick_minutes, int(ticks[0]), int(ticks[-1]) + 1, int(ticks[1] - ticks[0])))
    return [_label(int(t) * model.config.tick_minutes) for t in ticks.tolist()]


@functools.lru_cache(maxsize=64)
def _labels(tick_minutes: int, start: int, stop: int, step: int) -> tuple[str, ...]:
    """Labels of an evenly spaced range of ticks (the same for every chart of a frame)."""
    return tuple(_label(t * tick_minutes) for t in range(start, stop, step))


def tick_label(model: PricingModel, tick: int) -> str:
    """``d<day> hh:mm`` at the start of ``tick``."""
    return _label(tick * model.config.tick_minutes)


def _label(minutes: int) -> str:
    return f"d{minutes // 1440 + 1} {minutes % 1440 // 60:02d}:{minutes % 60:02d}"


def values(array) -> list:
    """JSON-safe numbers: rounded to 4 decimals, with NaN and infinities as gaps (None)."""
    array = np.asarray(array, dtype=np.float64)
    rounded = np.where(np.isfinite(array), np.round(array, 4), np.nan).tolist()
    return [v if v == v else None for v in rounded]


def running_delta(model: PricingModel) -> np.ndarray:
    r"""Calvano's :math:`\Delta` of the mean industry profit :math:`\sum_i (p_i - c_i) q_i` up to each tick,
    against benchmarks scaled to the shoppers who came (as ``market.metrics.market_summary``)."""
    s, b = model.state, model.benchmarks
    n = s.n_records
    industry = ((s.records.price[:n] - s.market.true_cost) * s.records.quantity[:n]).sum(axis=1)
    footfall = running_mean(s.records.market[:n, SHOPPERS]) / s.market.shoppers
    return profit_gain(running_mean(industry), footfall * b.nash_industry_profit,
                       footfall * b.monopoly_industry_profit)


def running_mean(series: np.ndarray) -> np.ndarray:
    return np.cumsum(series) / np.arange(1, series.shape[0] + 1)


def frame(title: str, name: str, labels: list[str], series: list[dict], **extra) -> dict:
    """An ECharts option: a time axis, a legend, a tooltip and a PNG button."""
    shown = {"interval": _label_interval(labels)}
    option = {
        "title": {"text": title, "textStyle": {"fontSize": 13}},
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 22, "type": "scroll"},
        "grid": {"left": 8, "right": 16, "top": 64, "bottom": 4, "containLabel": True},
        "toolbox": {"feature": {"saveAsImage": {"title": "PNG", "name": f"pricelab_{name}"}}},
        "xAxis": {"type": "category", "data": labels, "boundaryGap": False,
                  "axisLabel": shown, "axisTick": shown},
        "yAxis": {"type": "value", "scale": True},
        "series": series,
    }
    option.update(extra)
    return option


def _label_interval(labels: list[str]) -> int:
    """Labels skipped between two shown, for about ``AXIS_LABELS`` on the time axis (ECharts' "auto" measures
    every label's text on every frame)."""
    return max(0, math.ceil(len(labels) / AXIS_LABELS) - 1)


def _lines(names: list[str], table: np.ndarray, picked: np.ndarray, **style) -> list[dict]:
    return [{"name": name, "type": "line", "showSymbol": False, "data": values(table[picked, i]), **style}
            for i, name in enumerate(names)]


def _sellers(model: PricingModel) -> list[str]:
    return [s.name for s in model.config.sellers]


def _bands(model: PricingModel) -> dict:
    """Shaded ranges of the sellers' Nash and monopoly prices (widened a little where all are equal)."""
    areas = []
    for label, field, color in _BANDS:
        price = getattr(model.benchmarks, field)
        low, high = float(price.min()), float(price.max())
        pad = max(0.0, 0.004 * high - (high - low) / 2)
        areas.append([{"name": label, "yAxis": low - pad, "itemStyle": {"color": color}}, {"yAxis": high + pad}])
    return {"silent": True, "label": {"position": "insideLeft", "fontSize": 10}, "data": areas}


def price(model: PricingModel, window: int, title: str = "Prices") -> dict:
    """Each seller's price, over the bands of the static Nash and monopoly prices."""
    picked = rows(model, window)
    series = _lines(_sellers(model), model.state.records.price, picked, step="end")
    if series:
        series[0]["markArea"] = _bands(model)
    return frame(title, "price", time_labels(model, picked), series)


def profit(model: PricingModel, window: int) -> dict:
    """Each seller's profit per tick (after fees; the platform's includes fees received)."""
    picked = rows(model, window)
    series = _lines(_sellers(model), model.state.records.profit, picked)
    return frame("Profit per tick", "profit", time_labels(model, picked), series)


def delta(model: PricingModel, window: int, twin: PricingModel | None = None) -> dict:
    """Running profit gain Delta (0 = Nash, 1 = joint monopoly), of A and, with rules on, of B."""
    picked = rows(model, window)
    series = [{"name": "A" if twin else "Delta", "type": "line", "showSymbol": False,
               "data": values(running_delta(model)[picked])}]
    if twin is not None:
        series.append({"name": "B (rules)", "type": "line", "showSymbol": False,
                       "data": values(running_delta(twin)[picked])})
    return frame("Running profit gain Delta", "delta", time_labels(model, picked), series)


def shares(model: PricingModel, window: int) -> dict:
    """Each seller's share of the units sold in each tick, stacked."""
    picked = rows(model, window)
    quantity = model.state.records.quantity[picked]
    total = quantity.sum(axis=1, keepdims=True)
    share = np.divide(quantity, total, out=np.full_like(quantity, np.nan), where=total > 0)
    series = _lines(_sellers(model), share, np.arange(picked.shape[0]), stack="share", areaStyle={})
    return frame("Market shares (units)", "shares", time_labels(model, picked), series,
                 yAxis={"type": "value", "min": 0, "max": 1})


def featured(model: PricingModel, window: int) -> dict:
    """Who holds the featured offer (the Buy Box) in each tick."""
    picked = rows(model, window)
    holder = model.state.records.featured[picked]
    data = [int(h) if h >= 0 else None for h in holder.tolist()]
    series = [{"name": "featured offer", "type": "line", "step": "end", "showSymbol": False, "data": data}]
    return frame("Featured offer (Buy Box)", "featured", time_labels(model, picked), series,
                 yAxis={"type": "category", "data": _sellers(model)})


def events(model: PricingModel, window: int) -> dict:
    """Price changes as events: a mark per seller and tick where the price went up or down."""
    end = model.state.n_records
    start = max(0, end - window)
    table = model.state.records.price[max(0, start - 1):end]
    change = np.diff(table, axis=0) if start > 0 else np.vstack([np.zeros((1, table.shape[1])), np.diff(table, axis=0)])
    ticks = np.arange(start, end)
    series = []
    for label, sign, color in (("up", 1, "#c62828"), ("down", -1, "#1565c0")):
        t, seller = np.nonzero(np.sign(change) == sign)
        data = [[int(a), int(b)] for a, b in zip(t.tolist(), seller.tolist(), strict=True)]
        series.append({"name": f"price {label}", "type": "scatter", "symbol": "triangle",
                       "symbolRotate": 0 if sign > 0 else 180, "symbolSize": 6, "itemStyle": {"color": color},
                       "data": data[-4 * MAX_POINTS:]})
    return frame("Price changes", "events", time_labels(model, ticks), series, tooltip={"trigger": "item"},
                 yAxis={"type": "category", "data": _sellers(model)})


def stock(model: PricingModel, window: int) -> dict:
    """Units in stock per seller (sellers with unlimited stock have no line); units sold off and destroyed so far."""
    picked = rows(model, window)
    inventory = model.state.inventory
    tracked = [i for i, name in enumerate(_sellers(model)) if inventory.tracked[i]]
    series = [{"name": _sellers(model)[i], "type": "line", "showSymbol": False,
               "data": values(inventory.record_stock[picked, i])} for i in tracked]
    sold_off = inventory.total_units[:, inventory_flows.SOLD_OFF].sum()
    destroyed = inventory.total_units[:, inventory_flows.DESTROYED].sum()
    return frame(f"Stock (so far: {sold_off:,.0f} units sold off, {destroyed:,.0f} destroyed)", "stock",
                 time_labels(model, picked), series)


def difference(model: PricingModel, twin: PricingModel, window: int) -> dict:
    """B minus A: mean price per tick and consumer surplus per tick (running means)."""
    picked = rows(model, window)
    n = model.state.n_records
    gap_price = running_mean(twin.state.records.price[:n].mean(axis=1) - model.state.records.price[:n].mean(axis=1))
    gap_surplus = running_mean(twin.state.records.market[:n, SURPLUS] - model.state.records.market[:n, SURPLUS])
    series = [{"name": "mean price, B - A", "type": "line", "showSymbol": False, "data": values(gap_price[picked])},
              {"name": "consumer surplus, B - A", "type": "line", "showSymbol": False, "yAxisIndex": 1,
               "data": values(gap_surplus[picked])}]
    return frame("B - A (running means)", "difference", time_labels(model, picked), series,
                 yAxis=[{"type": "value", "scale": True, "name": "price"},
                        {"type": "value", "scale": True, "name": "surplus"}])

"""ECharts options for the dashboard's charts: run A, and run B beside or over it while rules are on.

Each chart function takes a ``View`` (the two models, the record rows in the window, B's name
and the marks) and returns a plain dict that ``dashboard.chart.Chart`` draws in the browser.
Every chart has axis titles with units, a legend that names each series' run (A, or B by its
rules; B is dashed), a vertical marker where B's rules changed and where a deviation was
forced, and a "save as PNG" button. ``CAPTIONS`` says in one line what each chart shows;
``names`` lists the charts that apply to a market.

Comparisons measure since the switch, not from tick 0: Delta is a mean over a trailing window
(a day, or ``PERIOD_WINDOW`` periods of a repeated game), and B - A a mean since B's rules last
changed, so a constant effect draws a level line from the marker on.
"""

import math
from dataclasses import dataclass

import numpy as np

from dashboard import timeline
from market import inventory as inventory_flows
from market import strategies
from market.metrics import profit_gain
from market.model import PricingModel
from market.state import SHOPPERS, SURPLUS

MAX_POINTS = 600
AXIS_LABELS = 6
PERIOD_WINDOW = 100  # Delta's window in a repeated game, in periods
LEGEND_WIDTH = 410  # px: the narrowest chart's legend row, for the space the legend takes
LEGEND_ROW = 20  # px: a legend row and the gap below it
PALETTE = ("#3366cc", "#2e9e44", "#e6a000", "#d62728", "#17a2b8", "#8c564b", "#e377c2", "#7f7f7f")
RUNS = {"A": "#37474f", "B": "#e65100"}
BANDS = (("Nash range", "nash_price", "rgba(46, 125, 50, 0.16)", "#2e7d32"),
         ("monopoly range", "monopoly_price", "rgba(198, 40, 40, 0.13)", "#c62828"))
MARKS = {"rule": "#6a1b9a", "deviation": "#ad1457"}
LABEL_POINTS = 20  # marks closer than 1/20 of the drawn points label opposite ends of their lines
SYMBOLS = ("circle", "triangle", "rect", "diamond", "pin", "roundRect")
BEFORE_DEVIATION, AFTER_DEVIATION = 5, 30  # the zoom around a forced deviation, in ticks (periods)
EMPTY = "No {unit}s yet: press Step or Play."
B_FROM = "B - A starts at {since}: press Step or Play."
NOTE_TOP = "30%"  # B_FROM's place: in B - A's upper panel (24-44% of the height), above its zero line at the foot
CAPTIONS = {
    "price": "Each seller's price per {unit}; shaded: the ranges of static Nash and joint-monopoly prices.",
    "delta": "The industry's profit over the last {span}, scaled: 0 = static Nash, 1 = joint monopoly.",
    "difference": "B minus A, averaged since the latest marker, one panel each: mean price and consumer surplus "
                  "per {unit}; the dotted line is no difference.",
    "learning": "Training, chunk by chunk: Delta of each chunk (top) and each learner's mean price in it (below), "
                "over the training {unit}s; exploring shrinks as they go.",
    "deviation": "Around the latest forced deviation, one point per {unit}: who was forced, and how the others "
                 "answered.",
    "profit": "Each seller's profit per {unit}{fees}.",
    "shares": "Each seller's share of the units sold per {unit} (with B: A as areas, B as dashed boundaries).",
    "featured": "Which seller's offer is featured (holds the Buy Box) on the platform, tick by tick.",
    "events": "Every price change: up (red) or down (blue); with B, hollow marks on B's rows.",
    "stock": "Units each seller holds in stock; sellers with unlimited stock have no line.",
    "shoppers": "Shoppers arriving per tick, by the scenario's demand profile for the hour and weekday.",
}
NIGHT = (0, 6)  # hours shaded on the price chart of a market on the clock


@dataclass(frozen=True)
class View:
    """What a frame draws: model A, model B (None: no rules on), the record rows in the window, B's name,
    the marks (``dashboard.lab.Mark``) and the tick from which B is measured against A."""

    a: PricingModel
    b: PricingModel | None
    rows: np.ndarray
    labels: list[str]
    b_name: str = "B"
    marks: tuple = ()
    since: int = 0
    curve: tuple = ()

    def runs(self) -> list[tuple[str, PricingModel]]:
        return [("A", self.a)] + ([("B", self.b)] if self.b is not None else [])


def view(a: PricingModel, window: int, b: PricingModel | None = None, b_name: str = "B", marks=(),
         since: int | None = None, curve=()) -> View:
    """The ``View`` of the last ``window`` ticks run (``curve``: the points of training so far, if any)."""
    picked = rows(a, window)
    return View(a, b, picked, timeline.labels(a, picked), b_name, tuple(marks),
                int(a.state.origin[0]) if since is None else since, tuple(curve))


def names(model: PricingModel, with_b: bool, learning: bool = False, deviated: bool = False) -> list[str]:
    """The charts that apply to ``model``'s market, in page order: the Buy Box needs two offers on the
    platform, stock a market with ``[inventory]``, shoppers a demand profile, B - A a run B, the learning
    curve a training drawn chunk by chunk, the zoom a forced deviation."""
    state = model.state
    shown = {"difference": with_b, "featured": int(state.market.on_platform.sum()) >= 2,
             "stock": state.inventory is not None, "shoppers": state.market.arrival_factor.shape[0] > 1,
             "learning": learning, "deviation": deviated}
    return [name for name in CAPTIONS if shown.get(name, True)]


def caption(name: str, model: PricingModel) -> str:
    """The chart's one-line caption (periods in a repeated game; fees only where there is a platform)."""
    repeated = timeline.repeated_game(model.config)
    fees = ("" if not model.state.market.on_platform.any() else
            " after fees; the platform's includes the fees it collects")
    return CAPTIONS[name].format(span=f"{PERIOD_WINDOW} periods" if repeated else "day",
                                 unit=timeline.unit(model.config), fees=fees)


def rows(model: PricingModel, window: int) -> np.ndarray:
    """Record rows (ticks) to draw: the last ``window`` ticks run, thinned to ``MAX_POINTS``."""
    end = model.state.n_records
    start = max(0, end - window)
    step = max(1, math.ceil((end - start) / MAX_POINTS))
    return np.arange(start, end, step)


def values(array) -> list:
    """JSON-safe numbers: rounded to 4 decimals, with NaN and infinities as gaps (None)."""
    array = np.asarray(array, dtype=np.float64)
    rounded = np.where(np.isfinite(array), np.round(array, 4), np.nan).tolist()
    return [v if v == v else None for v in rounded]


def frame(v: View, name: str, title: str, series: list[dict], y_axis: dict | list[dict], **extra) -> dict:
    """An ECharts option: a titled time axis, ``y_axis``, a legend, a tooltip, the marks and a PNG button.

    The time axis labels at most ``AXIS_LABELS`` evenly spaced times, the same on every chart; a chart with names
    along its value axis (sellers: a category axis) has a narrower plot, and labels every other one of those times,
    so that its labels stay apart."""
    named = not isinstance(y_axis, list) and y_axis.get("type") == "category"
    shown = {"interval": _label_interval(len(v.labels), 2 if named else 1)}
    for s in series:
        s.setdefault("id", s["name"])
    legend = list(dict.fromkeys(s["name"] for s in series))
    top = 28 + LEGEND_ROW * _legend_rows(legend)
    if series:
        series[0]["markLine"] = _merge_lines(series[0].get("markLine"), _marks(v))
    option = {
        "title": {"text": title, "left": 6, "top": 4, "textStyle": {"fontSize": 15}},
        "animation": False,
        "textStyle": {"fontSize": 12},
        "tooltip": {"trigger": "axis", "confine": True},
        "legend": {"top": 28, "left": 6, "right": 40, "data": legend, "itemGap": 8, "itemWidth": 24, "itemHeight": 10,
                   "textStyle": {"fontSize": 12}},
        "grid": {"left": 14, "right": 44, "top": top + 28, "bottom": 34, "containLabel": True},
        "toolbox": {"right": 6, "top": 2, "feature": {"saveAsImage": {"title": "PNG", "name": f"pricelab_{name}"}}},
        "xAxis": {"type": "category", "data": v.labels, "boundaryGap": False, "axisLabel": {**shown, "fontSize": 12},
                  "axisTick": shown,
                  "name": timeline.axis_name(v.a), "nameLocation": "middle", "nameGap": 26},
        "yAxis": y_axis,
        "series": series,
    }
    if not v.labels:
        option["graphic"] = _note(EMPTY.format(unit=timeline.unit(v.a.config)))
    option.update(extra)
    for axis in option["yAxis"] if isinstance(option["yAxis"], list) else [option["yAxis"]]:
        axis["axisLabel"] = {"fontSize": 12, **axis.get("axisLabel", {})}
    return option


def _label_interval(n_labels: int, every: int = 1) -> int:
    """ECharts' ``interval`` (labels skipped between two shown) of a time axis of ``n_labels``: at most
    ``AXIS_LABELS`` shown, one every ``ceil(n_labels / AXIS_LABELS)`` from the first, or one in ``every`` of those."""
    return max(1, math.ceil(n_labels / AXIS_LABELS)) * every - 1


def _note(text: str, top: str = "middle") -> dict:
    """A line of text across the chart, centred, its top at ``top``."""
    return {"type": "text", "left": "center", "top": top, "style": {"text": text, "fontSize": 14, "fill": "#555"}}


def value_axis(text: str, **extra) -> dict:
    """A value axis titled ``text`` (with its unit), fitted to the data unless ``extra`` says otherwise."""
    return {"type": "value", "scale": True, **extra, **_axis_name(text)}


def _axis_name(text: str) -> dict:
    """A value axis' title, above the axis and reading rightwards from it (never clipped at the left edge)."""
    return {"name": text, "nameLocation": "end", "nameGap": 10,
            "nameTextStyle": {"align": "left", "fontSize": 12, "color": "#333"}}


def _legend_rows(names: list[str]) -> int:
    """Rows the legend takes in a chart ``LEGEND_WIDTH`` wide (about 5.8 px a character, 37 px of icon and gaps)."""
    rows, used = 1, 0
    for name in names:
        width = 37 + 5.8 * len(name)
        if used and used + width > LEGEND_WIDTH:
            rows, used = rows + 1, 0
        used += width
    return rows


def _marks(v: View) -> list[dict]:
    """Vertical lines at the drawn ticks where B's rules changed or a deviation was forced; marks that fall on one
    drawn tick share one line and one label (``once a day on · firm1 at 1.5``), and a mark close to the one before
    (within 1/``LABEL_POINTS`` of the drawn points) has its label at the other end of its line, so that no label
    hides another."""
    at_point: dict[int, list] = {}
    for mark in v.marks:
        at = timeline.position(v.a, v.rows, mark.tick)
        if at is not None:
            at_point.setdefault(at, []).append(mark)
    lines, previous, low = [], None, False
    for at, marks in sorted(at_point.items()):
        low = previous is not None and at - previous < max(2, len(v.rows) // LABEL_POINTS) and not low
        color = MARKS[marks[-1].kind]
        lines.append({"xAxis": at, "name": " · ".join(dict.fromkeys(m.text for m in marks)),
                      "lineStyle": {"color": color, "width": 1.5, "type": "solid"},
                      "label": {"formatter": "{b}", "position": "insideStartTop" if low else "insideEndBottom",
                                "color": color}})
        previous = at
    return lines


def _merge_lines(line: dict | None, data: list[dict]) -> dict:
    line = dict(line or {"symbol": "none", "silent": True, "data": []})
    line["data"] = list(line["data"]) + data
    return line


def _sellers(model: PricingModel) -> list[str]:
    return [s.name for s in model.config.sellers]


def _per_seller(v: View, table, columns: list[int] | None = None, **style) -> list[dict]:
    """One line per seller (of ``columns``) and run: ``table(model)`` is the model's [row, seller] array.

    A seller's lines share its colour and its name (one legend entry shows or hides both); their ids
    say the run (``platform · B``: the tooltip shows ids). B's are dashed; with a run B, two legend
    keys without data say which line style is which run (``_run_keys``). Lines are drawn widest first
    (``_width``), so sellers at identical prices all stay in view.
    """
    sellers = _sellers(v.a)
    columns = list(range(len(sellers))) if columns is None else columns
    series = []
    for run, model in v.runs():
        data = table(model)[v.rows]
        for k, i in enumerate(columns):
            series.append({"name": sellers[i], "id": f"{sellers[i]} · {run}", "type": "line",
                           "data": values(data[:, i]), "itemStyle": {"color": PALETTE[i % len(PALETTE)]},
                           "lineStyle": {"width": _width(k, len(columns)),
                                         "type": "dashed" if run == "B" else "solid"},
                           "symbol": "none", **style})
    return series + _run_keys(v)


def _width(k: int, n: int) -> float:
    """Line width of the k-th of n sellers: the first widest, each later one 1.5 px narrower, the last 1.5 px,
    so a later line drawn over an earlier one at the same prices leaves the earlier one's edges showing."""
    return 1.5 + 1.5 * (n - 1 - k)


def _run_keys(v: View) -> list[dict]:
    """Legend keys for the runs, with a run B: "A" solid and B by its rules dashed (series without data)."""
    if v.b is None:
        return []
    return [{"name": name, "id": f"key {run}", "type": "line", "symbol": "none", "data": [],
             "itemStyle": {"color": RUNS[run]},
             "lineStyle": {"width": 2, "type": "dashed" if run == "B" else "solid"}}
            for run, name in (("A", "A"), ("B", v.b_name))]


def _range(low: float, high: float) -> dict:
    """Value-axis bounds around [low, high] with 5% to spare, rounded to the axis' label step."""
    span = max(high - low, 1e-9 + abs(high) * 1e-3)
    step = 10 ** math.floor(math.log10(span / 4))
    return {"min": round(math.floor((low - 0.05 * span) / step) * step, 10),
            "max": round(math.ceil((high + 0.05 * span) / step) * step, 10),
            "axisLabel": {"showMinLabel": False, "showMaxLabel": False}}


def _finite(arrays) -> tuple[float, float] | None:
    found = [a[np.isfinite(a)] for a in arrays]
    found = [a for a in found if a.size]
    return (min(float(a.min()) for a in found), max(float(a.max()) for a in found)) if found else None


def price(v: View) -> dict:
    """Each seller's price (B's dashed), over the bands of the static Nash and monopoly prices, all in range."""
    series = _per_seller(v, lambda m: m.state.records.price, step="end")
    bands, low, high = _bands(v)
    series += bands
    if on_the_clock(v.a):
        series.append({"name": f"night ({NIGHT[0]:02d}:00-{NIGHT[1]:02d}:00)", "type": "line", "data": [],
                       "itemStyle": {"color": "#78909c"},
                       "markArea": {"silent": True, "itemStyle": {"color": "rgba(38, 50, 56, 0.08)"},
                                    "data": nights(v)}})
    return frame(v, "price", "Prices", series, _price_axis(v, low, high))


def _price_axis(v: View, low: list[float], high: list[float]) -> dict:
    """The price axis, fitted to the drawn prices and the benchmark ranges (``low``, ``high``) alike."""
    seen = _finite([m.state.records.price[v.rows] for _, m in v.runs()])
    bounds = (min(low + [seen[0]]), max(high + [seen[1]])) if seen else (min(low), max(high))
    return value_axis("price (currency units)", **_range(*bounds))


def on_the_clock(model: PricingModel) -> bool:
    """Whether the hour matters in ``model``'s market: a demand profile, a repricer with active hours or a strategy
    that reads the clock (then the price chart shades the nights)."""
    sellers = model.config.sellers
    return (not timeline.repeated_game(model.config) and (model.state.market.arrival_factor.shape[0] > 1 or any(
        s.active_hours is not None or strategies.get(s.strategy).uses_clock for s in sellers)))


def nights(v: View) -> list[list[dict]]:
    """ECharts mark areas over the drawn points whose tick starts in the ``NIGHT`` hours, one per night."""
    hour = timeline.ticks(v.a, v.rows) * v.a.config.tick_minutes % 1440 / 60
    inside = np.concatenate([[False], (hour >= NIGHT[0]) & (hour < NIGHT[1]), [False]])
    edges = np.flatnonzero(np.diff(inside.astype(np.int8)))
    return [[{"xAxis": int(start)}, {"xAxis": int(end - 1)}] for start, end in zip(edges[::2], edges[1::2],
                                                                                    strict=True)]


def shoppers(v: View) -> dict:
    """Shoppers who arrived in each tick, in A and in B (the demand profile by hour and weekday, with Poisson
    noise where arrivals are Poisson)."""
    series = [{"name": v.b_name if run == "B" else "A", "id": f"shoppers · {run}", "type": "line", "symbol": "none",
               "step": "end", "data": values(model.state.records.market[v.rows, SHOPPERS]),
               "itemStyle": {"color": RUNS[run]}, "lineStyle": {"width": 1.5, "type": "dashed" if run == "B" else
                                                                  "solid"}} for run, model in v.runs()]
    return frame(v, "shoppers", "Shoppers per tick", series, value_axis("shoppers per tick", min=0))


def profit(v: View) -> dict:
    """Each seller's profit per tick (after fees; the platform's includes fees received)."""
    unit = timeline.unit(v.a.config)
    return frame(v, "profit", f"Profit per {unit}", _per_seller(v, lambda m: m.state.records.profit),
                 value_axis(f"profit per {unit} (currency units)"))


def shares(v: View) -> dict:
    """Each seller's share of the units sold in each tick: A stacked as areas, B's stack as dashed boundaries."""
    series = _per_seller(v, _share)
    for s in series:
        if not s["data"]:
            continue
        run = s["id"][-1]
        s["stack"] = run
        if run == "A":
            s["areaStyle"] = {"opacity": 0.55 if v.b is None else 0.35}
        else:
            s["lineStyle"]["width"] = 2
    return frame(v, "shares", "Market shares", series, value_axis("share of units sold", min=0, max=1))


def _share(model: PricingModel) -> np.ndarray:
    quantity = model.state.records.quantity[:model.state.n_records]
    total = quantity.sum(axis=1, keepdims=True)
    return np.divide(quantity, total, out=np.full_like(quantity, np.nan), where=total > 0)


def featured(v: View) -> dict:
    """Who holds the featured offer (the Buy Box) in each tick, in A and in B."""
    series = []
    for run, model in v.runs():
        holder = model.state.records.featured[v.rows]
        b = run == "B"
        series.append({"name": v.b_name if b else "A", "type": "line", "step": "end", "showSymbol": False,
                       "data": [int(h) if h >= 0 else None for h in holder.tolist()],
                       "itemStyle": {"color": RUNS[run]},
                       "lineStyle": {"width": 2 if b else 4, "type": "dashed" if b else "solid",
                                     "opacity": 1.0 if b else 0.45}})
    return frame(v, "featured", "Buy Box (featured offer)", series,
                 {"type": "category", "data": _sellers(v.a), **_axis_name("holder of the Buy Box")})


def events(v: View) -> dict:
    """Price changes as events: a mark per seller and drawn tick where the price went up or down (in the ticks
    it stands for, when the window is thinned); with a run B, each seller has a row for A and one for B."""
    sellers, paired = _sellers(v.a), v.b is not None
    start, end = (int(v.rows[0]), v.a.state.n_records) if v.rows.shape[0] else (0, 0)
    step = int(v.rows[1] - v.rows[0]) if v.rows.shape[0] > 1 else 1
    series = []
    for k, (run, model) in enumerate(v.runs()):
        table = model.state.records.price[max(0, start - 1):end]
        change = np.diff(table, axis=0) if start > 0 else np.diff(table, axis=0, prepend=table[:1])
        for label, sign, color in (("up", 1, "#c62828"), ("down", -1, "#1565c0")):
            t, seller = np.nonzero(np.sign(change) == sign)
            marks = np.unique(np.stack([t // step, seller * (2 if paired else 1) + k], axis=1), axis=0)
            series.append({"name": f"price {label}", "id": f"price {label} · {run}", "type": "scatter",
                           "symbol": "emptyTriangle" if run == "B" else "triangle",
                           "symbolRotate": 0 if sign > 0 else 180, "symbolSize": 7, "itemStyle": {"color": color},
                           "data": marks.tolist()})
    categories = [f"{s} · {run}" for s in sellers for run in ("A", "B")] if paired else sellers
    return frame(v, "events", "Price changes", series,
                 {"type": "category", "data": categories, "axisLabel": {"interval": 0}, **_axis_name("seller")},
                 tooltip={"trigger": "item", "confine": True})


def stock(v: View) -> dict:
    """Units in stock per seller (sellers with unlimited stock have no line); units sold off and destroyed so far."""
    tracked = [i for i in range(v.a.state.n_sellers) if v.a.state.inventory.tracked[i]]
    series = _per_seller(v, lambda m: m.state.inventory.record_stock, tracked)
    totals = []
    for run, model in v.runs():
        units = model.state.inventory.total_units
        totals.append(f"{run}: {units[:, inventory_flows.SOLD_OFF].sum():,.0f} units sold off, "
                      f"{units[:, inventory_flows.DESTROYED].sum():,.0f} destroyed")
    option = frame(v, "stock", "Stock", series, value_axis("units in stock"))
    option["graphic"] = [*_listed(option.get("graphic")),
                         {"type": "text", "left": 8, "top": 26, "style": {"text": " · ".join(totals) + " so far",
                                                                          "fontSize": 12, "fill": "#555"}}]
    option["legend"]["top"] += 18
    option["grid"]["top"] += 18
    return option


def _listed(item) -> list:
    return [] if item is None else item if isinstance(item, list) else [item]


def window_delta(model: PricingModel, picked: np.ndarray, width: int) -> np.ndarray:
    r"""Calvano's :math:`\Delta` of the mean industry profit :math:`\sum_i (p_i - c_i) q_i` over the ``width``
    ticks up to each picked record row, against the benchmarks scaled to the shoppers who came (as
    ``market.metrics.market_summary``)."""
    if picked.shape[0] == 0:
        return np.zeros(0)
    s, b = model.state, model.benchmarks
    lo, end = max(0, int(picked[0]) - width + 1), int(picked[-1]) + 1
    industry = ((s.records.price[lo:end] - s.market.true_cost) * s.records.quantity[lo:end]).sum(axis=1)
    footfall = s.records.market[lo:end, SHOPPERS] / s.market.shoppers
    first = np.maximum(picked - width + 1, 0) - lo
    mean_industry, mean_footfall = (_span_mean(x, first, picked - lo) for x in (industry, footfall))
    return profit_gain(mean_industry, mean_footfall * b.nash_industry_profit,
                       mean_footfall * b.monopoly_industry_profit)


def _span_mean(series: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Means of ``series[first[k]:last[k] + 1]`` for each k."""
    total = np.concatenate([[0.0], np.cumsum(series)])
    return (total[last + 1] - total[first]) / (last + 1 - first)


def delta(v: View) -> dict:
    """Profit gain Delta over a trailing window, of A and of B; 0 = static Nash, 1 = joint monopoly."""
    repeated = timeline.repeated_game(v.a.config)
    width = PERIOD_WINDOW if repeated else v.a.config.ticks_per_day // v.a.state.records.stride
    series, found = [], []
    for run, model in v.runs():
        gain = window_delta(model, v.rows, max(1, width))
        found.append(gain)
        series.append({"name": v.b_name if run == "B" else ("A" if v.b is not None else "Delta"), "type": "line",
                       "showSymbol": False, "data": values(gain), "itemStyle": {"color": RUNS[run]},
                       "lineStyle": {"width": 2, "type": "dashed" if run == "B" else "solid"}})
    series[0]["markLine"] = {"symbol": "none", "silent": True, "lineStyle": {"color": "#999", "type": "dotted"},
                             "label": {"position": "insideEndTop", "color": "#555"},
                             "data": [{"yAxis": 0, "name": "0 = static Nash", "label": {"formatter": "{b}"}},
                                      {"yAxis": 1, "name": "1 = joint monopoly", "label": {"formatter": "{b}"}}]}
    seen = _finite(found)
    bounds = (min(0.0, seen[0]), max(1.0, seen[1])) if seen else (0.0, 1.0)
    span = f"last {PERIOD_WINDOW} periods" if repeated else "last day"
    return frame(v, "delta", f"Profit gain Delta (mean over the {span})", series,
                 value_axis("Delta: 0 = static Nash, 1 = joint monopoly", **_range(*bounds)))


def difference(v: View) -> dict:
    """B minus A since B's rules last changed, one panel each (``panels``): mean price and consumer surplus per
    tick (or period), each on its own axis with its unit and a dotted zero line. Until B has run a tick since
    then, the zero lines alone, and a note (in the upper panel, clear of its zero line) that B - A starts there."""
    a, b = v.a.state, v.b.state
    n = a.n_records
    start = min(max(0, (v.since - int(a.origin[0])) // a.records.stride), n)
    price_gap = b.records.price[start:n].mean(axis=1) - a.records.price[start:n].mean(axis=1)
    surplus_gap = b.records.market[start:n, SURPLUS] - a.records.market[start:n, SURPLUS]
    unit = timeline.unit(v.a.config)
    gaps = {"mean price (B - A)": price_gap, f"consumer surplus per {unit} (B - A)": surplus_gap}
    shown = v.rows[v.rows >= start]
    series = []
    for k, (label, gap) in enumerate(gaps.items()):
        means = _span_mean(gap, np.zeros_like(shown), shown - start) if gap.shape[0] else np.zeros(0)
        data = [None] * (v.rows.shape[0] - shown.shape[0]) + values(means)
        series.append({"name": label, "type": "line", "showSymbol": False, "yAxisIndex": k, "data": data,
                       "itemStyle": {"color": ("#1565c0", "#2e7d32")[k]}, "lineStyle": {"width": 2}})
    axes = [value_axis("B - A: price (currency units)"), value_axis(f"B - A: surplus (currency units per {unit})")]
    since = timeline.when(v.a, v.since)
    option = frame(v, "difference", f"{v.b_name} minus A, since {since}", series, axes)
    if not shown.shape[0]:
        option["graphic"] = _note(B_FROM.format(since=since), NOTE_TOP)
    return panels(option, _marks(v))


def panels(option: dict, marks: list[dict]) -> dict:
    """``option`` (two value axes) laid out as two panels, one above the other, each with one value axis, its own
    copy of the time axis (labelled under the lower one), a dotted zero line and the ``marks``: series k (its
    ``yAxisIndex``) is drawn in panel k. Never two scales on one panel."""
    top = option["grid"]["top"]
    grid = {key: option["grid"][key] for key in ("left", "right", "containLabel")}
    option["grid"] = [{**grid, "top": top, "bottom": "56%"}, {**grid, "top": "56%", "bottom": 34}]
    lower = {**option["xAxis"], "gridIndex": 1}
    upper = {**lower, "gridIndex": 0, "axisLabel": {"show": False}, "name": ""}
    option["xAxis"] = [upper, lower]
    for k, axis in enumerate(option["yAxis"]):
        axis["gridIndex"] = k
        axis.setdefault("splitNumber", 3)
    first = {}
    for s in option["series"]:
        s["xAxisIndex"] = s.get("yAxisIndex", 0)
        first.setdefault(s["xAxisIndex"], s)
    for s in first.values():
        zero = {"yAxis": 0, "name": "0", "lineStyle": {"color": "#777", "type": "dotted", "width": 1.5},
                "label": {"show": False}}
        s["markLine"] = _merge_lines(None, [zero, *marks])
    return option


def _bands(v: View) -> tuple[list[dict], list[float], list[float]]:
    """Shaded ranges of the sellers' static Nash and joint-monopoly prices (series without data) and their
    bounds, a little widened where a range is a single price so that it shows."""
    series, low, high = [], [], []
    for label, field, fill, edge in BANDS:
        band = getattr(v.a.benchmarks, field)
        pad = max(0.0, 0.004 * float(band.max()) - float(band.max() - band.min()) / 2)
        low.append(float(band.min()) - pad)
        high.append(float(band.max()) + pad)
        series.append({"name": label, "type": "line", "data": [], "itemStyle": {"color": edge},
                       "markArea": {"silent": True, "itemStyle": {"color": fill},
                                    "label": {"position": "insideTopLeft", "color": edge, "fontSize": 11},
                                    "data": [[{"name": label, "yAxis": low[-1]}, {"yAxis": high[-1]}]]}})
    return series, low, high


def deviation(v: View) -> dict:
    """The prices around the latest forced deviation, zoomed: ``BEFORE_DEVIATION`` ticks (periods) before it to
    ``AFTER_DEVIATION`` after, every tick drawn with a marker (each seller its own shape)."""
    a = v.a.state
    mark = [m for m in v.marks if m.kind == "deviation"][-1]
    at = (mark.tick - int(a.origin[0])) // a.records.stride
    picked = np.arange(max(0, at - BEFORE_DEVIATION), min(a.n_records, at + AFTER_DEVIATION + 1))
    unit = timeline.unit(v.a.config)
    zoom = View(v.a, v.b, picked, [f"{r - at:+d}" for r in picked.tolist()], v.b_name, v.marks, v.since)
    series = _per_seller(zoom, lambda m: m.state.records.price, step="end")
    for s in series:
        if s["data"]:
            k = _sellers(v.a).index(s["name"])
            s.update(symbol=SYMBOLS[k % len(SYMBOLS)], symbolSize=7 + 2 * (len(_sellers(v.a)) - 1 - k),
                     showSymbol=True)
    bands, low, high = _bands(zoom)
    option = frame(zoom, "deviation", f"Around the deviation: {mark.text}", series + bands,
                   _price_axis(zoom, low, high))
    option["xAxis"]["name"] = f"{unit}s from the deviation"
    return option


def learning(v: View) -> dict:
    """Training chunk by chunk (``dashboard.learning``): each chunk's Delta (upper panel) and each learner's mean
    price in it (lower panel, over the Nash and monopoly ranges), against the training ticks."""
    points = v.curve
    ticks = [p.tick for p in points]
    unit = timeline.unit(v.a.config)
    series = [{"name": "Delta of the chunk", "type": "line", "yAxisIndex": 0, "showSymbol": True, "symbolSize": 5,
               "data": [[t, d] for t, d in zip(ticks, values([p.delta for p in points]), strict=True)],
               "itemStyle": {"color": RUNS["A"]}, "lineStyle": {"width": 2}}]
    learners = [i for i, s in enumerate(v.a.config.sellers) if strategies.get(s.strategy).learns]
    for k, i in enumerate(learners):
        series.append({"name": _sellers(v.a)[i], "type": "line", "yAxisIndex": 1, "showSymbol": True,
                       "symbol": SYMBOLS[k % len(SYMBOLS)], "symbolSize": 7 + 2 * (len(learners) - 1 - k),
                       "data": [[t, p] for t, p in zip(ticks, values([p.price[i] for p in points]), strict=True)],
                       "itemStyle": {"color": PALETTE[i % len(PALETTE)]},
                       "lineStyle": {"width": _width(k, len(learners))}})
    b = v.a.benchmarks
    seen = _finite([np.array([p.price[i] for p in points for i in learners])]) or (np.inf, -np.inf)
    low = min(seen[0], float(b.nash_price[learners].min()))
    high = max(seen[1], float(b.monopoly_price[learners].max()))
    axes = [value_axis("Delta: 0 = static Nash, 1 = joint monopoly"),
            value_axis("mean price (currency units)", **_range(low, high))]
    option = frame(v, "learning", f"Learning: {ticks[-1] if ticks else 0:,} training {unit}s so far", series, axes,
                   xAxis={"type": "value", "min": 0, "name": f"training {unit}s", "nameLocation": "middle",
                          "nameGap": 26, "axisLabel": {"fontSize": 12}})
    option.pop("graphic", None)
    option = panels(option, [])
    for k, (name, price) in enumerate((("Nash", b.nash_price), ("monopoly", b.monopoly_price))):
        option["series"][1]["markLine"]["data"].append(
            {"yAxis": round(float(np.mean(price[learners])), 4), "name": name,
             "lineStyle": {"color": BANDS[k][3], "type": "dashed"},
             "label": {"formatter": "{b}", "position": "insideEndTop", "color": BANDS[k][3]}})
    return option


BUILDERS = {"price": price, "delta": delta, "difference": difference, "learning": learning, "deviation": deviation,
            "profit": profit, "shares": shares,
            "featured": featured, "events": events, "stock": stock, "shoppers": shoppers}

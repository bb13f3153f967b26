r"""A price panel (time, seller, price; optionally cost and nash_price), checked and put on a regular grid.

A panel is long: one row per observation of a seller's posted price. It comes from a run's
``timeseries.parquet`` (``tick`` is the time) or from a user's CSV or Parquet file of observed
prices, e.g. marketplace prices scraped at irregular times. Optional columns: ``cost`` (the
seller's marginal cost) and ``nash_price`` (its static Nash price), which the markup screens need.

**The grid.** Screens read prices on a regular grid of times :math:`g_k = g_0 + k\,\Delta`,
:math:`k = 0, \dots, K`: :math:`g_0` is the first time at which every seller has been observed,
:math:`g_K` the last observation, and the step :math:`\Delta` is given (``step``) or, by default,
the median gap between consecutive distinct observation times of the panel (pooled over sellers).
A seller's price at :math:`g_k` is its last observed price at or before :math:`g_k` (posted prices
stand until they are changed). Date-time columns are measured in minutes; numeric ones in their
own unit (ticks for a run's ``tick`` column).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from market import budget
from market.errors import PanelError

REQUIRED = ("time", "seller", "price")
OPTIONAL = ("cost", "nash_price")
MIN_POINTS = 8
MAX_CELLS = 20_000_000
PAIR_BYTES = 64  # the pairwise screens' arrays per pair of sellers (correlations of changes, lags)


@dataclass(frozen=True)
class Panel:
    """Prices on a regular grid: ``price[k, i]`` is seller ``i``'s price at grid time ``time[k]``.

    ``cost`` and ``nash_price`` have the shape of ``price``, or are None where the panel lacks them.
    ``unit`` is ``"minutes"`` for date-time panels, ``"ticks"`` for a run's, else ``"time units"``.
    """

    seller: tuple[str, ...]
    time: np.ndarray
    price: np.ndarray
    cost: np.ndarray | None
    nash_price: np.ndarray | None
    step: float
    unit: str

    @property
    def n_sellers(self) -> int:
        return len(self.seller)

    @property
    def n_times(self) -> int:
        return self.time.shape[0]

    def describe_grid(self) -> str:
        """E.g. ``2,016 points every 10 minutes (last observation carried forward)``."""
        return f"{self.n_times:,} points every {self.step:g} {self.unit} (last observation carried forward)"


def read_panel(path: str | Path) -> pl.DataFrame:
    """The rows of a CSV or Parquet panel. A run's ``timeseries.parquet`` gets ``cost`` and ``nash_price``
    from the ``sellers.parquet`` beside it (each seller's cost at the end of the run and static Nash price)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise PanelError(f"panel {str(path)!r}: must be a .csv or .parquet file")
    if not path.is_file():
        raise PanelError(f"panel {str(path)!r}: no such file")
    try:
        if path.suffix.lower() == ".csv":
            return pl.read_csv(path, try_parse_dates=True, infer_schema_length=None)
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PanelError(f"panel {str(path)!r}: cannot be read ({reason})") from None
    sellers = path.with_name("sellers.parquet")
    if path.name == "timeseries.parquet" and sellers.is_file() and "cost" not in frame.columns:
        extra = pl.read_parquet(sellers).select("seller", "cost", "nash_price")
        frame = frame.join(extra, on="seller", how="left", maintain_order="left")
    return frame


def panel_from_frame(frame: pl.DataFrame, step: float | None = None, where: str = "panel") -> Panel:
    """Check the rows of ``frame`` and put them on the grid; ``PanelError`` names the first problem.

    Checked: the columns ``time`` (or a run's ``tick``), ``seller``, ``price`` are present; prices
    are numbers > 0, costs numbers >= 0, Nash prices numbers > 0, none missing; rows are sorted by
    time with one row per (time, seller); there are at least two sellers; the grid has at least
    ``MIN_POINTS`` points.
    """
    ticks = "time" not in frame.columns and "tick" in frame.columns
    if ticks:
        frame = frame.rename({"tick": "time"})
    for name in REQUIRED:
        if name not in frame.columns:
            raise PanelError(f"{where}: no column {name!r}; a panel needs columns time (or tick), seller, price "
                             f"and may have cost, nash_price (columns found: {', '.join(frame.columns)})")
    columns = [name for name in REQUIRED + OPTIONAL if name in frame.columns]
    frame = frame.select(columns).with_columns(pl.col("seller").cast(pl.String))
    if frame.height == 0:
        raise PanelError(f"{where}: no rows")
    time, unit = _time_values(frame, where)
    unit = "ticks" if ticks else unit
    seller = frame["seller"]
    _no_missing(frame, "seller", where)
    values = {name: _numbers(frame, name, where) for name in columns if name in ("price",) + OPTIONAL}
    _check_order(time, seller.to_numpy(), where)
    names = tuple(dict.fromkeys(seller.to_list()))
    if len(names) < 2:
        raise PanelError(f"{where}: seller: only one seller ({names[0]!r}); screens compare sellers: need at "
                         f"least 2")
    return _on_grid(time, seller.to_numpy(), names, values, step, unit, where)


def _time_values(frame: pl.DataFrame, where: str) -> tuple[np.ndarray, str]:
    """Times as float64: minutes since the epoch for dates and date-times, else the column's numbers."""
    _no_missing(frame, "time", where)
    column = frame["time"]
    if column.dtype == pl.String:
        try:
            parsed = column.str.to_datetime(strict=False)
        except pl.exceptions.ComputeError:  # no date-time format fits the first values
            parsed = pl.Series([None] * column.len(), dtype=pl.Datetime)
        if parsed.is_null().any():
            row = int(parsed.is_null().arg_true()[0])
            raise PanelError(f"{where}: time = {column[row]!r} (row {row + 1}): must be a number or a date-time "
                             f"(e.g. 2024-05-01 10:20:00)")
        column = parsed
    if column.dtype == pl.Date:
        column = column.cast(pl.Datetime("ms"))
    if isinstance(column.dtype, pl.Datetime):
        minutes = column.dt.replace_time_zone(None).dt.epoch("ms").to_numpy() / 60_000.0
        return minutes.astype(np.float64), "minutes"
    return _numbers(frame, "time", where), "time units"


def _no_missing(frame: pl.DataFrame, name: str, where: str) -> None:
    missing = frame[name].is_null()
    if missing.any():
        raise PanelError(f"{where}: {name} is missing at row {int(missing.arg_true()[0]) + 1}")


_ALLOWED = {"price": ("a number > 0", lambda v: v > 0.0), "cost": ("a number >= 0", lambda v: v >= 0.0),
            "nash_price": ("a number > 0", lambda v: v > 0.0), "time": ("a number or a date-time", np.isfinite)}


def _numbers(frame: pl.DataFrame, name: str, where: str) -> np.ndarray:
    """Column ``name`` as float64; the first non-numeric, missing, non-finite or out-of-range value is named."""
    allowed, valid = _ALLOWED[name]
    column = frame[name]
    _no_missing(frame, name, where)
    if column.dtype.is_temporal():
        raise PanelError(f"{where}: {name} = {column[0]!r} (row 1): must be {allowed}")
    numbers = column.cast(pl.Float64, strict=False)
    bad = numbers.is_null() & column.is_not_null()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise PanelError(f"{where}: {name} = {column[row]!r} (row {row + 1}): must be {allowed}")
    values = numbers.to_numpy()
    bad = ~(np.isfinite(values) & valid(values))
    if bad.any():
        row = int(np.argmax(bad))
        raise PanelError(f"{where}: {name} = {float(values[row])!r} (row {row + 1}): must be {allowed}")
    return values


def _check_order(time: np.ndarray, seller: np.ndarray, where: str) -> None:
    """Rows sorted by time, and no (time, seller) twice."""
    back = np.flatnonzero(np.diff(time) < 0)
    if back.size:
        row = int(back[0]) + 2
        raise PanelError(f"{where}: time at row {row} ({time[row - 1]:g}) is before row {row - 1}'s "
                         f"({time[row - 2]:g}): rows must be sorted by time")
    order = np.lexsort((seller, time))
    same = (np.diff(time[order]) == 0) & (seller[order][1:] == seller[order][:-1])
    if same.any():
        first, second = sorted((int(order[np.argmax(same)]), int(order[np.argmax(same) + 1])))
        raise PanelError(f"{where}: (time, seller) = ({time[first]:g}, {seller[first]!r}) appears at rows "
                         f"{first + 1} and {second + 1}: one price per seller and time")


def _on_grid(time: np.ndarray, seller: np.ndarray, names: tuple[str, ...], values: dict[str, np.ndarray],
             step: float | None, unit: str, where: str) -> Panel:
    """Last observation carried forward onto the grid from the time every seller is seen to the last row."""
    distinct = np.unique(time)
    if step is None:
        gaps = np.diff(distinct)
        step = float(np.median(gaps)) if gaps.size else 0.0
    if not (np.isfinite(step) and step > 0.0):
        raise PanelError(f"{where}: grid step = {step:g}: must be > 0 (the panel needs at least two distinct times, "
                         f"or give a step)")
    code = np.unique(seller, return_inverse=True)[1]  # each row's seller, in sorted order of names
    by_name = np.argsort(np.array(names))  # names (first-seen order) in sorted order
    order = np.argsort(code, kind="stable")  # rows seller by seller, each seller's in time order
    bounds = np.searchsorted(code[order], np.arange(len(names) + 1))
    rows = [order[bounds[k]:bounds[k + 1]] for k in np.argsort(by_name)]
    start = time[order[bounds[:-1]]].max()
    points = int(np.floor((time[-1] - start) / step + 1e-9)) + 1
    if points < MIN_POINTS or points * len(names) > MAX_CELLS:
        raise PanelError(f"{where}: the grid from the time every seller is seen ({start:g}) to the last row "
                         f"({time[-1]:g}) every {step:g} {unit} has {points:,} points: need {MIN_POINTS} to "
                         f"{MAX_CELLS // len(names):,} (choose another step)")
    budget.require(PAIR_BYTES * len(names) ** 2, f"the screens' pairwise measures of {len(names):,} sellers",
                   "screen fewer sellers (a market at a time)")
    grid = start + step * np.arange(points)
    series = {name: np.empty((points, len(names))) for name in values}
    for i, r in enumerate(rows):
        latest = r[np.searchsorted(time[r], grid + 1e-9 * step, side="right") - 1]
        for name, column in values.items():
            series[name][:, i] = column[latest]
    return Panel(seller=names, time=grid, price=series["price"], cost=series.get("cost"),
                 nash_price=series.get("nash_price"), step=step, unit=unit)

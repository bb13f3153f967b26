r"""The one reader of observed price panels: a CSV or Parquet file (or a polars frame) to checked, sorted rows.

A panel is long: one row per observation of a seller's posted price,

- ``time``: date-times (with or without a time zone; a zone is converted to UTC), dates, date-time
  text such as ``2024-05-01 10:20`` or ``2024-05-01T10:20:00+02:00``, or numbers (a run's ``tick``
  column is read as ``time``); irregular times and missing observations are expected;
- ``seller``: any text;
- ``price``: a number > 0; an empty price is a missing observation (the row is dropped, and said);

and optionally ``cost`` (number >= 0, the seller's marginal cost then; empty where not known, e.g. for
the sellers whose costs a case team did not obtain), ``quantity`` (>= 0, units sold; empty: unknown),
``buy_box`` (the featured seller at that time: its name, or true/false for the row's seller),
``channel`` (platform, web or both), ``role`` (platform, retailer or brand; a run's files have it),
``owner`` (the firm that owns the seller: sellers of one owner price jointly; one owner per seller)
and ``nash_price`` (its static Nash price, > 0). Other columns are ignored.

Rows may come in any order: they are sorted by time (and said so). Two rows for one (time, seller)
are refused with their count, unless ``duplicates`` is ``"last"`` (the last row in the file wins) or
``"mean"`` (numbers averaged). Whatever cannot be read is one :class:`~market.errors.PanelError`
line naming the file, the column, the row and the value, raised before any work.

Date-times become minutes since 1970-01-01 00:00 (UTC for zoned times; naive times as written);
numbers stay in their own unit (``unit``: ``"minutes"``, ``"ticks"`` for a run's tick column, else
``"time units"``). :func:`read_table` and :func:`numbers` are the pieces other panel readers reuse
(the product panels of ``pricelab calibrate``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from market import budget
from market.column_numbers import read_numbers
from market.errors import PanelError

REQUIRED = ("time", "seller", "price")
OPTIONAL = ("cost", "quantity", "buy_box", "channel", "role", "owner", "nash_price")
DUPLICATES = ("last", "mean")
UNKNOWABLE = ("cost", "quantity")  # an empty cell: not known for that seller and time
BYTES_PER_ROW = 120       # a row held as the frame and the arrays built from it (generous)
CSV_BYTES_FACTOR = 3      # memory of a parsed CSV per byte of text (generous)
ALLOWED = {"price": ("a number > 0", lambda v: v > 0.0), "cost": ("a number >= 0", lambda v: v >= 0.0),
           "quantity": ("a number >= 0", lambda v: v >= 0.0), "nash_price": ("a number > 0", lambda v: v > 0.0),
           "time": ("a number or a date-time", np.isfinite)}


@dataclass(frozen=True)
class Observations:
    """Checked observations sorted by time: row ``r`` is seller ``seller[index[r]]``'s price at ``time[r]``.

    ``cost``, ``quantity``, ``nash_price`` are per row (None where the panel lacks them); ``featured`` is
    per row, whether the row's seller held the Buy Box at that time (None: unknown). ``channel``,
    ``role`` and ``owner`` are per seller (None entries where not given). ``notes`` say what the reader
    did that a user should know (rows sorted, duplicates merged, empty prices dropped).
    """

    source: str
    seller: tuple[str, ...]
    index: np.ndarray
    time: np.ndarray
    unit: str
    price: np.ndarray
    cost: np.ndarray | None = None
    quantity: np.ndarray | None = None
    nash_price: np.ndarray | None = None
    featured: np.ndarray | None = None
    channel: tuple[str | None, ...] | None = None
    role: tuple[str | None, ...] | None = None
    owner: tuple[str | None, ...] | None = None
    zoned: bool = False
    notes: tuple[str, ...] = ()

    @property
    def n_sellers(self) -> int:
        return len(self.seller)

    @property
    def n_rows(self) -> int:
        return self.time.shape[0]

    def platform(self) -> int:
        """The index of the seller whose role is ``platform`` (-1 if none is named)."""
        roles = self.role or ()
        return next((i for i, r in enumerate(roles) if r == "platform"), -1)


def read(path: str | Path, duplicates: str | None = None, min_sellers: int = 2) -> Observations:
    """The observations in a CSV or Parquet panel (module docstring); ``PanelError`` for what cannot be read."""
    return observations(read_table(path), where=str(path), duplicates=duplicates, min_sellers=min_sellers)


def read_table(path: str | Path, what: str = "panel") -> pl.DataFrame:
    """The rows of a CSV or Parquet file, within the memory budget; ``PanelError`` naming the file otherwise.

    A run's ``timeseries.parquet`` gets ``cost`` and ``nash_price`` from the ``sellers.parquet`` beside it
    (each seller's cost at the end of the run and its static Nash price).
    """
    path = Path(path)
    where = f"{what} {str(path)!r}"
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise PanelError(f"{where}: must be a .csv or .parquet file")
    if not path.is_file():
        raise PanelError(f"{where}: no such file")
    try:
        if suffix == ".csv":
            _require(path.stat().st_size * CSV_BYTES_FACTOR, where)
            frame = pl.read_csv(path, try_parse_dates=True, infer_schema_length=None)
        else:
            _require(pl.scan_parquet(path).select(pl.len()).collect().item() * BYTES_PER_ROW, where)
            frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PanelError(f"{where}: cannot be read ({reason})") from None
    sellers = path.with_name("sellers.parquet")
    if path.name == "timeseries.parquet" and sellers.is_file() and "cost" not in frame.columns:
        extra = pl.read_parquet(sellers).select("seller", "cost", "nash_price")
        frame = frame.join(extra, on="seller", how="left", maintain_order="left")
    return frame


def count_rows(path: str | Path) -> int:
    """Rows of a CSV (lines after the header, counted without parsing) or Parquet file (from its metadata), to
    refuse a panel beyond a budget before reading it; ``PanelError`` as :func:`read_table` for a bad file."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".parquet") or not path.is_file():
        read_table(path)
    try:
        if path.suffix.lower() == ".parquet":
            return int(pl.scan_parquet(path).select(pl.len()).collect().item())
        lines, last = 0, b"\n"
        with open(path, "rb") as handle:
            while chunk := handle.read(2**24):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        return max(lines + (last != b"\n") - 1, 0)
    except (pl.exceptions.PolarsError, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PanelError(f"panel {str(path)!r}: cannot be read ({reason})") from None


def _require(need: float, where: str) -> None:
    try:
        budget.require(need, f"{where}:", "split the panel by time or raise --max-memory")
    except budget.BudgetError as err:
        raise PanelError(str(err)) from None


def observations(frame: pl.DataFrame, where: str = "panel", duplicates: str | None = None,
                 min_sellers: int = 2) -> Observations:
    """Check the rows of ``frame`` and sort them by time (module docstring); ``PanelError`` names the first
    problem. ``min_sellers``: fewer distinct sellers are refused (screens and inference compare sellers)."""
    if duplicates not in (None, *DUPLICATES):
        raise PanelError(f"--duplicates {duplicates!r}: must be one of {', '.join(DUPLICATES)}")
    unit = "ticks" if "time" not in frame.columns and "tick" in frame.columns else None
    if unit:
        frame = frame.rename({"tick": "time"})
    for name in REQUIRED:
        if name not in frame.columns:
            raise PanelError(f"{where}: no column {name!r}; a panel needs columns time (or tick), seller, price "
                             f"and may have {', '.join(OPTIONAL)} (columns found: {', '.join(frame.columns)})")
    _require(frame.height * BYTES_PER_ROW, where)
    frame = frame.select([c for c in REQUIRED + OPTIONAL if c in frame.columns])
    if frame.height == 0:
        raise PanelError(f"{where}: no rows")
    notes = []
    frame = frame.with_columns(pl.col("seller").cast(pl.String))
    no_missing(frame, "seller", where)
    time, time_unit, zoned = time_values(frame, where)
    unit = unit or time_unit
    frame = frame.with_columns(pl.Series("time", time), pl.int_range(pl.len()).alias("_row"))
    empty = frame["price"].is_null()
    if empty.any():
        notes.append(f"{int(empty.sum()):,} rows without a price read as missing observations")
        frame = frame.filter(~empty)
    values = {name: numbers(frame, name, where, empty=name in UNKNOWABLE)
              for name in ("price", "cost", "quantity", "nash_price") if name in frame.columns}
    frame = frame.with_columns(**{name: pl.Series(name, v) for name, v in values.items()})
    if not bool((np.diff(frame["time"].to_numpy()) >= 0).all()):
        notes.append("rows were not in time order: sorted by time")
    frame = frame.sort(["time", "_row"], maintain_order=True)
    frame = _one_per_time(frame, where, unit, duplicates, notes)
    names = tuple(dict.fromkeys(frame["seller"].to_list()))
    if len(names) < min_sellers:
        raise PanelError(f"{where}: seller: only {len(names)} seller{'s' if len(names) != 1 else ''} "
                         f"({', '.join(map(repr, names))}); need at least {min_sellers} to compare sellers")
    index = frame["seller"].replace_strict(names, list(range(len(names))), return_dtype=pl.Int64).to_numpy()
    return Observations(
        source=where, seller=names, index=index, time=frame["time"].to_numpy(), unit=unit,
        price=frame["price"].to_numpy(), cost=_column(frame, "cost"), quantity=_column(frame, "quantity"),
        nash_price=_column(frame, "nash_price"), featured=_featured(frame, names, where),
        channel=_per_seller(frame, "channel", names, where, ("platform", "web", "both")),
        role=_per_seller(frame, "role", names, where, ("platform", "retailer", "brand")),
        owner=_per_seller(frame, "owner", names, where, None), zoned=zoned, notes=tuple(notes))


def moment(value: float, unit: str) -> str:
    """A time as the panel gives it: ``2024-05-01 10:20`` for date-time panels, else the number."""
    if unit != "minutes":
        return f"{value:g}"
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(minutes=float(value))).strftime("%Y-%m-%d %H:%M")


def _column(frame: pl.DataFrame, name: str) -> np.ndarray | None:
    return frame[name].to_numpy().astype(np.float64) if name in frame.columns else None


def time_values(frame: pl.DataFrame, where: str) -> tuple[np.ndarray, str, bool]:
    """``(times, unit, zoned)``: float64 minutes since the epoch for date-times (UTC if zoned), else the numbers."""
    no_missing(frame, "time", where)
    column = frame["time"]
    if column.dtype == pl.String:
        parsed = _parse_text_times(column)
        numeric = column.str.strip_chars().cast(pl.Float64, strict=False)
        if numeric.null_count() < parsed.null_count():
            parsed = numeric
        if parsed.is_null().any():
            row = int(parsed.is_null().arg_true()[0])
            raise PanelError(f"{where}: time = {column[row]!r} (row {row + 1}): must be a number or a date-time "
                             f"(e.g. 2024-05-01 10:20:00)")
        column = parsed
    if column.dtype == pl.Date:
        column = column.cast(pl.Datetime("ms"))
    if isinstance(column.dtype, pl.Datetime):
        zoned = column.dtype.time_zone is not None
        if zoned:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return column.dt.epoch("ms").to_numpy().astype(np.float64) / 60_000.0, "minutes", zoned
    if column.dtype == pl.Boolean or not (column.dtype.is_numeric()):
        raise PanelError(f"{where}: time = {column[0]!r} (row 1): must be a number or a date-time "
                         f"(the column holds {column.dtype})")
    return numbers(frame, "time", where), "time units", False


def _parse_text_times(column: pl.Series) -> pl.Series:
    """Date-time text to date-times (zoned text to UTC); nulls where no format fits."""
    text = column.str.strip_chars()
    for zoned in (False, True):
        try:
            parsed = text.str.to_datetime(strict=False, time_zone="UTC" if zoned else None)
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
            continue
        if not parsed.is_null().all():
            return parsed
    return pl.Series([None] * column.len(), dtype=pl.Datetime)


def no_missing(frame: pl.DataFrame, name: str, where: str) -> None:
    """``PanelError`` naming the first row where column ``name`` is empty."""
    missing = frame[name].is_null()
    if missing.any():
        raise PanelError(f"{where}: {name} is missing at row {_row(frame, int(missing.arg_true()[0]))}")


def _row(frame: pl.DataFrame, position: int) -> int:
    """The file's row number (from 1, header not counted) of the frame's row at ``position``."""
    return int(frame["_row"][position]) + 1 if "_row" in frame.columns else position + 1


def numbers(frame: pl.DataFrame, name: str, where: str, allowed: tuple[str, object] | None = None,
            empty: bool = False) -> np.ndarray:
    """Column ``name`` as float64; the first non-numeric, non-finite or out-of-range value is named, and the first
    missing one unless ``empty`` (then it is NaN: unknown).

    ``allowed``: ``(words, test)`` of the values allowed (default: :data:`ALLOWED` for the panel's columns).
    """
    words, valid = allowed or ALLOWED[name]
    numbers, bad = read_numbers(frame[name], valid, missing_ok=empty)
    if bad is None:
        return numbers
    if bad.value is None:
        raise PanelError(f"{where}: {name} is missing at row {_row(frame, bad.row)}")
    raise PanelError(f"{where}: {name} = {bad.value!r} (row {_row(frame, bad.row)}): must be {words}")


def _one_per_time(frame: pl.DataFrame, where: str, unit: str, duplicates: str | None,
                  notes: list[str]) -> pl.DataFrame:
    """Refuse (time, seller) pairs given twice, or keep the last row of each, or average them."""
    repeated = frame.select(pl.struct("time", "seller").is_duplicated()).to_series()
    if not repeated.any():
        return frame
    twice = frame.filter(repeated)
    pairs = twice.select("time", "seller").n_unique()
    extra = twice.height - pairs
    if duplicates is None:
        first = twice.row(0, named=True)
        rows = twice.filter((pl.col("time") == first["time"]) & (pl.col("seller") == first["seller"]))["_row"]
        raise PanelError(f"{where}: {extra:,} rows repeat a (time, seller) pair, e.g. "
                         f"({moment(first['time'], unit)}, {first['seller']!r}) at rows {rows[0] + 1} and "
                         f"{rows[1] + 1}: give one price per seller and time, or choose --duplicates last or "
                         f"--duplicates mean")
    numeric = [c for c in ("price", "cost", "quantity", "nash_price") if c in frame.columns]
    other = [c for c in frame.columns if c not in ("time", "seller", "_row", *numeric)]
    merge = [pl.col(c).mean() for c in numeric] if duplicates == "mean" else [pl.col(c).last() for c in numeric]
    frame = frame.group_by("time", "seller", maintain_order=True).agg(
        *merge, *[pl.col(c).last() for c in other], pl.col("_row").last())
    kept = "the last row kept" if duplicates == "last" else "their numbers averaged"
    notes.append(f"{extra:,} rows repeating a (time, seller) pair merged ({kept})")
    return frame.sort(["time", "_row"], maintain_order=True)


def _per_seller(frame: pl.DataFrame, name: str, names: tuple[str, ...], where: str,
                allowed: tuple[str, ...] | None) -> tuple[str | None, ...] | None:
    """One value of text column ``name`` per seller (None where never given); two values for a seller refused."""
    if name not in frame.columns:
        return None
    column = frame[name].cast(pl.String)
    if allowed is not None:
        bad = column.is_not_null() & ~column.is_in(list(allowed))
        if bad.any():
            k = int(bad.arg_true()[0])
            raise PanelError(f"{where}: {name} = {column[k]!r} (row {_row(frame, k)}): must be one of "
                             f"{', '.join(allowed)}")
    values = pl.DataFrame({"seller": frame["seller"], name: column}).drop_nulls().unique(maintain_order=True)
    twice = values.filter(pl.col("seller").is_duplicated())
    if twice.height:
        seller = twice["seller"][0]
        given = twice.filter(pl.col("seller") == seller)[name].to_list()
        raise PanelError(f"{where}: {name} of seller {seller!r} is given as {given[0]!r} and {given[1]!r}: one "
                         f"{name} per seller")
    lookup = dict(values.iter_rows())
    return tuple(lookup.get(n) for n in names)


def _featured(frame: pl.DataFrame, names: tuple[str, ...], where: str) -> np.ndarray | None:
    """Per row, whether the row's seller held the Buy Box: from a boolean column, or from the featured seller's
    name (empty: none featured)."""
    if "buy_box" not in frame.columns:
        return None
    column = frame["buy_box"]
    if column.dtype == pl.Boolean:
        return column.fill_null(False).to_numpy()
    column = column.cast(pl.String)
    unknown = column.is_not_null() & ~column.is_in(list(names))
    if unknown.any():
        k = int(unknown.arg_true()[0])
        raise PanelError(f"{where}: buy_box = {column[k]!r} (row {_row(frame, k)}): must name a seller of the "
                         f"panel (or be empty, or true/false for the row's seller)")
    return (column == frame["seller"]).fill_null(False).to_numpy()

r"""A product panel: one row per product and market (prices, market shares, firms), checked at the edge.

Columns (pyblp's names are accepted too, so ``pricelab export --format pyblp`` reads back):

========================  ======================================================================
``market``                the market (a city-quarter, a day): ``market_ids``
``product``               the product, or ``seller``: ``product_ids``
``firm``                  who sets its price (optional; default: every product its own firm): ``firm_ids``
``price``                 > 0: ``prices``
``share``                 inside share in (0, 1), summing below 1 in each market: ``shares``;
                          or ``quantity`` (units) with ``market_size`` (potential units, one per market)
``cost``                  marginal cost >= 0 (optional; missing values are backed out of the first-order
                          conditions): ``costs``
instruments               ``demand_instruments0``, ``demand_instruments1``, ... or ``instrument*``, or named
characteristics           any other numeric column, named as exogenous regressors
========================  ======================================================================

The outside option's share is :math:`s_0 = 1 - \sum_j s_j` in each market. Every problem is one line naming the
market and the product (``CalibrationError``), before any estimate is made.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from market.column_numbers import read_numbers
from market.errors import CalibrationError

ALIASES = {"market": ("market", "market_ids"), "product": ("product", "product_ids", "seller", "car_ids"),
           "firm": ("firm", "firm_ids"), "price": ("price", "prices", "mean_price"),
           "share": ("share", "shares", "market_share"), "quantity": ("quantity", "units"),
           "market_size": ("market_size",), "cost": ("cost", "costs", "marginal_cost")}
INSTRUMENT = re.compile(r"^(demand_instruments\d+|instrument\w*)$")
SHIPPED = {"pyblp:nevo": "NEVO_PRODUCTS_LOCATION", "pyblp:blp": "BLP_PRODUCTS_LOCATION"}
MAX_ROWS = 10_000_000


@dataclass(frozen=True)
class ProductPanel:
    """A checked product panel, rows sorted by market (in the order first seen) then as given.

    ``firm`` holds each row's firm (every product its own firm where the panel gives none); ``cost`` is NaN
    where not observed; ``instruments`` and ``characteristics`` are (rows, k) arrays with their column names.
    ``market_size`` is NaN where the panel gives shares without a size.
    """

    source: str
    market: np.ndarray
    product: np.ndarray
    firm: np.ndarray
    price: np.ndarray
    share: np.ndarray
    cost: np.ndarray
    market_size: np.ndarray
    instruments: np.ndarray
    instrument_names: tuple[str, ...]
    characteristics: np.ndarray
    characteristic_names: tuple[str, ...]
    firm_given: bool

    @property
    def markets(self) -> list[str]:
        """The markets, in the order first seen."""
        return list(dict.fromkeys(self.market.tolist()))

    def rows_of(self, market: str) -> np.ndarray:
        return np.flatnonzero(self.market == market)

    def outside_share(self) -> np.ndarray:
        """Each row's market's outside share, :math:`s_0 = 1 - \\sum_j s_j`."""
        _, inverse = np.unique(self.market, return_inverse=True)
        inside = np.bincount(inverse, weights=self.share)
        return 1.0 - inside[inverse]


def read_frame(source: str | Path) -> tuple[pl.DataFrame, str]:
    """The rows of a CSV or Parquet file, or of a data set a package ships (``pyblp:nevo``: Nevo's cereal data;
    ``pyblp:blp``: Berry, Levinsohn and Pakes's automobiles), and a name for it."""
    text = str(source)
    if text in SHIPPED:
        try:
            import pyblp
        except ImportError:
            raise CalibrationError(f"panel {text!r}: needs pyblp, which ships it (pip install -e '.[calibrate]')") \
                from None
        path = Path(getattr(pyblp.data, SHIPPED[text]))
        return pl.read_csv(path, infer_schema_length=None), text
    path = Path(text)
    if text.startswith("pyblp:"):
        raise CalibrationError(f"panel {text!r}: pyblp ships {', '.join(SHIPPED)}")
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise CalibrationError(f"panel {text!r}: must be a .csv or .parquet file, or one of {', '.join(SHIPPED)}")
    if not path.is_file():
        raise CalibrationError(f"panel {text!r}: no such file")
    try:
        frame = pl.read_csv(path, infer_schema_length=None) if path.suffix.lower() == ".csv" else \
            pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CalibrationError(f"panel {text!r}: cannot be read ({reason})") from None
    return frame, text


def read_product_panel(source: str | Path, instruments: list[str] | None = None,
                       characteristics: list[str] | None = None, owners: dict[str, str] | None = None,
                       single_product_firms: bool = False) -> ProductPanel:
    """Read and check a product panel (module docstring); ``CalibrationError`` names the first problem.

    ``instruments``: the columns that instrument the price (default: ``demand_instruments*`` and
    ``instrument*``; the column ``price`` itself states that prices are exogenous); ``characteristics``:
    exogenous regressors; ``owners``: product -> firm stated by the user, which must agree with a firm
    column; ``single_product_firms``: every product its own firm, whatever the firm column says.
    """
    frame, name = read_frame(source)
    return product_panel_from_frame(frame, name, instruments, characteristics, owners, single_product_firms)


def product_panel_from_frame(frame: pl.DataFrame, where: str = "panel", instruments: list[str] | None = None,
                             characteristics: list[str] | None = None, owners: dict[str, str] | None = None,
                             single_product_firms: bool = False) -> ProductPanel:
    """:func:`read_product_panel` for rows already read."""
    source, where = where, f"panel {where!r}"
    columns = _canonical(frame, where)
    if frame.height == 0:
        raise CalibrationError(f"{where}: no rows")
    if frame.height > MAX_ROWS:
        raise CalibrationError(f"{where}: {frame.height:,} rows; at most {MAX_ROWS:,}")
    for needed in ("market", "product", "price"):
        if needed not in columns:
            raise CalibrationError(f"{where}: no column {needed!r} (or {', '.join(ALIASES[needed][1:])}); a product "
                                   f"panel needs market, product, price and share (or quantity with market_size)")
    if "share" not in columns and not {"quantity", "market_size"} <= columns.keys():
        raise CalibrationError(f"{where}: no column 'share' (or 'shares'), nor 'quantity' with 'market_size': "
                               f"calibration needs each product's market share, or its quantity and the market's "
                               f"size (columns found: {', '.join(frame.columns)})")
    market = _labels(frame, columns["market"], "market", where)
    product = _labels(frame, columns["product"], "product", where)
    rows = Rows(where, market, product)
    rows.check_unique()
    price = rows.numbers(frame, columns["price"], "price", lambda v: v > 0, "a number > 0")
    size = np.full(frame.height, np.nan)
    if "market_size" in columns:
        size = rows.numbers(frame, columns["market_size"], "market_size", lambda v: v > 0, "a number > 0")
        rows.check_constant(size, "market_size")
    if "share" in columns:
        share = rows.numbers(frame, columns["share"], "share", lambda v: (v > 0) & (v < 1),
                             "a share in (0, 1): the logit inversion needs ln s > -inf (drop a product that sold "
                             "nothing from that market)")
    else:
        quantity = rows.numbers(frame, columns["quantity"], "quantity", lambda v: v > 0,
                                "a number > 0: the logit inversion needs ln s > -inf (drop a product that sold "
                                "nothing from that market)")
        share = quantity / size
    rows.check_markets(share)
    cost = np.full(frame.height, np.nan)
    if "cost" in columns:
        cost = rows.numbers(frame, columns["cost"], "cost", lambda v: v >= 0, "a number >= 0 (or empty: backed "
                            "out of the first-order conditions)", missing_ok=True)
    firm = _firms(frame, columns.get("firm"), rows, owners or {}, single_product_firms)
    names = _instrument_names(frame, columns, instruments, where)
    z = np.column_stack([price if n == "price" else rows.numbers(frame, n, n, np.isfinite, "a finite number")
                         for n in names]) if names else np.zeros((frame.height, 0))
    chars = list(characteristics or [])
    for c in chars:
        if c not in frame.columns:
            raise CalibrationError(f"{where}: --characteristics {c!r}: no such column (columns: "
                                   f"{', '.join(frame.columns)})")
    x = np.column_stack([rows.numbers(frame, c, c, np.isfinite, "a finite number") for c in chars]) if chars \
        else np.zeros((frame.height, 0))
    order = np.argsort(_first_seen(market), kind="stable")
    return ProductPanel(source=source, market=market[order], product=product[order],
                        firm=firm[order], price=price[order], share=share[order], cost=cost[order],
                        market_size=size[order], instruments=z[order], instrument_names=tuple(names),
                        characteristics=x[order], characteristic_names=tuple(chars),
                        firm_given=("firm" in columns or bool(owners)) and not single_product_firms)


class Rows:
    """Names the market and product of a row in errors."""

    def __init__(self, where: str, market: np.ndarray, product: np.ndarray):
        self.where, self.market, self.product = where, market, product

    def at(self, row: int) -> str:
        return f"{self.where}: market {self.market[row]}, product {self.product[row]}"

    def check_unique(self) -> None:
        seen: dict[tuple[str, str], int] = {}
        for row, key in enumerate(zip(self.market.tolist(), self.product.tolist(), strict=True)):
            if key in seen:
                raise CalibrationError(f"{self.at(row)}: appears at rows {seen[key] + 1} and {row + 1}: one row per "
                                       f"product and market")
            seen[key] = row

    def numbers(self, frame: pl.DataFrame, column: str, field: str, valid, allowed: str,
                missing_ok: bool = False) -> np.ndarray:
        """Column ``column`` as float64; the first missing (unless ``missing_ok``: NaN), non-numeric, non-finite
        or invalid value is named with its market and product."""
        numbers, bad = read_numbers(frame[column], valid, missing_ok)
        if bad is not None:
            given = "is missing" if bad.value is None else f"= {bad.value!r}"
            raise CalibrationError(f"{self.at(bad.row)}: {field} {given}: must be {allowed}")
        return numbers

    def check_constant(self, values: np.ndarray, field: str) -> None:
        for m in dict.fromkeys(self.market.tolist()):
            rows = np.flatnonzero(self.market == m)
            differ = rows[values[rows] != values[rows[0]]]
            if differ.size:
                raise CalibrationError(f"{self.at(differ[0])}: {field} = {values[differ[0]]:g} but "
                                       f"{values[rows[0]]:g} for product {self.product[rows[0]]}: one size per market")

    def check_markets(self, share: np.ndarray) -> None:
        """At least two products in a market, inside shares summing below 1."""
        for m in dict.fromkeys(self.market.tolist()):
            rows = np.flatnonzero(self.market == m)
            if rows.size < 2:
                raise CalibrationError(f"{self.at(rows[0])}: the only product of its market: a market needs at "
                                       f"least 2 products (drop the market, or pool it with others)")
            total = share[rows].sum()
            if not total < 1.0:
                top = rows[np.argmax(share[rows])]
                raise CalibrationError(f"{self.where}: market {m}: inside shares sum to {total:.6g} over its "
                                       f"{rows.size} products (largest: product {self.product[top]}, "
                                       f"{share[top]:.4g}): must be < 1, the outside option's share being 1 - sum "
                                       f"(shares of what market size?)")


def _canonical(frame: pl.DataFrame, where: str) -> dict[str, str]:
    """Canonical field -> the panel's column; ``CalibrationError`` if two columns name one field."""
    found = {}
    for field, names in ALIASES.items():
        present = [n for n in names if n in frame.columns]
        if len(present) > 1:
            raise CalibrationError(f"{where}: columns {' and '.join(map(repr, present))} both give {field}: keep one")
        if present:
            found[field] = present[0]
    return found


def _labels(frame: pl.DataFrame, column: str, field: str, where: str) -> np.ndarray:
    values = frame[column]
    if values.is_null().any():
        row = int(values.is_null().arg_true()[0])
        raise CalibrationError(f"{where}: {field} is missing at row {row + 1}")
    if values.dtype.is_float():
        whole = values.to_numpy()
        if np.all(whole == np.floor(whole)):
            values = values.cast(pl.Int64)
    return np.array(values.cast(pl.String).to_list(), dtype=object)


def _first_seen(market: np.ndarray) -> np.ndarray:
    """Each row's market's position in the order markets are first seen."""
    order = {m: k for k, m in enumerate(dict.fromkeys(market.tolist()))}
    return np.array([order[m] for m in market.tolist()])


def _firms(frame: pl.DataFrame, column: str | None, rows: Rows, owners: dict[str, str],
           single_product_firms: bool) -> np.ndarray:
    """Each row's firm: the firm column, the owners stated (which must agree with it), else the product itself."""
    product = rows.product
    if single_product_firms:
        return product.copy()
    firm = _labels(frame, column, "firm", rows.where) if column else np.array([None] * product.size, dtype=object)
    unknown = set(owners) - set(product.tolist())
    if unknown:
        raise CalibrationError(f"--owner {sorted(unknown)[0]}={owners[sorted(unknown)[0]]}: no product "
                               f"{sorted(unknown)[0]!r} in {rows.where}")
    for row, p in enumerate(product.tolist()):
        stated = owners.get(p)
        if stated is not None and firm[row] is not None and firm[row] != stated:
            raise CalibrationError(f"{rows.at(row)}: firm = {firm[row]} but --owner {p}={stated}: the panel's firm "
                                   f"column and --owner disagree")
        if firm[row] is None:
            firm[row] = stated if stated is not None else p
    return firm


def _instrument_names(frame: pl.DataFrame, columns: dict[str, str], named: list[str] | None, where: str) -> list[str]:
    if named is None:
        return [c for c in frame.columns if INSTRUMENT.match(c)]
    out = []
    for n in named:
        if n in (columns["price"], "price"):
            out.append("price")
        elif n in frame.columns:
            out.append(n)
        else:
            raise CalibrationError(f"{where}: --instruments {n!r}: no such column (columns: "
                                   f"{', '.join(frame.columns)})")
    return out

r"""The twin: a calibrated market with the sellers' repricers merged in, compared with the market it copies.

**Repricers.** ``pricelab infer`` writes a scenario fragment: a TOML file of ``[[sellers]]`` tables, each with the
seller's ``name`` and what it inferred of its repricer (``strategy``, ``params``, ``period``, ``phase``, ``lag``,
``active_hours``).
:func:`merge` sets those fields on the seller of that name in a calibrated scenario (demand, qualities, costs and
owners stay the calibration's); a name that is not a seller of the market is refused.

**The check.** The twin runs through :func:`market.training.run` (the door every command measures through) over
the observed panel's span and is observed as the market was: at each observed row's time its seller's price and
whether it held the featured offer (the tick that time falls in). Both panels then go on the observed panel's grid
(every ``step``, last observation carried forward: :mod:`market.observed.grid`), so that scrape times, gaps and
the grid affect both alike and what differs is the model:

* mean price, per seller and over sellers;
* price changes per day, per seller: grid steps at which its price changed, per day of the span;
* cycle length: the mean time between rises of the lowest price (an Edgeworth cycle's restorations), in hours
  (NaN with fewer than two rises);
* Buy Box shares: the share of grid points at which each seller held the featured offer (observed: the panel's
  ``buy_box`` column, else the lowest price, the engine's rule without self-preference; twin: the engine's
  featured offer, which only offers listed on the platform can hold).
"""

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from market.calibration.scenarios import MarketFit
from market.errors import CalibrationError, PanelError, ScenarioError
from market.observed.grid import panel_from_frame
from market.observed.read import read_table
from market.results import run_id
from market.scenario import Scenario
from market.tomlfile import read_toml

FRAGMENT_FIELDS = ("strategy", "params", "period", "phase", "lag", "active_hours")
MEASURES = ("mean_price", "price_changes_per_day", "featured_share")


@dataclass(frozen=True)
class Observed:
    """Observed prices: the rows as read (``rows``: time, seller, price, buy_box where given; ``minute`` of each row
    from the first) and on their regular grid, ``price[k, i]`` of ``seller[i]`` at grid point ``k`` every ``step``
    minutes; ``holder[k]`` the index of the seller holding the featured offer (-1: none)."""

    source: str
    rows: pl.DataFrame
    minute: np.ndarray
    seller: tuple[str, ...]
    price: np.ndarray
    holder: np.ndarray
    step: float
    buy_box_observed: bool

    @property
    def days(self) -> float:
        return self.price.shape[0] * self.step / 1440.0


@dataclass(frozen=True)
class Measures:
    """A market read on a grid: per seller mean price, changes per day and Buy Box share; the cycle length."""

    mean_price: np.ndarray
    price_changes_per_day: np.ndarray
    featured_share: np.ndarray
    cycle_hours: float


@dataclass(frozen=True)
class TwinCheck:
    """The twin of one market against the observed prices."""

    market: str
    scenario: Scenario
    observed: Observed
    seller: tuple[str, ...]
    real: Measures
    twin: Measures

    def rows(self) -> list[tuple[str, str, float, float]]:
        """(seller or 'market', measure, observed, twin)."""
        out = [("market", "mean_price", float(np.mean(self.real.mean_price)), float(np.mean(self.twin.mean_price))),
               ("market", "price_changes_per_day", float(np.sum(self.real.price_changes_per_day)),
                float(np.sum(self.twin.price_changes_per_day))),
               ("market", "cycle_hours", self.real.cycle_hours, self.twin.cycle_hours)]
        for i, name in enumerate(self.seller):
            out += [(name, measure, float(getattr(self.real, measure)[i]), float(getattr(self.twin, measure)[i]))
                    for measure in MEASURES]
        return out

    def markdown(self) -> list[str]:
        o = self.observed
        holder = "the panel's buy_box column" if o.buy_box_observed else "the lowest price"
        lines = [f"## The twin of market {self.market} against {o.source}", "",
                 f"`{self.scenario.name}` with the repricers merged, run over the panel's {o.days:g} days and "
                 f"observed at its rows' times; both read every {o.step:g} minutes (last observation carried "
                 f"forward). The observed Buy Box: {holder}.", "",
                 "| seller | measure | observed | twin | twin - observed | relative |", "|---|---|---:|---:|---:|---:|"]
        lines += [f"| {who} | {measure} | {a:.4g} | {b:.4g} | {b - a:+.4g} | {_relative(a, b)} |"
                  for who, measure, a, b in self.rows()]
        return lines

    def print(self, console) -> None:
        from rich.table import Table

        grid = Table(title=f"twin of market {self.market} vs {self.observed.source} (every {self.observed.step:g} "
                           f"minutes, {self.observed.days:g} days)")
        for column in ("seller", "measure", "observed", "twin", "twin - observed"):
            grid.add_column(column, justify="left" if column in ("seller", "measure") else "right")
        for who, measure, a, b in self.rows():
            grid.add_row(who, measure, f"{a:.4g}", f"{b:.4g}", f"{b - a:+.4g}")
        console.print(grid)

    def as_dict(self) -> dict:
        return {"market": self.market, "scenario": self.scenario.name,
                "rows": [{"seller": w, "measure": m, "observed": _finite(a), "twin": _finite(b)}
                         for w, m, a, b in self.rows()]}


def _relative(observed: float, twin: float) -> str:
    """(twin - observed) / observed in percent; '-' where the observed value is 0 or not a number."""
    return f"{100 * (twin - observed) / observed:+.1f}%" if np.isfinite(observed) and observed != 0 else "-"


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def read_fragment(path: str | Path) -> list[dict]:
    """The ``[[sellers]]`` tables of a scenario fragment; ``CalibrationError`` naming the file, the table and the
    field for anything else."""
    data = read_toml(path, "repricers", CalibrationError)
    where = f"repricers file {str(path)!r}"
    unknown = set(data) - {"sellers", "tick_minutes"}
    if unknown:
        raise CalibrationError(f"{where}: {sorted(unknown)[0]}: unknown field; a fragment holds [[sellers]] tables "
                               f"(and tick_minutes)")
    sellers = data.get("sellers")
    if not isinstance(sellers, list) or not sellers or not all(isinstance(s, dict) for s in sellers):
        raise CalibrationError(f"{where}: needs [[sellers]] tables, each with a name and {', '.join(FRAGMENT_FIELDS)}")
    names = []
    for k, table in enumerate(sellers):
        if not isinstance(table.get("name"), str):
            raise CalibrationError(f"{where}: sellers[{k}].name: missing; each table names the seller it describes")
        extra = set(table) - {"name", *FRAGMENT_FIELDS}
        if extra:
            raise CalibrationError(f"{where}: sellers[{k}] ({table['name']}).{sorted(extra)[0]}: unknown field; "
                                   f"allowed: name, {', '.join(FRAGMENT_FIELDS)}")
        if table["name"] in names:
            raise CalibrationError(f"{where}: sellers[{k}].name = {table['name']!r}: given twice")
        names.append(table["name"])
    return [{**table, "_tick_minutes": data.get("tick_minutes"), "_where": where} for table in sellers]


def merge(fit: MarketFit, fragment: list[dict]) -> MarketFit:
    """The market's scenario with each fragment seller's strategy, params, period, phase and lag set."""
    scenario = fit.scenario
    data = scenario.model_dump()
    names = [s.name for s in scenario.sellers]
    for k, table in enumerate(fragment):
        where = table["_where"]
        if table["_tick_minutes"] is not None and table["_tick_minutes"] != scenario.tick_minutes:
            raise CalibrationError(f"{where}: tick_minutes = {table['_tick_minutes']!r}: the calibrated scenarios "
                                   f"tick every {scenario.tick_minutes} minutes (--tick-minutes)")
        if table["name"] not in names:
            raise CalibrationError(f"{where}: sellers[{k}].name = {table['name']!r}: no such seller in market "
                                   f"{fit.market} (sellers: {', '.join(names)})")
        seller = data["sellers"][names.index(table["name"])]
        seller.update({key: table[key] for key in FRAGMENT_FIELDS if key in table})
        if "strategy" in table and "params" not in table:
            seller["params"] = {}
    try:
        merged = Scenario.from_dict(data)
    except ScenarioError as err:
        raise CalibrationError(f"{fragment[0]['_where']}: merged into market {fit.market}: {err}") from None
    return replace(fit, scenario=merged)


def read_observed(path: str | Path, tick_minutes: int = 10) -> Observed:
    """Observed prices (time, seller, price, optional buy_box: true for the holder) and their regular grid; a run's
    ``tick`` column counts ``tick_minutes`` each."""
    frame = read_table(path, "observed prices")
    if "time" not in frame.columns and "tick" in frame.columns:
        frame = frame.rename({"tick": "time"})
    columns = [c for c in ("time", "seller", "price", "buy_box") if c in frame.columns]
    return _gridded(frame.select(columns), str(path), tick_minutes)


def _gridded(rows: pl.DataFrame, where: str, tick_minutes: int, step: float | None = None) -> Observed:
    """``rows`` on their grid (``step`` in the panel's unit; default: the median gap), with the Buy Box holder."""
    try:
        panel = panel_from_frame(rows, step=step, where=where)
        holder = _buy_box(rows, panel, where) if "buy_box" in rows.columns else np.argmin(panel.price, axis=1)
    except PanelError as err:
        raise CalibrationError(str(err)) from None
    if panel.unit == "time units" and rows["time"].dtype.is_float():
        raise CalibrationError(f"observed prices {where!r}: time must be a date-time or a run's tick (whole "
                               f"numbers), so that it can be read in minutes")
    scale = 1.0 if panel.unit == "minutes" else float(tick_minutes)
    time = _minutes(rows["time"]) if panel.unit == "minutes" else rows["time"].cast(pl.Float64).to_numpy()
    return Observed(source=where, rows=rows, minute=(time - time.min()) * scale, seller=panel.seller,
                    price=panel.price, holder=holder, step=panel.step * scale,
                    buy_box_observed="buy_box" in rows.columns)


def _minutes(time: pl.Series) -> np.ndarray:
    """Date-times (or text that parses as them) in minutes since the epoch."""
    if time.dtype == pl.String:
        time = time.str.to_datetime(strict=False)
    if time.dtype == pl.Date:
        time = time.cast(pl.Datetime("ms"))
    return time.dt.replace_time_zone(None).dt.epoch("ms").to_numpy() / 60_000.0


def _buy_box(frame: pl.DataFrame, panel, where: str) -> np.ndarray:
    """The Buy Box holder at each grid time: among the sellers whose latest ``buy_box`` at or before it is true, the
    cheapest (-1 if none), gridded as the prices are."""
    column = frame["buy_box"]
    if column.dtype != pl.Boolean or column.is_null().any():
        raise CalibrationError(f"observed prices {where!r}: buy_box = {column[0]!r}: must be true or false in every "
                               f"row (true: the seller holds the Buy Box)")
    flags = panel_from_frame(frame.with_columns((column.cast(pl.Float64) + 1.0).alias("price")), step=panel.step)
    held = flags.price > 1.5
    cheapest = np.argmin(np.where(held, panel.price, np.inf), axis=1)
    return np.where(held.any(axis=1), cheapest, -1)


def measure(price: np.ndarray, holder: np.ndarray, step_minutes: float) -> Measures:
    """Mean prices, changes per day, Buy Box shares and cycle length of prices on a grid (module docstring)."""
    days = price.shape[0] * step_minutes / 1440.0
    changes = (np.diff(price, axis=0) != 0).sum(axis=0)
    shares = np.array([(holder == i).mean() for i in range(price.shape[1])])
    low = price.min(axis=1)
    rises = np.flatnonzero(np.diff(low) > 0)
    cycle = float(np.diff(rises).mean() * step_minutes / 60.0) if rises.size >= 2 else np.nan
    return Measures(mean_price=price.mean(axis=0), price_changes_per_day=changes / days, featured_share=shares,
                    cycle_hours=cycle)


def check(fit: MarketFit, observed: Observed) -> TwinCheck:
    """Run the twin over the observed span, observe it at the observed rows' times, and compare on the grid."""
    from market import training

    scenario = fit.scenario
    names = [s.name for s in scenario.sellers]
    unknown = [s for s in observed.seller if s not in names]
    if unknown:
        raise CalibrationError(f"observed prices {observed.source!r}: seller {unknown[0]!r} is not a seller of market "
                               f"{fit.market} (sellers: {', '.join(names)})")
    tick = (observed.minute // scenario.tick_minutes).astype(np.int64)
    twin = scenario.replace(horizon=int(tick.max()) + 1)
    state, _ = training.run(twin, record_stride=1)
    seller = np.array([names.index(s) for s in observed.rows["seller"].cast(pl.String).to_list()])
    rows = observed.rows.with_columns(price=pl.Series(state.records.price[tick, seller]),
                                      buy_box=pl.Series(state.records.featured[tick] == seller))
    step = observed.step / (1.0 if _in_minutes(observed) else scenario.tick_minutes)
    simulated = _gridded(rows, f"the twin of {fit.market}", scenario.tick_minutes, step)
    return TwinCheck(market=fit.market, scenario=twin, observed=observed, seller=observed.seller,
                     real=measure(observed.price, observed.holder, observed.step),
                     twin=measure(simulated.price, simulated.holder, simulated.step))


def _in_minutes(observed: Observed) -> bool:
    """Whether the observed times are date-times (else a run's ticks)."""
    return observed.rows["time"].dtype.is_temporal() or observed.rows["time"].dtype == pl.String


def twin_frame(checks: list[TwinCheck]) -> pl.DataFrame:
    """twin.parquet: one row per market, seller (or 'market') and measure, observed against twin."""
    rows = [(c.scenario.name, c.scenario.seed, run_id(c.scenario), c.market, *row) for c in checks for row in c.rows()]
    return pl.DataFrame(rows, schema={"scenario": pl.String, "seed": pl.Int64, "run_id": pl.String,
                                      "market": pl.String, "name": pl.String, "metric": pl.String,
                                      "observed": pl.Float64, "twin": pl.Float64}, orient="row")

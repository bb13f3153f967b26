r"""Stock, the platform's warehouse and unsold goods: configuration, state arrays and summaries.

A scenario's ``[inventory]`` table gives the fees and disposal costs; ``[inventory.sellers.<name>]``
gives a seller's stock policy. Sellers without an entry have unlimited stock, and a scenario
without ``[inventory]`` has no ``Inventory`` (the engine is compiled without the kernels of
:mod:`market.stock` and :mod:`market.disposal`).

Units are real numbers (expected units, like the engine's logit demand
:math:`q_{it} = N_t \sum_k W_k s_{kit}`); stock is conserved exactly up to rounding:

.. math::  \text{received}_i = \text{sold}_i + \text{sold off}_i + \text{returned}_i
           + \text{donated}_i + \text{destroyed}_i + \text{held}_i .

Defaults follow the seed article (France, 2019) and the platform's public fee schedule:

* storage 0.03 euro per unit per month: a seller holding 50,000 small units (about a month
  of a seller's sales in ``unsold_goods``) pays the article's 1,500 euros a month;
* a long-term surcharge per unit per month for units older than ``long_term_days``;
* destruction 0.10 euro per unit ("10 centimes par produit");
* VAT of 20% on the value (unit cost) of donated goods, which the platform cites as the
  reason not to donate in France;
* return shipping per unit, cheap at home and dear from abroad.

Money: third-party stock in the platform's warehouse pays storage and destruction fees to the
platform (the platform's own stock pays itself nothing); return shipping, donation handling and
other destruction go to service firms (carriers, disposal contractors); VAT to the state.
Units that leave unsold (returned, donated, destroyed) are written off at unit cost
:math:`c_i`; sold-off units bear :math:`c_i` through the sale, as every sale does.
"""

import math
from typing import Annotated, Literal, NamedTuple

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict, Field, model_validator

from market.demand import SEGMENTS

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)
UNITS = 1e12   # stock, batches and reorder points are at most this
MONEY = 1e6    # fees and costs per unit are at most this
DAYS_PER_MONTH = 30

FLOWS = ("received", "sold", "sold_off", "returned", "donated", "destroyed")
RECEIVED, SOLD, SOLD_OFF, RETURNED, DONATED, DESTROYED = range(6)
COSTS = ("storage", "return_shipping", "donation_vat", "donation_fee", "destruction_fee", "write_off")
STORAGE, RETURN_SHIPPING, DONATION_VAT, DONATION_FEE, DESTRUCTION_FEE, WRITE_OFF = range(6)
PAYEES = ("platform", "services", "state")
PLATFORM, SERVICES, STATE = range(3)


class SellerStock(BaseModel):
    """One seller's stock policy: (R, Q) reordering with a lead time, where it is stored, when it reviews."""

    model_config = _STRICT

    initial_stock: Annotated[float, Field(ge=0.0, le=UNITS, description="units at tick 0")] = 0.0
    lead_time_ticks: Annotated[int, Field(ge=1, le=10**9, description="ticks from order to arrival")] = 144
    batch: Annotated[float, Field(ge=0.0, le=UNITS, description="units per order; 0: never reorders")] = 0.0
    reorder_point: Annotated[float, Field(ge=0.0, le=UNITS, description="order when stock + on order < this")] = 0.0
    warehouse: Literal["platform", "own"] = "platform"
    origin: Literal["domestic", "overseas"] = "domestic"
    large_firm: bool = False
    review_days: Annotated[float, Field(gt=0.0, le=1e6, description="days between disposal reviews")] = 7.0
    cover_days: Annotated[float, Field(gt=0.0, le=1e6, description="days of sales kept at a review")] = 14.0

    @model_validator(mode="after")
    def _reorders(self):
        if (self.batch > 0.0) != (self.reorder_point > 0.0):
            raise ValueError(f"batch = {self.batch}, reorder_point = {self.reorder_point}: reordering needs both "
                             "> 0, no reordering both 0")
        return self


class InventoryConfig(BaseModel):
    """Fees, disposal costs and the season, in euros per unit; ``sellers`` maps seller names to stock policies."""

    model_config = _STRICT

    storage_fee: Annotated[float, Field(ge=0.0, le=MONEY, description="per unit per month")] = 0.03
    long_term_fee: Annotated[float, Field(ge=0.0, le=MONEY, description="surcharge per unit per month")] = 0.15
    long_term_days: Annotated[float, Field(gt=0.0, le=1e6)] = 180.0
    destruction_fee: Annotated[float, Field(ge=0.0, le=MONEY)] = 0.10
    vat_rate: Annotated[float, Field(ge=0.0, le=1.0)] = 0.20
    donation_fee: Annotated[float, Field(ge=0.0, le=MONEY)] = 0.0
    return_cost_domestic: Annotated[float, Field(ge=0.0, le=MONEY)] = 0.20
    return_cost_overseas: Annotated[float, Field(ge=0.0, le=MONEY)] = 1.50
    selloff_price: Annotated[float, Field(gt=0.0, le=10.0, description="liquidation price / unit cost")] = 0.6
    selloff_days: Annotated[float, Field(gt=0.0, le=1e6)] = 7.0
    demand_decay_per_day: Annotated[float, Field(ge=0.0, le=10.0, description="season: N_t = N e^{-d t}")] = 0.0
    sellers: dict[str, SellerStock] = Field(default_factory=dict)

    def check(self, names: list[str]) -> None:
        """Raise ``ValueError`` for a stock entry that names no seller."""
        for name in self.sellers:
            if name not in names:
                raise ValueError(f"inventory.sellers.{name}: no seller named {name!r}; sellers: {', '.join(names)}")


class Inventory(NamedTuple):
    """Stock arrays read and written by the kernels; ``[seller]`` or ``[seller, slot]``.

    Cohorts and orders are FIFO rings of ``slots`` entries per seller (``*_head``, ``*_count``).
    ``last_*`` hold the latest tick's flows (units) and payments (euros), ``total_*`` their sums.
    """

    tracked: np.ndarray           # bool[n]: the seller's stock is limited and counted
    available: np.ndarray         # bool[n]: has stock this tick (always True if not tracked)
    charged: np.ndarray           # bool[n]: third-party stock in the platform's warehouse
    large: np.ndarray             # bool[n]
    lead: np.ndarray              # int64[n]
    batch: np.ndarray
    reorder: np.ndarray
    review: np.ndarray            # int64[n]: ticks between reviews
    cover: np.ndarray             # float64[n]: ticks of sales kept at a review
    return_cost: np.ndarray
    storage_fee: float            # per unit per tick
    long_term_fee: float          # per unit per tick
    long_term_ticks: int
    ticks_per_month: float
    destruction_fee: float
    vat_rate: float
    donation_fee: float
    selloff_price: float          # share of unit cost
    selloff_ticks: int
    decay: float                  # per tick
    stock: np.ndarray
    cohort_units: np.ndarray      # float64[n, slots]
    cohort_tick: np.ndarray       # int64[n, slots]: arrival tick
    cohort_head: np.ndarray
    cohort_count: np.ndarray
    order_units: np.ndarray
    order_tick: np.ndarray        # int64[n, slots]: arrival tick
    order_head: np.ndarray
    order_count: np.ndarray
    on_order: np.ndarray
    selling_off: np.ndarray       # bool[n]
    selloff_left: np.ndarray      # units still to sell off
    selloff_until: np.ndarray     # int64[n]: first tick after the sell-off window
    regular_price: np.ndarray     # price before the sell-off, restored after it
    restore: np.ndarray           # bool[n]
    review_sales: np.ndarray      # regular units sold since the last review
    scratch_price: np.ndarray
    scratch_weight: np.ndarray
    scratch_quantity: np.ndarray
    last_units: np.ndarray        # float64[n, len(FLOWS)]
    last_paid: np.ndarray         # float64[n, len(COSTS)]
    last_received: np.ndarray     # float64[len(PAYEES)]
    total_units: np.ndarray
    total_paid: np.ndarray
    total_received: np.ndarray
    selloff_prices: np.ndarray    # float64[4]: sums of the mean price of sellers not selling off, and ticks,
    #                               in ticks with a sell-off on and in ticks without
    record_stock: np.ndarray      # float64[records, n], NaN for untracked sellers


@njit(cache=True, inline="always")
def season(v, t):
    r"""Demand factor :math:`e^{-d t}` at tick ``t`` of the inventory ``v`` (exactly 1.0 when there is no decay)."""
    if v.decay == 0.0:
        return 1.0
    return np.exp(-v.decay * t)


def _slots(config: InventoryConfig) -> int:
    """Ring size that cannot overflow: stock and orders never exceed R + Q plus the initial cohort."""
    return max([2] + [math.ceil(p.reorder_point / p.batch) + 4 for p in config.sellers.values() if p.batch > 0])


def build_inventory(scenario, records: int) -> Inventory:
    """Arrays for ``scenario.inventory`` (not None) at tick 0."""
    c = scenario.inventory
    names = [s.name for s in scenario.sellers]
    n = len(names)
    tpd = scenario.ticks_per_day
    policy = [c.sellers.get(name) for name in names]
    slots = _slots(c)
    month = float(DAYS_PER_MONTH * tpd)
    tracked = np.array([p is not None for p in policy])
    initial = np.array([p.initial_stock if p else 0.0 for p in policy])
    cohort_units = np.zeros((n, slots))
    cohort_units[:, :1] = initial[:, None]

    def each(field, fill, dtype=np.float64):
        return np.array([getattr(p, field) if p else fill for p in policy], dtype=dtype)

    def ticks(days):
        return max(1, round(days * tpd))

    third_party = np.array([s.role != "platform" for s in scenario.sellers])
    return Inventory(
        tracked=tracked, available=np.ones(n, dtype=np.bool_),
        charged=tracked & third_party & (each("warehouse", "own", object) == "platform"),
        large=each("large_firm", False, np.bool_), lead=each("lead_time_ticks", 1, np.int64),
        batch=each("batch", 0.0), reorder=each("reorder_point", 0.0),
        review=np.array([ticks(p.review_days) if p else 1 for p in policy], dtype=np.int64),
        cover=np.array([ticks(p.cover_days) if p else 1 for p in policy], dtype=np.float64),
        return_cost=np.where(each("origin", "domestic", object) == "overseas", c.return_cost_overseas,
                             c.return_cost_domestic).astype(np.float64),
        storage_fee=c.storage_fee / month, long_term_fee=c.long_term_fee / month,
        long_term_ticks=ticks(c.long_term_days), ticks_per_month=month, destruction_fee=c.destruction_fee,
        vat_rate=c.vat_rate, donation_fee=c.donation_fee, selloff_price=c.selloff_price,
        selloff_ticks=ticks(c.selloff_days), decay=c.demand_decay_per_day / tpd,
        stock=initial.copy(), cohort_units=cohort_units, cohort_tick=np.zeros((n, slots), dtype=np.int64),
        cohort_head=np.zeros(n, dtype=np.int64), cohort_count=(initial > 0).astype(np.int64),
        order_units=np.zeros((n, slots)), order_tick=np.zeros((n, slots), dtype=np.int64),
        order_head=np.zeros(n, dtype=np.int64), order_count=np.zeros(n, dtype=np.int64), on_order=np.zeros(n),
        selling_off=np.zeros(n, dtype=np.bool_), selloff_left=np.zeros(n),
        selloff_until=np.zeros(n, dtype=np.int64), regular_price=np.zeros(n), restore=np.zeros(n, dtype=np.bool_),
        review_sales=np.zeros(n), scratch_price=np.zeros(n), scratch_weight=np.zeros((len(SEGMENTS), n)),
        scratch_quantity=np.zeros(n),
        last_units=np.zeros((n, len(FLOWS))), last_paid=np.zeros((n, len(COSTS))),
        last_received=np.zeros(len(PAYEES)),
        total_units=np.column_stack([initial] + [np.zeros(n)] * (len(FLOWS) - 1)),
        total_paid=np.zeros((n, len(COSTS))), total_received=np.zeros(len(PAYEES)), selloff_prices=np.zeros(4),
        record_stock=np.full((records, n), np.nan),
    )


SELLER_UNSOLD = ("units_sold_off", "units_returned", "units_donated", "units_destroyed", "destroyed_value",
                 "storage_fees_paid", "disposal_costs_paid", "stock_held")
MARKET_UNSOLD = ("units_sold_off", "units_returned", "units_donated", "units_destroyed", "destroyed_value",
                 "storage_fees", "disposal_costs", "donation_vat", "platform_unsold_income", "selloff_price_gap")


def seller_unsold(inventory: Inventory | None, cost: np.ndarray) -> dict[str, np.ndarray]:
    """Per seller, totals since the books started (zeros without stock): units by fate, value destroyed at cost,
    fees paid.

    ``disposal_costs_paid`` is return shipping + donation VAT and handling + destruction fees
    (write-offs excluded: no money changes hands).
    """
    if inventory is None:
        return {name: np.zeros(cost.shape[0]) for name in SELLER_UNSOLD}
    units = inventory.total_units
    paid = inventory.total_paid
    return {
        "units_sold_off": units[:, SOLD_OFF].copy(), "units_returned": units[:, RETURNED].copy(),
        "units_donated": units[:, DONATED].copy(), "units_destroyed": units[:, DESTROYED].copy(),
        "destroyed_value": cost * units[:, DESTROYED],
        "storage_fees_paid": paid[:, STORAGE].copy(),
        "disposal_costs_paid": paid[:, RETURN_SHIPPING:WRITE_OFF].sum(axis=1),
        "stock_held": np.where(inventory.tracked, inventory.stock, 0.0),
    }


def market_unsold(inventory: Inventory | None, cost: np.ndarray) -> dict[str, float]:
    """Market totals since the books started of ``MARKET_UNSOLD`` (zeros without stock).

    ``platform_unsold_income`` is what the platform received: storage, and destruction of
    third-party stock in its warehouse; ``donation_vat`` is the state's. ``selloff_price_gap``
    asks whether sell-offs drag the other sellers' prices down: the mean price of the sellers
    not selling off in ticks when some seller sells off, minus that in ticks when none does
    (0 if either never happens).
    """
    if inventory is None:
        return dict.fromkeys(MARKET_UNSOLD, 0.0)
    per_seller = seller_unsold(inventory, cost)
    totals = {k: float(per_seller[k].sum()) for k in MARKET_UNSOLD[:5]}
    totals["storage_fees"] = float(per_seller["storage_fees_paid"].sum())
    totals["disposal_costs"] = float(per_seller["disposal_costs_paid"].sum())
    totals["donation_vat"] = float(inventory.total_paid[:, DONATION_VAT].sum())
    totals["platform_unsold_income"] = float(inventory.total_received[PLATFORM])
    during, ticks_during, other, ticks_other = inventory.selloff_prices
    totals["selloff_price_gap"] = float(during / ticks_during - other / ticks_other) if ticks_during * ticks_other \
        else 0.0
    return totals

r"""Regulators' rules as data, enforced inside the engine's kernel.

An intervention is a small validated record with a ``kind``, a ``name`` and a
``description`` of the real rule it models. A scenario holds a list of them
(``[[interventions]]`` in TOML); they compose. Each kind checks itself against the
scenario's clock (``check``), says how much older the prices it lets sellers see become
(``reaction_lag``), and writes its own slots of the kernel's rule vector (``compile``);
``compile_rules`` runs them in order. The kernel reads the vector every tick, so a rule can
be switched on or off between two ticks (the dashboard does).

Time is given as people state it, in hours or minutes, and turned into ticks with the
scenario's ``tick_minutes`` when compiled: a span of :math:`M` minutes lasts
:math:`\lceil M / \text{tick\_minutes} \rceil` ticks, never less than stated. Windows and lags
may also be given in ticks (``window``, ``ticks``, ``period``), as older files do.

Kinds and the rule each models:

* ``change_cap``: at most ``max_changes`` price changes in any ``window_hours`` (e.g. once
  a day; proposals for repricing-frequency limits, Brown and MacKay 2023).
* ``increase_hour``: increases only in the first tick of ``hour``; decreases any time
  (Austria's fuel price rule, 2011: increases only at noon).
* ``daily_price``: one price a day, set at ``hour``, chosen ``notice_hours`` in advance and
  held for 24 hours (Western Australia's FuelWatch, 2001).
* ``min_lag``: no seller may react to rivals' prices fresher than ``minutes`` old.
* ``price_bounds``: a price floor and ceiling (numbers, or cost / nash / monopoly).
* ``ban_rival_pricing``: strategies that condition on rivals' prices are switched off; such
  a seller holds its price.
* ``buybox``: the featured-offer rule: ``neutral`` (lowest price, no self-preferencing),
  ``pdp`` (price-directed prominence: only the lowest-priced listed offers are shown) or
  ``dynamic_pdp`` (prominence stays with the incumbent unless strictly undercut, so
  matching does not win it; Johnson, Rhodes and Wildenbeest 2023, Econometrica).
* ``fee_cap``: the referral fee may not exceed ``max_referral_fee``.
* ``audit``: every ``period_hours`` a regulator compares each seller's mean price over the
  period with its static Nash price; above ``(1 + tolerance)`` times it, the seller pays a
  fine of ``fine_share`` of its profit over the period.
* ``destruction_ban``: unsold goods may not be destroyed, by every seller (``scope = "all"``;
  France's AGEC law of 2020, in force from 2022, for unsold non-food goods) or by large firms
  only (``scope = "large_firms"``; the EU Ecodesign regulation 2024/1781 for unsold clothing
  and footwear, large enterprises from 19 July 2026). Sellers turn to their next-cheapest fate.
* ``donation_vat_relief``: donated unsold goods bear ``share`` less of their VAT (France exempts
  the VAT adjustment on donations of unsold non-food goods to charities: finance law for 2020,
  alongside the AGEC law).
* ``storage_fee_cap``: storage, long-term surcharge included, costs at most ``max_fee`` per
  unit per month.
"""

from pathlib import Path
from typing import Annotated, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from market.errors import InterventionError, format_validation_error, shorten
from market.tomlfile import read_toml

__all__ = ["CATALOG", "Intervention", "InterventionError", "compile_rules", "load", "named", "parse"]

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)

# The kernel's rule vector: the slots by name, their values when no rule sets them, and what a value means.
SLOT_NAMES = ("max_changes", "change_window", "increase_tick", "daily_tick", "notice", "min_lag", "ban_rival",
              "buybox", "self_preference", "referral_fee", "audit_period", "audit_tolerance", "audit_fine",
              "destruction_ban", "vat_relief", "storage_fee_cap")
MAX_CHANGES, CHANGE_WINDOW, INCREASE_TICK, DAILY_TICK, NOTICE, MIN_LAG, BAN_RIVAL, BUYBOX, SELF_PREFERENCE, \
    REFERRAL_FEE, AUDIT_PERIOD, AUDIT_TOLERANCE, AUDIT_FINE, DESTRUCTION_BAN, VAT_RELIEF, STORAGE_FEE_CAP = \
    range(len(SLOT_NAMES))
BUYBOX_LOWEST, BUYBOX_PDP, BUYBOX_DYNAMIC_PDP = 0, 1, 2  # values of rule[BUYBOX]
BAN_NONE, BAN_LARGE_FIRMS, BAN_ALL = 0, 1, 2  # values of rule[DESTRUCTION_BAN]
SLOTS = {
    MAX_CHANGES: (0.0, "price changes a seller may make in any CHANGE_WINDOW ticks; 0: no cap"),
    CHANGE_WINDOW: (0.0, "ticks of the change cap's window"),
    INCREASE_TICK: (-1.0, "tick of the day in which prices may rise; -1: any tick"),
    DAILY_TICK: (-1.0, "tick of the day in which every seller reprices, and only then; -1: no daily price"),
    NOTICE: (0.0, "ticks by which a daily price is chosen in advance: the prices it sees are this much older"),
    MIN_LAG: (0.0, "the fewest ticks a rival's price must have stood before a seller may see it"),
    BAN_RIVAL: (0.0, "1: sellers whose strategy uses rivals' prices hold their price; 0: no ban"),
    BUYBOX: (BUYBOX_LOWEST, "featured-offer rule: BUYBOX_LOWEST, BUYBOX_PDP or BUYBOX_DYNAMIC_PDP"),
    SELF_PREFERENCE: (None, "the platform's own offer competes for the featured slot at price / (1 + this); "
                            "the platform's, until a buybox rule sets 0"),
    REFERRAL_FEE: (None, "referral fee in force, a share of price: the platform's, lowered by a fee cap"),
    AUDIT_PERIOD: (0.0, "ticks between audits; 0: no audit"),
    AUDIT_TOLERANCE: (0.0, "an audit fines mean prices above (1 + this) times the static Nash price"),
    AUDIT_FINE: (0.0, "the fine, as a share of the period's profit"),
    DESTRUCTION_BAN: (BAN_NONE, "who may not destroy unsold goods: BAN_NONE, BAN_LARGE_FIRMS or BAN_ALL"),
    VAT_RELIEF: (0.0, "share of the VAT on donated goods that is waived"),
    STORAGE_FEE_CAP: (np.inf, "the most a unit's storage may cost per month, in euros; inf: no cap"),
}
N_RULES = len(SLOTS)
MAX_CHANGE_CAP = 144
PriceBound = float | Literal["cost", "nash", "monopoly"]


class RuleArrays(NamedTuple):
    """What the interventions compile to: the ``rule`` vector (see ``SLOTS``) and per-seller price bounds."""

    rule: np.ndarray              # float64[N_RULES]
    floor: np.ndarray             # float64[n]: legal price floor (0: none)
    ceiling: np.ndarray           # float64[n]: legal price ceiling (inf: none)


def to_ticks(minutes: float, tick_minutes: int) -> int:
    r"""The fewest whole ticks that last at least ``minutes``: :math:`\lceil M / \text{tick\_minutes} \rceil`."""
    return int(-(-minutes // tick_minutes))


def _one_span(data, tick_field: str, time_field: str, default: float):
    """Accept a span in time units or in ticks, not both; neither means ``default`` in time units."""
    if not isinstance(data, dict):
        return data
    given = [key for key in (time_field, tick_field) if data.get(key) is not None]
    if len(given) == 2:
        raise ValueError(f"{time_field} = {data[time_field]!r}, {tick_field} = {data[tick_field]!r}: give one of "
                         f"them ({tick_field} counts ticks)")
    return data if given else {**data, time_field: default}


class _Rule(BaseModel):
    model_config = _STRICT
    name: str = ""
    description: str = ""

    def check(self, tick_minutes: int) -> None:
        """Raise ``ValueError`` if the rule cannot be kept on a clock of ``tick_minutes`` minutes a tick."""

    def reaction_lag(self, tick_minutes: int) -> int:
        """Ticks by which the rule makes the prices a seller sees older."""
        return 0

    def compile(self, into: RuleArrays, tick_minutes: int, references: list[dict[str, float]]) -> None:
        """Write this rule's slots of ``into``."""
        raise NotImplementedError


class _HourRule(_Rule):
    hour: Annotated[int, Field(ge=0, le=23)]

    def check(self, tick_minutes: int) -> None:
        if 60 % tick_minutes:
            raise ValueError(f"hour rules need tick_minutes dividing 60; tick_minutes = {tick_minutes}")


class ChangeCap(_Rule):
    kind: Literal["change_cap"] = "change_cap"
    max_changes: Annotated[int, Field(ge=1, le=MAX_CHANGE_CAP)] = 1
    window_hours: Annotated[float, Field(gt=0.0, le=1e6)] | None = None
    window: Annotated[int, Field(ge=1, le=10**9)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _span(cls, data):
        return _one_span(data, "window", "window_hours", 24.0)

    def compile(self, into, tick_minutes, references):
        into.rule[MAX_CHANGES] = self.max_changes
        into.rule[CHANGE_WINDOW] = self.window or to_ticks(60.0 * self.window_hours, tick_minutes)


class IncreaseHour(_HourRule):
    kind: Literal["increase_hour"] = "increase_hour"
    hour: Annotated[int, Field(ge=0, le=23)] = 12

    def compile(self, into, tick_minutes, references):
        into.rule[INCREASE_TICK] = self.hour * 60 // tick_minutes


class DailyPrice(_HourRule):
    kind: Literal["daily_price"] = "daily_price"
    hour: Annotated[int, Field(ge=0, le=23)] = 6
    notice_hours: Annotated[int, Field(ge=0, le=24)] = 16

    def reaction_lag(self, tick_minutes):
        return self.notice_hours * 60 // tick_minutes

    def compile(self, into, tick_minutes, references):
        into.rule[DAILY_TICK] = self.hour * 60 // tick_minutes
        into.rule[NOTICE] = self.reaction_lag(tick_minutes)


class MinLag(_Rule):
    kind: Literal["min_lag"] = "min_lag"
    minutes: Annotated[float, Field(gt=0.0, le=1e9)] | None = None
    ticks: Annotated[int, Field(ge=1, le=10**9)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _span(cls, data):
        return _one_span(data, "ticks", "minutes", 60.0)

    def reaction_lag(self, tick_minutes):
        return self.ticks or to_ticks(self.minutes, tick_minutes)

    def compile(self, into, tick_minutes, references):
        into.rule[MIN_LAG] = max(into.rule[MIN_LAG], self.reaction_lag(tick_minutes))


class PriceBounds(_Rule):
    kind: Literal["price_bounds"] = "price_bounds"
    floor: PriceBound | None = None
    ceiling: PriceBound | None = None

    @field_validator("floor", "ceiling")
    @classmethod
    def _positive(cls, value):
        if isinstance(value, float) and value < 0:
            raise ValueError("must be >= 0, or cost / nash / monopoly")
        return value

    @model_validator(mode="after")
    def _ordered(self):
        if self.floor is None and self.ceiling is None:
            raise ValueError("price_bounds needs a floor, a ceiling or both")
        if isinstance(self.floor, float) and isinstance(self.ceiling, float) and self.floor > self.ceiling:
            raise ValueError(f"floor = {self.floor}: must not exceed ceiling ({self.ceiling})")
        return self

    def compile(self, into, tick_minutes, references):
        for i, ref in enumerate(references):
            if self.floor is not None:
                into.floor[i] = max(into.floor[i], ref[self.floor] if isinstance(self.floor, str) else self.floor)
            if self.ceiling is not None:
                into.ceiling[i] = min(into.ceiling[i],
                                      ref[self.ceiling] if isinstance(self.ceiling, str) else self.ceiling)
            if into.floor[i] > into.ceiling[i]:
                raise InterventionError(f"intervention {self.name or self.kind!r}: floor {into.floor[i]:g} above "
                                        f"ceiling {into.ceiling[i]:g} for seller {i}")


class BanRivalPricing(_Rule):
    kind: Literal["ban_rival_pricing"] = "ban_rival_pricing"

    def compile(self, into, tick_minutes, references):
        into.rule[BAN_RIVAL] = 1.0


class BuyBox(_Rule):
    kind: Literal["buybox"] = "buybox"
    rule: Literal["neutral", "pdp", "dynamic_pdp"] = "neutral"

    def compile(self, into, tick_minutes, references):
        into.rule[BUYBOX] = {"neutral": BUYBOX_LOWEST, "pdp": BUYBOX_PDP, "dynamic_pdp": BUYBOX_DYNAMIC_PDP}[self.rule]
        into.rule[SELF_PREFERENCE] = 0.0


class FeeCap(_Rule):
    kind: Literal["fee_cap"] = "fee_cap"
    max_referral_fee: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.08

    def compile(self, into, tick_minutes, references):
        into.rule[REFERRAL_FEE] = min(into.rule[REFERRAL_FEE], self.max_referral_fee)


class Audit(_Rule):
    kind: Literal["audit"] = "audit"
    period_hours: Annotated[float, Field(gt=0.0, le=1e6)] | None = None
    period: Annotated[int, Field(ge=1, le=10**9)] | None = None
    tolerance: Annotated[float, Field(ge=0.0, le=1e3)] = 0.05
    fine_share: Annotated[float, Field(gt=0.0, le=10.0)] = 0.5

    @model_validator(mode="before")
    @classmethod
    def _span(cls, data):
        return _one_span(data, "period", "period_hours", 168.0)

    def compile(self, into, tick_minutes, references):
        into.rule[AUDIT_PERIOD] = self.period or to_ticks(60.0 * self.period_hours, tick_minutes)
        into.rule[AUDIT_TOLERANCE] = self.tolerance
        into.rule[AUDIT_FINE] = self.fine_share


class DestructionBan(_Rule):
    kind: Literal["destruction_ban"] = "destruction_ban"
    scope: Literal["all", "large_firms"] = "all"

    def compile(self, into, tick_minutes, references):
        into.rule[DESTRUCTION_BAN] = max(into.rule[DESTRUCTION_BAN], BAN_ALL if self.scope == "all" else
                                         BAN_LARGE_FIRMS)


class DonationVatRelief(_Rule):
    kind: Literal["donation_vat_relief"] = "donation_vat_relief"
    share: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0

    def compile(self, into, tick_minutes, references):
        into.rule[VAT_RELIEF] = max(into.rule[VAT_RELIEF], self.share)


class StorageFeeCap(_Rule):
    kind: Literal["storage_fee_cap"] = "storage_fee_cap"
    max_fee: Annotated[float, Field(ge=0.0, le=1e6)] = 0.03

    def compile(self, into, tick_minutes, references):
        into.rule[STORAGE_FEE_CAP] = min(into.rule[STORAGE_FEE_CAP], self.max_fee)


Intervention = Annotated[ChangeCap | IncreaseHour | DailyPrice | MinLag | PriceBounds | BanRivalPricing | BuyBox
                         | FeeCap | Audit | DestructionBan | DonationVatRelief | StorageFeeCap,
                         Field(discriminator="kind")]
_ADAPTER = TypeAdapter(Intervention)

CATALOG: dict[str, dict] = {
    "once_a_day": {"kind": "change_cap", "max_changes": 1, "window_hours": 24,
                   "description": "At most one price change in any 24 hours."},
    "hourly_cap": {"kind": "change_cap", "max_changes": 1, "window_hours": 1,
                   "description": "At most one price change an hour."},
    "austria_noon": {"kind": "increase_hour", "hour": 12,
                     "description": "Austria's fuel rule (2011): increases only at noon, decreases any time."},
    "wa_24h": {"kind": "daily_price", "hour": 6, "notice_hours": 16,
               "description": "Western Australia's FuelWatch: one price a day from 6 am, notified by 2 pm the "
                              "day before, held 24 hours."},
    "min_lag_1h": {"kind": "min_lag", "minutes": 60,
                   "description": "No reaction to rivals' prices less than an hour old."},
    "price_floor_nash": {"kind": "price_bounds", "floor": "nash",
                         "description": "No price below the seller's static Nash price (below-cost-selling ban)."},
    "price_cap_monopoly": {"kind": "price_bounds", "ceiling": "monopoly",
                           "description": "No price above the seller's static monopoly price."},
    "no_rival_pricing": {"kind": "ban_rival_pricing",
                         "description": "Repricers may not condition on rivals' prices."},
    "neutral_buybox": {"kind": "buybox", "rule": "neutral",
                       "description": "The featured offer is the lowest price; no self-preferencing "
                                      "(EU DMA art. 6(5))."},
    "pdp": {"kind": "buybox", "rule": "pdp",
            "description": "Price-directed prominence: only the lowest-priced listed offers are shown "
                           "(Johnson, Rhodes and Wildenbeest 2023)."},
    "dynamic_pdp": {"kind": "buybox", "rule": "dynamic_pdp",
                    "description": "Dynamic price-directed prominence: prominence stays with the incumbent unless "
                                   "a rival strictly undercuts it (Johnson, Rhodes and Wildenbeest 2023)."},
    "fee_cap_8": {"kind": "fee_cap", "max_referral_fee": 0.08,
                  "description": "Referral fee capped at 8% of price."},
    "weekly_audit": {"kind": "audit", "period_hours": 168, "tolerance": 0.05, "fine_share": 0.5,
                     "description": "Weekly audit: mean price over 105% of Nash is fined half the week's profit."},
    "destruction_ban": {"kind": "destruction_ban", "scope": "all",
                        "description": "No unsold non-food goods may be destroyed (France, AGEC law 2020, from 2022)."},
    "eu_textile_destruction_ban": {"kind": "destruction_ban", "scope": "large_firms",
                                   "description": "Large firms may not destroy unsold clothing and footwear (EU "
                                                  "Ecodesign regulation 2024/1781, from 19 July 2026)."},
    "donation_vat_relief": {"kind": "donation_vat_relief", "share": 1.0,
                            "description": "Donations of unsold goods to charities bear no VAT (France, finance law "
                                           "for 2020, alongside the AGEC law)."},
    "storage_fee_cap": {"kind": "storage_fee_cap", "max_fee": 0.03,
                        "description": "Storage, long-term surcharge included, at most 0.03 euro per unit a month."},
}


def parse(data: dict, where: str = "intervention") -> Intervention:
    """Validate one intervention given as a dict (with ``kind``)."""
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as err:
        raise InterventionError(f"{where}: {format_validation_error(err)}") from None


def named(name: str) -> Intervention:
    """An intervention from the catalog by name."""
    if name not in CATALOG:
        raise InterventionError(f"intervention {name!r}: unknown; known: {', '.join(sorted(CATALOG))}")
    return parse({"name": name, **CATALOG[name]}, name)


def load(name_or_path: str) -> list[Intervention]:
    """Interventions from a catalog name, a comma-separated list of names, or a TOML file.

    The TOML file holds ``[[interventions]]`` tables (or one table with a ``kind``).
    """
    path = Path(name_or_path)
    if path.suffix == ".toml":
        data = read_toml(path, "intervention", InterventionError)
        items = data.get("interventions", [data])
        if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
            raise InterventionError(f"intervention file {path.name!r}: interventions = {items!r}: must be a "
                                    "non-empty array of tables, [[interventions]] with a kind each")
        return [parse({"name": _label(path.stem, item, len(items)), **item}, f"{path.name}: interventions[{i}]")
                for i, item in enumerate(items)]
    names = [part.strip() for part in name_or_path.split(",") if part.strip()]
    if not names:
        raise InterventionError(f"intervention {shorten(name_or_path)!r}: names none; give a catalog name "
                                f"({', '.join(sorted(CATALOG))}), several separated by commas, or a TOML file")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InterventionError(f"intervention {shorten(name_or_path)!r}: {twice[0]!r} is given twice; give each "
                                f"rule once")
    return [named(name) for name in names]


def _label(stem: str, item: dict, count: int) -> str:
    """An item's name in a file: its own, else the file's (with its kind when the file holds several)."""
    return item.get("name") or (stem if count == 1 else f"{stem}:{item.get('kind')}")


def compile_rules(interventions, tick_minutes: int, references: list[dict[str, float]], self_preference: float,
                  referral_fee: float) -> RuleArrays:
    """The kernel's rule vector and price bounds: every slot at its value of ``SLOTS`` (the platform's
    ``self_preference`` and ``referral_fee`` where it has one), then each intervention's ``compile`` in order.

    The scenario has already checked each rule against its clock; this raises
    ``InterventionError`` for a floor above a ceiling, which needs the sellers' benchmark prices.
    """
    defaults = {SELF_PREFERENCE: self_preference, REFERRAL_FEE: referral_fee}
    n = len(references)
    into = RuleArrays(rule=np.array([defaults.get(slot, value) for slot, (value, _) in SLOTS.items()]),
                      floor=np.zeros(n), ceiling=np.full(n, np.inf))
    for item in interventions:
        item.compile(into, tick_minutes, references)
    return into

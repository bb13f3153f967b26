"""Regulators' rules as data, enforced inside the engine's kernel.

An intervention is a small validated record with a ``kind``, a ``name`` and a
``description`` of the real rule it models. A scenario holds a list of them
(``[[interventions]]`` in TOML); they compose. ``compile_rules`` turns the list into the
``rule`` vector and per-seller bounds that the kernel reads every tick, so a rule can be
switched on or off between two ticks (the dashboard does).

Kinds and the rule each models:

* ``change_cap``: at most ``max_changes`` price changes in any ``window`` ticks (e.g. once
  a day; proposals for repricing-frequency limits, Brown and MacKay 2023).
* ``increase_hour``: increases only in the first tick of ``hour``; decreases any time
  (Austria's fuel price rule, 2011: increases only at noon).
* ``daily_price``: one price a day, set at ``hour``, chosen ``notice_hours`` in advance and
  held for 24 hours (Western Australia's FuelWatch, 2001).
* ``min_lag``: no seller may react to rivals' prices fresher than ``ticks`` old.
* ``price_bounds``: a price floor and ceiling (numbers, or cost / nash / monopoly).
* ``ban_rival_pricing``: strategies that condition on rivals' prices are switched off; such
  a seller holds its price.
* ``buybox``: the featured-offer rule: ``neutral`` (lowest price, no self-preferencing),
  ``pdp`` (price-directed prominence: only the lowest-priced listed offers are shown) or
  ``dynamic_pdp`` (prominence stays with the incumbent unless strictly undercut, so
  matching does not win it; Johnson, Rhodes and Wildenbeest 2023, Econometrica).
* ``fee_cap``: the referral fee may not exceed ``max_referral_fee``.
* ``audit``: every ``period`` ticks a regulator compares each seller's mean price over the
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
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from market.tomlfile import read_toml

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

# Slots of the kernel's rule vector.
MAX_CHANGES, CHANGE_WINDOW, INCREASE_TICK, DAILY_TICK, NOTICE, MIN_LAG, BAN_RIVAL, BUYBOX, SELF_PREFERENCE, \
    REFERRAL_FEE, AUDIT_PERIOD, AUDIT_TOLERANCE, AUDIT_FINE, DESTRUCTION_BAN, VAT_RELIEF, STORAGE_FEE_CAP = range(16)
N_RULES = 16
MAX_CHANGE_CAP = 144
BUYBOX_LOWEST, BUYBOX_PDP, BUYBOX_DYNAMIC_PDP = 0, 1, 2
_BUYBOX_CODES = {"neutral": BUYBOX_LOWEST, "pdp": BUYBOX_PDP, "dynamic_pdp": BUYBOX_DYNAMIC_PDP}
PriceBound = float | Literal["cost", "nash", "monopoly"]


class _Rule(BaseModel):
    model_config = _STRICT
    name: str = ""
    description: str = ""


class ChangeCap(_Rule):
    kind: Literal["change_cap"] = "change_cap"
    max_changes: Annotated[int, Field(ge=1, le=MAX_CHANGE_CAP)] = 1
    window: Annotated[int, Field(ge=1)] = 144


class IncreaseHour(_Rule):
    kind: Literal["increase_hour"] = "increase_hour"
    hour: Annotated[int, Field(ge=0, le=23)] = 12


class DailyPrice(_Rule):
    kind: Literal["daily_price"] = "daily_price"
    hour: Annotated[int, Field(ge=0, le=23)] = 6
    notice_hours: Annotated[int, Field(ge=0, le=24)] = 16


class MinLag(_Rule):
    kind: Literal["min_lag"] = "min_lag"
    ticks: Annotated[int, Field(ge=1)] = 6


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


class BanRivalPricing(_Rule):
    kind: Literal["ban_rival_pricing"] = "ban_rival_pricing"


class BuyBox(_Rule):
    kind: Literal["buybox"] = "buybox"
    rule: Literal["neutral", "pdp", "dynamic_pdp"] = "neutral"


class FeeCap(_Rule):
    kind: Literal["fee_cap"] = "fee_cap"
    max_referral_fee: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.08


class Audit(_Rule):
    kind: Literal["audit"] = "audit"
    period: Annotated[int, Field(ge=1)] = 1008
    tolerance: Annotated[float, Field(ge=0.0)] = 0.05
    fine_share: Annotated[float, Field(gt=0.0, le=10.0)] = 0.5


class DestructionBan(_Rule):
    kind: Literal["destruction_ban"] = "destruction_ban"
    scope: Literal["all", "large_firms"] = "all"


class DonationVatRelief(_Rule):
    kind: Literal["donation_vat_relief"] = "donation_vat_relief"
    share: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0


class StorageFeeCap(_Rule):
    kind: Literal["storage_fee_cap"] = "storage_fee_cap"
    max_fee: Annotated[float, Field(ge=0.0)] = 0.03


Intervention = Annotated[ChangeCap | IncreaseHour | DailyPrice | MinLag | PriceBounds | BanRivalPricing | BuyBox
                         | FeeCap | Audit | DestructionBan | DonationVatRelief | StorageFeeCap,
                         Field(discriminator="kind")]
_ADAPTER = TypeAdapter(Intervention)

CATALOG: dict[str, dict] = {
    "once_a_day": {"kind": "change_cap", "max_changes": 1, "window": 144,
                   "description": "At most one price change in any 24 hours."},
    "hourly_cap": {"kind": "change_cap", "max_changes": 1, "window": 6,
                   "description": "At most one price change an hour."},
    "austria_noon": {"kind": "increase_hour", "hour": 12,
                     "description": "Austria's fuel rule (2011): increases only at noon, decreases any time."},
    "wa_24h": {"kind": "daily_price", "hour": 6, "notice_hours": 16,
               "description": "Western Australia's FuelWatch: one price a day from 6 am, notified by 2 pm the "
                              "day before, held 24 hours."},
    "min_lag_1h": {"kind": "min_lag", "ticks": 6,
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
    "weekly_audit": {"kind": "audit", "period": 1008, "tolerance": 0.05, "fine_share": 0.5,
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


class InterventionError(ValueError):
    """Invalid intervention: the message names the field, the value and what is allowed."""


def parse(data: dict, where: str = "intervention") -> Intervention:
    """Validate one intervention given as a dict (with ``kind``)."""
    from market.scenario import format_validation_error

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
        return [parse({"name": path.stem, **item}, f"{path.name}: interventions[{i}]") for i, item in enumerate(items)]
    return [named(part.strip()) for part in name_or_path.split(",") if part.strip()]


def compile_rules(interventions, tick_minutes: int, references: list[dict[str, float]], self_preference: float,
                  referral_fee: float):
    """The kernel's ``rule`` vector and per-seller ``floor`` and ``ceiling`` arrays.

    The scenario has already checked what it can (hours on the tick grid, lags within the
    history kept); this raises ``InterventionError`` for a floor above a ceiling, which needs
    the sellers' benchmark prices.
    """
    n = len(references)
    rule = np.zeros(N_RULES)
    rule[[INCREASE_TICK, DAILY_TICK]] = -1.0
    rule[SELF_PREFERENCE] = self_preference
    rule[STORAGE_FEE_CAP] = np.inf
    rule[REFERRAL_FEE] = referral_fee
    floor = np.zeros(n)
    ceiling = np.full(n, np.inf)
    ticks_per_hour = 60 / tick_minutes
    for item in interventions:
        where = f"intervention {item.name or item.kind!r}"
        if item.kind == "change_cap":
            rule[MAX_CHANGES] = item.max_changes
            rule[CHANGE_WINDOW] = item.window
        elif item.kind == "increase_hour":
            rule[INCREASE_TICK] = item.hour * ticks_per_hour
        elif item.kind == "daily_price":
            rule[DAILY_TICK] = item.hour * ticks_per_hour
            rule[NOTICE] = item.notice_hours * ticks_per_hour
        elif item.kind == "min_lag":
            rule[MIN_LAG] = max(rule[MIN_LAG], item.ticks)
        elif item.kind == "price_bounds":
            for i, ref in enumerate(references):
                if item.floor is not None:
                    floor[i] = max(floor[i], ref[item.floor] if isinstance(item.floor, str) else item.floor)
                if item.ceiling is not None:
                    ceiling[i] = min(ceiling[i], ref[item.ceiling] if isinstance(item.ceiling, str) else item.ceiling)
                if floor[i] > ceiling[i]:
                    raise InterventionError(f"{where}: floor {floor[i]:g} above ceiling {ceiling[i]:g} for seller {i}")
        elif item.kind == "ban_rival_pricing":
            rule[BAN_RIVAL] = 1.0
        elif item.kind == "buybox":
            rule[BUYBOX] = _BUYBOX_CODES[item.rule]
            rule[SELF_PREFERENCE] = 0.0
        elif item.kind == "fee_cap":
            rule[REFERRAL_FEE] = min(rule[REFERRAL_FEE], item.max_referral_fee)
        elif item.kind == "audit":
            rule[AUDIT_PERIOD] = item.period
            rule[AUDIT_TOLERANCE] = item.tolerance
            rule[AUDIT_FINE] = item.fine_share
        elif item.kind == "destruction_ban":
            rule[DESTRUCTION_BAN] = max(rule[DESTRUCTION_BAN], 2.0 if item.scope == "all" else 1.0)
        elif item.kind == "donation_vat_relief":
            rule[VAT_RELIEF] = max(rule[VAT_RELIEF], item.share)
        elif item.kind == "storage_fee_cap":
            rule[STORAGE_FEE_CAP] = min(rule[STORAGE_FEE_CAP], item.max_fee)
    return rule, floor, ceiling

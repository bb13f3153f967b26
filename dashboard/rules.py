"""Regulator rules the dashboard can switch on, expressed as scenario changes.

Until the engine carries interventions as data (``market/interventions.py``), a rule here is
a function from a scenario to dotted-path overrides for ``PricingModel(overrides=...)``; a
rule is then in force from tick 0 of the run that carries it. When the engine lists its own
interventions, this module is the one place that reads that list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from market.scenario import Scenario

HOUR_MINUTES = 60
DAY_MINUTES = 1440


@dataclass(frozen=True)
class Rule:
    """A named rule: ``overrides(scenario)`` gives the dotted-path changes that put it in force."""

    name: str
    label: str
    doc: str
    overrides: Callable[[Scenario], dict[str, object]]


def _no_featured_offer(scenario: Scenario) -> dict[str, object]:
    return {"platform.featured_attention": 0.0}


def _fee_cap(scenario: Scenario) -> dict[str, object]:
    return {"platform.referral_fee": min(scenario.platform.referral_fee, 0.08)}


def _slowest_period(scenario: Scenario, minutes: int) -> dict[str, object]:
    ticks = max(1, minutes // scenario.tick_minutes)
    return {f"sellers.{s.name}.period": max(s.period, ticks) for s in scenario.sellers}


def _daily_changes(scenario: Scenario) -> dict[str, object]:
    return _slowest_period(scenario, DAY_MINUTES)


def _hourly_changes(scenario: Scenario) -> dict[str, object]:
    return _slowest_period(scenario, HOUR_MINUTES)


def _reaction_lag(scenario: Scenario) -> dict[str, object]:
    ticks = min(max(1, HOUR_MINUTES // scenario.tick_minutes), scenario.history - 1)
    return {f"sellers.{s.name}.lag": max(s.lag, ticks) for s in scenario.sellers}


RULES = (
    Rule("no_featured_offer", "No featured offer", "the platform shows all offers alike (no Buy Box)",
         _no_featured_offer),
    Rule("fee_cap", "Referral fee cap 8%", "third-party referral fee at most 8% of price", _fee_cap),
    Rule("hourly_changes", "Prices change at most hourly", "every repricer wakes at most once an hour",
         _hourly_changes),
    Rule("daily_changes", "Prices change at most daily", "one price change a day (Western Australia's fuel rule)",
         _daily_changes),
    Rule("reaction_lag", "Reaction lag of an hour", "repricers see rivals' prices at least an hour late",
         _reaction_lag),
)


def overrides(scenario: Scenario, names: frozenset[str]) -> dict[str, object]:
    """The overrides of the rules in ``names``, applied in ``RULES`` order (later rules win)."""
    changes: dict[str, object] = {}
    for rule in RULES:
        if rule.name in names:
            changes.update(rule.overrides(scenario))
    return changes

"""Regulators' rules for the dashboard: the engine's catalog (``market.interventions.CATALOG``).

A rule switched on applies to model B, on top of the scenario's own interventions. Switching
between two ticks uses ``PricingModel.set_interventions``: the kernel reads the rules every tick.
"""

from market import interventions
from market.model import PricingModel
from market.scenario import Scenario


def catalog() -> dict[str, str]:
    """Every rule the engine offers, by name, with its description."""
    return {name: item["description"] for name, item in interventions.CATALOG.items()}


def with_rules(config: Scenario, names: frozenset[str]) -> Scenario:
    """``config`` with the named rules added (in catalog order), validated by the scenario."""
    return config.with_interventions([interventions.named(name) for name in interventions.CATALOG if name in names])


def switch(model: PricingModel, config: Scenario) -> None:
    """Put the rules of ``config`` in force in ``model`` from its next tick on."""
    model.set_interventions(config.interventions)

"""Regulators' rules for the dashboard: the engine's catalog (``market.interventions.CATALOG``).

A rule switched on applies to model B, on top of the scenario's own interventions. Switching
between two ticks uses the engine's rule vector, which the kernel reads every tick: ``switch``
compiles the rules with the engine's own ``build_state`` and puts the resulting ``rule``,
``floor`` and ``ceiling`` arrays in place. It stands in for a ``PricingModel`` method that
would do the same (asked of the core).
"""

from market import engine, interventions
from market.model import PricingModel
from market.scenario import Scenario

RULE_ARRAYS = ("rule", "floor", "ceiling")


def catalog() -> dict[str, str]:
    """Every rule the engine offers, by name, with its description."""
    return {name: item["description"] for name, item in interventions.CATALOG.items()}


def with_rules(config: Scenario, names: frozenset[str]) -> Scenario:
    """``config`` with the named rules added (in catalog order), validated by the scenario."""
    return config.with_interventions([interventions.named(name) for name in interventions.CATALOG if name in names])


def switch(model: PricingModel, config: Scenario) -> None:
    """Put the rules of ``config`` in force in ``model`` from its next tick on."""
    compiled = engine.build_state(config, horizon=0)
    for name in RULE_ARRAYS:
        getattr(model.state, name)[:] = getattr(compiled, name)

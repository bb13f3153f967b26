"""The rules panel reads the engine's catalog and compiles rules with the engine."""

import numpy as np

from dashboard import rules
from market import interventions
from market.model import PricingModel


def test_the_catalog_is_the_engines():
    assert list(rules.catalog()) == list(interventions.CATALOG)


def test_with_rules_adds_them_in_catalog_order(lab):
    config = rules.with_rules(lab.config, frozenset({"pdp", "once_a_day"}))
    added = config.interventions[len(lab.config.interventions):]
    assert [i.name for i in added] == ["once_a_day", "pdp"]


def test_switch_puts_the_compiled_rules_in_place(lab):
    model = PricingModel(lab.config)
    config = rules.with_rules(lab.config, frozenset({"once_a_day"}))
    rules.switch(model, config)
    np.testing.assert_array_equal(model.state.rules.value, PricingModel(config).state.rules.value)

"""A sweep run with a ``[respond]`` table: the responders re-tune in the run's scenario before it is measured.

Each run (grid point and seed) searches its own equilibrium (:func:`experiments.respond.equilibrium.equilibrium`,
serially in the worker that runs it, on seeds derived from the run's seed), then is measured at it. The
run's row gets the settings chosen, ``respond.<seller>.<setting>`` (``strategy`` as text; a parameter the
chosen strategy does not have is null), how the search ended (``respond_status``) and the simulations it
needed (``respond_simulations``).
"""

import polars as pl

from experiments.respond.equilibrium import equilibrium
from experiments.respond.plan import Plan
from experiments.respond.space import Responder, responders
from market.scenario import Scenario


def retune(scenario: Scenario, plan: Plan) -> tuple[Scenario, pl.DataFrame]:
    """``scenario`` at the responders' equilibrium, and the row of columns that say what they chose."""
    found = equilibrium(scenario, plan)
    row = {}
    for responder, setting in zip(found.responders, found.chosen, strict=True):
        chosen = dict(setting.values)
        row[f"respond.{responder.name}.strategy"] = pl.Series([setting.strategy], dtype=pl.String)
        for name in settings(responder):
            row[f"respond.{responder.name}.{name}"] = pl.Series([chosen.get(name)], dtype=pl.Float64)
    row["respond_status"] = pl.Series([found.status], dtype=pl.String)
    row["respond_simulations"] = pl.Series([found.simulations], dtype=pl.Int64)
    return found.scenario, pl.DataFrame(row)


def settings(responder: Responder) -> list[str]:
    """Every setting the responder may choose, over all its options, in order of first appearance."""
    return list(dict.fromkeys(k.name for option in responder.options for k in option.knobs))


def check(plan: Plan, scenario: Scenario, where: str) -> None:
    """``UsageError`` naming ``where`` if ``scenario`` cannot take the plan."""
    responders(plan, scenario, where)

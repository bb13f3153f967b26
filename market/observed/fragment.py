"""Inferred repricers as a scenario fragment: TOML ``[[sellers]]`` tables that a calibration merges by name.

Each seller whose rule was found gets ``name``, ``strategy``, ``params``, ``period``, ``phase`` and ``lag``
(ticks of the panel's grid; a phase counts ticks from midnight, so a scenario whose tick 0 is midnight
wakes the seller at the same time of day), and ``active_hours`` where it reprices only in some hours
(``[from, until)``: the start of its first active tick and the end of its last, in hours of the same
clock). A parameter at ``"cost"`` follows the seller's cost, as in a scenario. Sellers for which no rule
fits are listed in a comment, and so is everything the fragment cannot say (the panel's grid, the tick
offset, uncertainty).
"""

from market.observed.grid import Cells
from market.observed.infer import Fit
from market.scenario import dump_toml

DIGITS = 6


def _number(value):
    return round(value, DIGITS) if isinstance(value, float) else value


def seller_table(fit: Fit, minutes: float) -> dict:
    """The ``[[sellers]]`` table of a seller whose rule was found (``minutes``: the minutes of a tick)."""
    table = {"name": fit.seller, "strategy": fit.strategy,
             "params": {k: _number(v) for k, v in fit.params.items()},
             "period": fit.period if fit.period is not None else 1,
             "phase": fit.phase if fit.phase is not None else 0, "lag": fit.lag if fit.lag is not None else 0}
    if fit.hours is not None:
        table["active_hours"] = [_number(fit.hours.first * minutes / 60.0),
                                 _number((fit.hours.last + 1) * minutes / 60.0)]
    return table


def fragment(fits: list[Fit], cells: Cells, command: str) -> str:
    """The TOML text of the fragment (module docstring)."""
    found = [f for f in fits if f.strategy is not None]
    missing = [f"{f.seller} (best: {f.best}, score {f.score:.3f})" for f in fits if f.strategy is None]
    tick = f"{cells.tick:g} minutes" if cells.unit == "minutes" else f"{cells.tick:g} {cells.unit}"
    header = [f"# Repricers inferred by `{command}`.",
              f"# Ticks of {tick}, counted from midnight"
              + (f" plus {cells.offset:g} minutes (when these sellers reprice)" if cells.offset else "") + ";",
              "# period, phase and lag are in these ticks. Merge by seller name into a scenario with the same tick.",
              "# Sellers whose price never moved have no cadence or lag: period 1, phase 0, lag 0 are placeholders."]
    if missing:
        header.append(f"# No rule fits: {'; '.join(missing)}.")
    for f in found:
        if f.hours:
            header.append(f"# {f.seller} reprices only from {f.hours.start} to {f.hours.end} by the clock "
                          f"(active_hours, in the ticks' hours).")
        if f.reset:
            header.append(f"# {f.seller} also resets daily at {f.reset.time} to {f.reset.to:.6g} ({f.reset.days} of "
                          f"{f.reset.of_days} days), which its rule does not do.")
    tables = [seller_table(f, cells.minutes(1)) for f in found]
    return "\n".join(header) + "\n\n" + dump_toml({"sellers": tables}).lstrip("\n")

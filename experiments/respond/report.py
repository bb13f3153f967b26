"""What ``compare --respond`` reports: the settings each responder chose in each arm, its gain from re-tuning,
whether the search converged, and the rule's effect with settings fixed and with firms responding, side by side.

Written beside the comparison's own files: ``respond.parquet`` (one row per arm, responder and setting),
``respond_effects.parquet`` (one row per arm and outcome, both effects), the ``responding/`` folder (the
comparison of the arms at their equilibria, a report of its own), a section of ``compare.md`` and
``compare.html`` (:func:`section`), the ``respond`` object of ``--json`` (:func:`as_json`) and lines on the
terminal (:func:`lines`).
"""

import math

import polars as pl

from experiments.compare_summary import answer, number
from experiments.respond.comparison import Responding
from experiments.respond.equilibrium import CYCLE, Equilibrium
from experiments.respond.space import Setting
from experiments.stats import paired
from market.results import run_id
from market.scenario import Scenario

STRATEGY = "strategy"
SHOWN = ("consumer_surplus", "weighted_price", "mean_price", "industry_profit", "delta", "price_changes_per_day")


def gains(fixed_runs: pl.DataFrame, responding: Responding) -> dict[tuple[str, str], dict]:
    """Each responder's gain from re-tuning in each arm, measured on the comparison's seeds: its firm's profit per
    tick (the seller's own where it has no co-owned sellers) at the equilibrium minus with settings as given,
    paired by seed (``experiments.stats.paired``)."""
    out = {}
    for arm, found in responding.found.items():
        firms = [s.firm for s in found.scenario.sellers]
        for r in found.responders:
            firm = found.scenario.sellers[found.scenario.seller_index(r.name)].firm
            level, name = ("owner", firm) if firms.count(firm) > 1 else ("seller", r.name)
            before, after = (_profits(runs, arm, level, name) for runs in (fixed_runs, responding.runs))
            joined = before.join(after, on="seed", suffix="_after").sort("seed")
            out[(arm, r.name)] = paired(joined["value"].to_numpy(), joined["value_after"].to_numpy())
    return out


def settings_frame(base: Scenario, responding: Responding, measured: dict) -> pl.DataFrame:
    """``respond.parquet``: per arm, responder and setting (``strategy``, its parameters, ``period``), the value
    given and chosen, the search's outcome and the responder's profits and gain (module docstring)."""
    rows = []
    for arm, found in responding.found.items():
        seed = found.seeds[0]
        rid = run_id(found.scenario.replace(seed=seed))
        for k, r in enumerate(found.responders):
            gain = measured[(arm, r.name)]
            for setting, given, chosen in _settings(r.given, found.chosen[k]):
                rows.append({
                    "scenario": base.name, "seed": seed, "run_id": rid, "arm": arm, "seller": r.name,
                    "setting": setting, "given": _text(given), "chosen": _text(chosen),
                    "given_value": _number(given), "chosen_value": _number(chosen),
                    "status": found.status, "rounds": found.rounds, "simulations": found.simulations,
                    "search_seeds": len(found.seeds),
                    "profit_given": float(found.profit_given[k]), "profit_chosen": float(found.profit_chosen[k]),
                    "remaining_gain": float(found.remaining_gain[k]), "gain": gain["difference"],
                    "gain_ci_low": gain["ci_low"], "gain_ci_high": gain["ci_high"], "n": gain["n"]})
    return pl.DataFrame(rows, schema_overrides={"seed": pl.Int64, "rounds": pl.Int64, "simulations": pl.Int64,
                                                "search_seeds": pl.Int64, "n": pl.Int64})


def effects_frame(base: Scenario, effects: pl.DataFrame) -> pl.DataFrame:
    """``respond_effects.parquet``: the side-by-side table with the comparison's scenario, its seed (the one the
    run seeds derive from) and the id of its base scenario."""
    return effects.select(pl.lit(base.name).alias("scenario"), pl.lit(base.seed, dtype=pl.Int64).alias("seed"),
                          pl.lit(run_id(base)).alias("run_id"), pl.all())


def section(responding: Responding, effects: pl.DataFrame, measured: dict) -> list[str]:
    """The Markdown section of ``compare.md``: how firms re-tune, what they chose, and both effects."""
    any_found = next(iter(responding.found.values()))
    plan = any_found.plan
    one = len(any_found.responders) == 1
    who = ", ".join(r.name for r in any_found.responders) + (" chooses the settings of its repricer to maximise "
                                                            "its" if one else " choose the settings of their "
                                                            "repricers to maximise their")
    lines = ["", "## With firms re-tuning their repricers", "",
             f"Before each arm is measured, {who} own profit per tick given the others' (the equilibrium in delegated "
             "strategies, Musolff 2022): iterated best response on the fast engine, every candidate measured on "
             f"the same {len(any_found.seeds)} seed(s) (common random numbers), each setting searched on a grid of "
             f"{plan.points} points refined to {plan.resolution:.0%} of its range; a seller moves only if it gains "
             f"more than max({plan.tolerance:g}, {plan.relative_tolerance:g} x its profit) per tick. Each arm is "
             "then measured at its own equilibrium on the comparison's seeds, and its effect taken against the "
             "baseline at its equilibrium (the whole comparison: `responding/compare.md`).",
             "", "| arm | seller | settings (given -> chosen) | profit per tick on the search seeds, given -> chosen "
             "| gain on the comparison's seeds (95% CI) | search |", "|---|---|---|---|---|---|"]
    for arm, found in responding.found.items():
        for k, r in enumerate(found.responders):
            g = measured[(arm, r.name)]
            lines.append(f"| {arm} | {r.name} | {_changes(r.given, found.chosen[k])} | "
                         f"{found.profit_given[k]:.4f} -> {found.profit_chosen[k]:.4f} | {number(g['difference'])} "
                         f"[{number(g['ci_low'])}, {number(g['ci_high'])}] | {_search(found)} |")
    lines += _cycles(responding)
    for arm in responding.arms[1:]:
        lines += ["", f"**Answer with firms responding ({arm.name} vs {responding.arms[0].name}).** "
                  f"{answer(responding.table, arm)}", ""]
        lines += _effects_table(effects.filter(pl.col("arm") == arm.name), responding.arms[0].name, arm.name)
    return lines


def as_json(responding: Responding, effects: pl.DataFrame, measured: dict) -> dict:
    """The ``respond`` object of ``--json``: per arm the search and each responder's settings and gains, and
    per treated arm both effects of every outcome."""
    any_found = next(iter(responding.found.values()))
    out = {"sellers": [r.name for r in any_found.responders], "plan": any_found.plan.canonical(),
           "search_seeds": list(any_found.seeds), "arms": {}, "effects": {}}
    for arm, found in responding.found.items():
        out["arms"][arm] = {
            "status": found.status, "converged": found.converged, "rounds": found.rounds,
            "simulations": found.simulations, "wall_s": found.wall_s,
            "cycle": [[str(s) for s in profile] for profile in found.cycle],
            "sellers": {r.name: {"given": _as_dict(r.given), "chosen": _as_dict(found.chosen[k]),
                                 "profit_given": float(found.profit_given[k]),
                                 "profit_chosen": float(found.profit_chosen[k]),
                                 "remaining_gain": float(found.remaining_gain[k]),
                                 "gain": measured[(arm, r.name)]} for k, r in enumerate(found.responders)}}
    for row in effects.iter_rows(named=True):
        where = out["effects"].setdefault(row["arm"], {})
        key = row["metric"] if row["level"] == "market" else f"{row['level']}.{row['name']}.{row['metric']}"
        where[key] = {kind: {c.removeprefix(f"{kind}_"): row[c] for c in row if c.startswith(f"{kind}_")}
                      for kind in ("fixed", "responding")}
    return out


def lines(responding: Responding, effects: pl.DataFrame, measured: dict) -> list[str]:
    """What the terminal shows: each responder's choice and gain per arm, then the headline effects both ways."""
    out = ["firms re-tuning their repricers:"]
    for arm, found in responding.found.items():
        for k, r in enumerate(found.responders):
            g = measured[(arm, r.name)]
            out.append(f"  {arm}: {r.name} {_changes(r.given, found.chosen[k])}; gain {number(g['difference'])} "
                       f"per tick [{number(g['ci_low'])}, {number(g['ci_high'])}]; {_search(found)}")
    for row in effects.filter((pl.col("level") == "market") & pl.col("metric").is_in(SHOWN)).iter_rows(named=True):
        out.append(f"  {row['arm']}: {row['metric']}: settings fixed {_effect(row, 'fixed')}; firms responding "
                   f"{_effect(row, 'responding')}")
    return out


def _effects_table(rows: pl.DataFrame, baseline: str, arm: str) -> list[str]:
    shown = rows.filter((pl.col("level") == "market") & ((pl.col("fixed_difference") != 0)
                                                         | (pl.col("responding_difference") != 0))
                        | (pl.col("level") == "seller") & (pl.col("metric") == "profit"))
    out = [f"| outcome | settings fixed: {baseline} -> {arm} | effect (95% CI) | firms responding: {baseline} -> "
           f"{arm} | effect (95% CI) |", "|---|---:|---|---:|---|"]
    for r in shown.iter_rows(named=True):
        who = "" if r["level"] == "market" else f"{r['name']} "
        out.append(f"| {who}{r['metric']} | {r['fixed_baseline']:.4f} -> {r['fixed_mean']:.4f} | "
                   f"{_effect(r, 'fixed')} | {r['responding_baseline']:.4f} -> {r['responding_mean']:.4f} | "
                   f"{_effect(r, 'responding')} |")
    return out


def _effect(row: dict, kind: str) -> str:
    relative = row[f"{kind}_relative_change_pct"]
    pct = "" if relative is None or not math.isfinite(relative) else f" ({relative:+.1f}%)"
    return (f"{number(row[f'{kind}_difference'])}{pct} [{number(row[f'{kind}_ci_low'])}, "
            f"{number(row[f'{kind}_ci_high'])}]")


def _search(found: Equilibrium) -> str:
    ended = {"converged": f"converged in {found.rounds} round(s)", CYCLE: f"best responses cycle (length "
             f"{len(found.cycle)}), found in round {found.rounds}"}.get(found.status, f"not converged in "
                                                                          f"{found.rounds} rounds")
    return f"{ended}; {found.simulations:,} simulations, {found.wall_s:.1f} s"


def _cycles(responding: Responding) -> list[str]:
    out = []
    for arm, found in responding.found.items():
        if found.status == CYCLE:
            shown = "; ".join(" / ".join(str(s) for s in profile) for profile in found.cycle)
            out += ["", f"**Warning ({arm}):** the best responses cycle through {shown}: no equilibrium in these "
                        "settings was found; the arm is measured where the cycle closed."]
        elif not found.converged:
            out += ["", f"**Warning ({arm}):** the search did not converge in {found.rounds} rounds; the arm is "
                        "measured at the last settings reached."]
    return out


def _changes(given: Setting, chosen: Setting) -> str:
    parts = [] if given.strategy == chosen.strategy else [f"strategy {given.strategy} -> {chosen.strategy}"]
    before = dict(given.values)
    for name, value in chosen.values:
        old = before.get(name)
        if old != value:
            parts.append(f"{name} {_text(old) if old is not None else '-'} -> {_text(value)}")
    return "; ".join(parts) if parts else "as given (" + ", ".join(f"{k} {_text(v)}" for k, v in given.values) + ")"


def _settings(given: Setting, chosen: Setting) -> list[tuple[str, object, object]]:
    before, after = dict(given.values), dict(chosen.values)
    names = list(after) + [n for n in before if n not in after]
    return [(STRATEGY, given.strategy, chosen.strategy)] + [(n, before.get(n), after.get(n)) for n in names]


def _as_dict(setting: Setting) -> dict:
    return {STRATEGY: setting.strategy, **dict(setting.values)}


def _profits(runs: pl.DataFrame, arm: str, level: str, name: str) -> pl.DataFrame:
    return runs.filter((pl.col("arm") == arm) & (pl.col("level") == level) & (pl.col("name") == name)
                       & (pl.col("metric") == "profit")).select("seed", "value")


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return f"{value:.6g}"


def _number(value) -> float | None:
    return None if value is None or isinstance(value, str) else float(value)

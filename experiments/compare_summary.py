"""The first page of a comparison's report, in plain language: the question, the answer with its interval, the
mechanism in one sentence, what the answer covers (the settled market, or the whole run when it differs), how it
depends on the parameters drawn, and the caveats that apply (convergence, the warm-up, what the seeds vary,
Delta's benchmark)."""

import math

import polars as pl

from experiments.arms import Arm
from experiments.compare import convergence, disagree, warm_ups
from experiments.uncertainty import Vary
from market import strategies
from market.metrics import profit_gain
from market.scenario import Scenario
from market.strategies.learning import seller_grid

ANSWER = (("consumer_surplus", "consumer surplus", "per tick"), ("weighted_price", "the price consumers pay "
          "(quantity-weighted)", "per unit"), ("industry_profit", "industry profit", "per tick"))


def _row(table: pl.DataFrame, arm: str, level: str, name: str, metric: str) -> dict | None:
    found = table.filter((pl.col("arm") == arm) & (pl.col("level") == level) & (pl.col("name") == name)
                         & (pl.col("metric") == metric))
    return found.row(0, named=True) if found.height else None


def number(x: float) -> str:
    """``x`` to 4 significant digits, with a sign; float noise below 1e-12 shown as 0."""
    return "+0" if abs(x) < 1e-12 else f"{x:+.4g}"


def _change(r: dict, unit: str) -> str:
    relative = "" if not math.isfinite(r["relative_change_pct"]) else f", {r['relative_change_pct']:+.1f}%"
    return (f"{number(r['difference'])} {unit} ({r['baseline']:.4g} -> {r['mean']:.4g}{relative}; 95% CI "
            f"[{number(r['ci_low'])}, {number(r['ci_high'])}])")


def answer(table: pl.DataFrame, arm: Arm) -> str:
    """``Consumer surplus changes by ... ; ...``: the outcomes that matter to consumers first."""
    parts = [f"{label} changes by {_change(r, unit)}" for metric, label, unit in ANSWER
             if (r := _row(table, arm.name, "market", "market", metric)) is not None]
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def mechanism(table: pl.DataFrame, arm: Arm) -> str:
    """One sentence on what moved: price changes a day, the largest shift of the Buy Box, the largest shift of
    sales between sellers."""
    said = []
    changes = _row(table, arm.name, "market", "market", "price_changes_per_day")
    if changes is not None and changes["difference"] != 0:
        said.append(f"price changes go from {changes['baseline']:.3g} to {changes['mean']:.3g} a day")
    sellers = table.filter((pl.col("arm") == arm.name) & (pl.col("level") == "seller"))
    for metric, what in (("featured_share", "share of ticks holding the Buy Box"), ("share", "share of sales")):
        moved = sellers.filter((pl.col("metric") == metric) & (pl.col("difference").abs() > 0.005))
        if moved.height:
            top = moved.sort(pl.col("difference").abs(), descending=True).row(0, named=True)
            said.append(f"{top['name']}'s {what} goes from {top['baseline']:.1%} to {top['mean']:.1%}")
    if not said:
        return "No price, Buy Box holder or share of sales moves by more than half a percentage point."
    return "Mechanism: " + "; ".join(said) + "."


def transient(table: pl.DataFrame, arm: Arm) -> str | None:
    """A warning when a headline effect over the whole runs (warm-up included) differs in sign, or by more than
    half, from the settled market's (``experiments.compare.disagree``); None when they agree."""
    said = []
    for metric, label, unit in ANSWER:
        r = _row(table, arm.name, "market", "market", metric)
        if r is not None and disagree(r["difference"], r["whole_difference"], r["baseline"]):
            said.append(f"{label} {number(r['whole_difference'])} {unit} (settled: {number(r['difference'])})")
    if not said:
        return None
    return ("**Warning: the start-up changes the answer.** Over the whole runs, warm-up included, the effects would "
            "be: " + "; ".join(said) + ". They differ in sign or by more than half from the settled market's above: "
            "that part of a whole-run figure is the market's path from its initial prices, not the rule's lasting "
            "effect.")


def signs(shares: pl.DataFrame, arm: Arm, varies: list[Vary]) -> str | None:
    """``Across the 20 draws of ...: consumer surplus rises in 65% and falls in 35%; ...`` (None without draws)."""
    if not varies:
        return None
    parts = []
    for metric, label, _ in ANSWER:
        found = shares.filter((pl.col("arm") == arm.name) & (pl.col("metric") == metric))
        if found.height:
            r = found.row(0, named=True)
            parts.append(f"{label} rises in {r['positive']:.0%} and falls in {r['negative']:.0%}")
    n = shares.filter(pl.col("arm") == arm.name)["n"].max()
    return (f"**Across the {n} draws** of {', '.join(v.path for v in varies)} ({arm.name} vs its baseline): "
            + "; ".join(parts) + " of them (each effect against each drawn parameter: the chart below).")


def measurement(base: Scenario, runs: pl.DataFrame) -> list[str]:
    """What the runs measure: after each arm's warm-up (its length, whether and how prices had settled), or from
    the start."""
    summary = warm_ups(runs).filter(pl.col("warmed_runs") > 0)
    if not summary.height and runs["trained"].any():
        return ["No warm-up ([measure]) after training: the frozen learners' play is measured from the end of "
                "training, as the papers measure it."]
    if not summary.height:
        return ["No warm-up: every run is measured from tick 0, the market's path from its initial prices "
                "included. A [measure] table in the scenario measures the settled market (pricelab's README, "
                "*Measure the settled market*)."]
    arms = []
    for r in summary.iter_rows(named=True):
        ticks = (f"{r['warm_up_ticks_min']:,.0f}" if r["warm_up_ticks_min"] == r["warm_up_ticks_max"]
                 else f"{r['warm_up_ticks_min']:,.0f} to {r['warm_up_ticks_max']:,.0f}")
        found = (["constant prices"] if 1 in r["cycles"] else []) + [
            f"a cycle of {_span(base, c)}" for c in r["cycles"] if c > 1] + (
            ["no drift"] if "drift" in (r["settled_by"] or "") else [])
        how = f" ({' or '.join(found)})" if found else ""
        arms.append(f"{r['arm']}: {ticks} ticks ({_span(base, r['warm_up_ticks_mean'])}), prices settled in "
                    f"{r['settled_share']:.0%} of runs{how}")
    out = ["Measured on the settled market: each run first ran a warm-up ([measure]) and only the ticks after it "
           "count (arms that detect their warm-up are measured from the longest of theirs, on the same ticks). "
           "Warm-ups: " + "; ".join(arms) + "."]
    unsettled = summary.filter(pl.col("settled_share") < 1.0)
    if unsettled.height:
        out.append("Prices had not settled by the end of the warm-up in some runs (" + ", ".join(
            f"{r['arm']}: {1 - r['settled_share']:.0%}" for r in unsettled.iter_rows(named=True)) + "): those runs "
            "measure a market still moving; lengthen the warm-up or the horizon.")
    return out


def _span(base: Scenario, ticks: float) -> str:
    """``2 days``, ``12 h`` or ``30 min`` for a number of ticks."""
    minutes = ticks * base.tick_minutes
    if minutes >= 1440:
        return f"{minutes / 1440:.3g} day{'' if minutes == 1440 else 's'}"
    return f"{minutes / 60:.3g} h" if minutes >= 60 else f"{minutes:.3g} min"


def seeds_vary(scenarios: list[Scenario], varies: list[Vary]) -> list[str]:
    """What a seed changes in these markets: Poisson arrivals, demand shocks, sampled choices, learners'
    exploration, drawn parameters."""
    vary = []
    if any(s.demand.arrivals == "poisson" for s in scenarios):
        vary.append("Poisson shopper arrivals")
    if any(s.demand.xi_sd > 0.0 for s in scenarios):
        vary.append("the daily demand shocks")
    if any(s.demand.choices == "sampled" for s in scenarios):
        vary.append("shoppers' sampled choices")
    if any(strategies.get(seller.strategy).learns for s in scenarios for seller in s.sellers):
        vary.append("the learners' exploration (hence what they learn)")
    vary += [f"the parameter {v}" for v in varies]
    return vary


def _benchmark_caveats(arms: list[Arm]) -> list[str]:
    """What Delta's benchmarks are in each arm where the platform's display moves demand, and, where no pure Nash
    equilibrium exists, which Nash figure Delta uses and the bounds."""
    out = []
    shown = [(arm, arm.scenario.benchmarks) for arm in arms]
    if any(b.display for _, b in shown):
        out.append("Delta's Nash and monopoly benchmarks are those of the demand sellers face in each arm: the "
                   "featured offer's attention, self-preference, the Buy Box rule, fees and owners in force; "
                   "a rule of display or fees therefore moves the benchmarks too, so Delta can move where prices "
                   "do not (market.benchmarks.display_game).")
    said = {}
    for arm, b in shown:
        if b.nash == "cycle":
            said.setdefault(
                f"no static Nash equilibrium in pure prices exists (best responses cycle around the Buy Box, as "
                f"Edgeworth cycles): Delta's Nash is the mean industry profit of that cycle, "
                f"{b.nash_industry_profit:.4g} per tick (between {b.nash_industry_profit_low:.4g} and "
                f"{b.nash_industry_profit_high:.4g}); monopoly {b.monopoly_industry_profit:.4g}.", []).append(arm.name)
        elif b.nash == "step":
            said.setdefault(
                f"no static Nash equilibrium exists in continuous prices (Bertrand with unequal costs): Delta's Nash "
                f"is where best responses settle, one undercut step from the limit ({b.nash_industry_profit:.4g} per "
                f"tick).", []).append(arm.name)
    for text, names in said.items():
        *rest, last = [repr(name) for name in names]
        quoted = f"{', '.join(rest)} and {last}" if rest else last
        out.append(f"In arm{'s' if len(names) > 1 else ''} {quoted}, {text}")
    for arm, b in shown:
        out += _grid_floor(arm, b)
    return out


def _grid_floor(arm: Arm, b) -> list[str]:
    """A caveat where learners' price grids (from the display-blind benchmarks, the same in every arm) start above
    the arm's Nash prices: Delta then counts what the grid's floor earns as a gain."""
    scenario = arm.scenario
    price = b.nash_price.copy()
    floors = []
    for i, seller in enumerate(scenario.sellers):
        spec = strategies.get(seller.strategy)
        if not spec.learns:
            continue
        grid = seller_grid(spec, spec.resolve(seller.params, scenario.references(i)),
                           scenario.plain_benchmarks.nash_price, scenario.plain_benchmarks.monopoly_price)
        if grid.size and grid[0] > b.nash_price[i] + 1e-9:
            price[i] = grid[0]
            floors.append(f"{seller.name} {grid[0]:.4g} (Nash {b.nash_price[i]:.4g})")
    if not floors:
        return []
    game, display = scenario.static_game(), scenario.display()
    floor = profit_gain(display.seen(game, price).industry_profit(price), b.nash_industry_profit,
                        b.monopoly_industry_profit)
    return [f"In arm {arm.name} the learners' price grids (Calvano et al.'s, from the display-blind benchmarks, the "
            f"same in every arm) start above that arm's static Nash prices: {', '.join(floors)}. Learners at the "
            f"lowest price of their grid would already show Delta {floor:.2f}: only Delta above that figure, not "
            "above 0, is what their play adds."]


def caveats(base: Scenario, arms: list[Arm], runs: pl.DataFrame, table: pl.DataFrame,
            varies: list[Vary]) -> list[str]:
    """The caveats that apply, each one line."""
    out = []
    trained = convergence(runs).filter(pl.col("trained_runs") > 0)
    for r in trained.iter_rows(named=True):
        if r["converged_share"] < 1.0:
            out.append(f"Learners in arm {r['arm']} converged in {r['converged_share']:.0%} of runs only; the others "
                       f"play as they were after {r['training_ticks_mean']:,.0f} ticks of training on average.")
    if trained.height and (trained["converged_share"] == 1.0).all():
        out.append("Learners were trained to convergence in every run and measured on their frozen play.")
    out += measurement(base, runs)
    vary = seeds_vary([a.scenario for a in arms], varies)
    n = runs["seed"].n_unique()
    if vary:
        out.append(f"The {n} seeds vary {', '.join(vary)}; intervals measure that variation only"
                   + ("" if varies else ", not the uncertainty about the model's parameters (see --vary)") + ".")
    else:
        out.append(f"The seeds vary nothing in this market (expected arrivals, no learners): all {n} seeds give the "
                   "same result, so every interval has zero width and measures nothing. Use --vary to draw "
                   "uncertain parameters per seed.")
    flat = table.filter((pl.col("n") > 1) & (pl.col("ci_low") == pl.col("ci_high")) & (pl.col("difference") != 0))
    if vary and flat.height:
        out.append(f"{flat.height} outcome(s) have intervals of zero width: identical on every seed, the seeds "
                   f"do not move them (e.g. {flat['metric'][0]} of {flat['name'][0]} in {flat['arm'][0]}).")
    out += _benchmark_caveats(arms)
    out.append(f"A stylised market ({base.name}): the figures are this model's under its assumptions below, not a "
               "forecast for a real market.")
    return out

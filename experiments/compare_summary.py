"""The first page of a comparison's report, in plain language: the question, the answer with its interval, the
mechanism in one sentence, and the caveats that apply (convergence, what the seeds vary, Delta's benchmark)."""

import math

import polars as pl

from experiments.arms import Arm
from experiments.compare import convergence
from experiments.uncertainty import Vary
from market import strategies
from market.scenario import Scenario

ANSWER = (("consumer_surplus", "consumer surplus", "per tick"), ("weighted_price", "the price consumers pay "
          "(quantity-weighted)", "per unit"), ("industry_profit", "industry profit", "per tick"))
RULES_DELTA_IGNORES = ("buybox", "fee_cap")


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
    kinds = {item.kind for a in arms for item in a.items}
    if kinds & set(RULES_DELTA_IGNORES):
        out.append("Delta's Nash and monopoly benchmarks ignore the Buy Box and fee rules in force ("
                   + ", ".join(sorted(kinds & set(RULES_DELTA_IGNORES))) + "): Delta can move with no price "
                   "moving; read prices, surplus and profits instead.")
    out.append(f"A stylised market ({base.name}): the figures are this model's under its assumptions below, not a "
               "forecast for a real market.")
    return out

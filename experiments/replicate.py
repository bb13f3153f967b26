"""Replications of Calvano et al. (2020) and Klein (2021): run sessions, aggregate, write a report.

Headline numbers (``--json``): ``delta_mean`` and ``delta_sd`` (profit gain over the limit
cycle, across sessions), ``converged_share``, ``periods_mean``, ``price_mean``,
``cycle_lengths`` (share of sessions by cycle length), ``sessions``, ``wall_seconds`` and
``periods_per_second``. Calvano adds ``cycle_share_1``, ``cycle_share_2``, ``cycle_share_3plus``
(the paper's Table 1 groups), ``one_shot_proof_share`` (no seller gains from a one-period
deviation on path followed by its own learned strategy: the paper's equilibrium test),
``nash_share`` (both sellers best-respond in every cycle state: a stricter test of our own),
``best_reply_gap_mean`` (a best reply's relative gain on path, the larger seller's, averaged
over sessions) and ``unprofitable_deviation_share`` (the impulse response's forced deviation
loses in discounted terms); Klein adds ``profit_mean`` (Klein's profitability),
``profitability_mean`` (the same over the joint-profit optimum 1/8) and ``constant_share``.
The report sets the paper's figures for the design run (``experiments.papers``) beside ours.
"""

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from experiments import papers, report_figures
from experiments.atomic import write_parquet, write_text
from experiments.errors import UsageError
from market import budget
from market.learning.klein import JOINT_PROFIT, KleinSetup, klein_summary
from market.learning.qlearning import QLearningSetup
from market.learning.sessions import run_sessions, session_seeds
from market.learning.summary import calvano_summary

GRID_ALPHA = (0.05, 0.1, 0.15, 0.2, 0.25)
GRID_BETA = (1e-6, 2e-6, 4e-6, 8e-6, 1.6e-5)
MEASURES = {
    "calvano2020": "Delta is measured over the limit cycle of greedy play from where learning stopped, as in the "
                   "paper. one_shot_proof_share is the paper's 'Nash equilibrium on path' test (no seller gains from "
                   "a one-period deviation on the cycle followed by its own learned strategy). The impulse response "
                   "forces seller 1 to its static best response on the grid for one period from a cycle state.",
    "klein2021": "Each session runs Klein's fixed 500,000 periods (the paper has no convergence rule; 'converged' is "
                 "pricelab's: no greedy price changed in the last 100,000). Cycle lengths count periods, one seller "
                 "moving in each: a constant price pair (focal price) has length 2. profit_mean is Klein's "
                 "profitability, the mean profit per seller on the cycle.",
}
OWN = {
    "calvano2020": {"nash_share": "both sellers' greedy strategies are best replies (policy iteration against the "
                                  "rivals' greedy strategies) in every state of the cycle: stricter than the paper's "
                                  "on-path test",
                    "best_reply_gap_mean": "the relative gain of that best reply, the larger seller's, averaged"},
    "klein2021": {"profitability_mean": "profit_mean / (1/8), the joint-profit optimum per seller",
                  "delta_mean": "Delta from the grid's competitive profit (both at 1/k): pricelab's, not Klein's "
                                "(Klein's competitive benchmark is the most competitive Edgeworth-cycle equilibrium)",
                  "constant_share": "share of sessions ending at a constant price pair (focal price)"},
}


def calvano_setup(n_firms: int | None, costs: list[float] | None, qualities: list[float] | None, alpha: float,
                  beta: float, delta: float, m: int, xi: float, max_periods: int) -> QLearningSetup:
    """Validated Calvano setup; ``UsageError`` naming the parameter otherwise."""
    counts = {flag: len(v) for flag, v in (("--costs", costs), ("--qualities", qualities)) if v is not None}
    if n_firms is not None:
        counts["--n-firms"] = n_firms
    if len(set(counts.values())) > 1:
        raise UsageError("sellers: " + ", ".join(f"{flag} gives {k}" for flag, k in counts.items()) + ": must agree")
    n = next(iter(counts.values()), 2)
    if max_periods < 1:
        raise UsageError(f"--max-periods = {max_periods}: must be >= 1")
    try:
        return QLearningSetup.calvano(n_sellers=n, cost=1.0 if costs is None else costs,
                                      quality=2.0 if qualities is None else qualities, alpha=alpha, beta=beta,
                                      delta=delta, m=m, xi=xi, max_periods=max_periods)
    except ValueError as err:
        raise UsageError(f"--{err}".replace("n_sellers", "n-firms")) from None


def klein_setup(alpha: float, delta: float, k: int, theta: float, periods: int) -> KleinSetup:
    try:
        return KleinSetup(k=k, alpha=alpha, delta=delta, theta=theta, periods=periods)
    except ValueError as err:
        raise UsageError(f"--{err}") from None


SESSION_BYTES = 8192  # a session's summary, impulse response included (a generous estimate)


def check_run(sessions: int, workers: int) -> None:
    """``UsageError`` for counts below 1; ``budget.BudgetError`` for more sessions than memory holds."""
    if sessions < 1:
        raise UsageError(f"--sessions = {sessions}: must be >= 1")
    if workers < 1:
        raise UsageError(f"--workers = {workers}: must be >= 1")
    budget.count(sessions, SESSION_BYTES, "the sessions' summaries", "--sessions")


def run(paper: str, setup, sessions: int, workers: int, seed: int, progress: bool = True) -> tuple[list, float]:
    """Run the sessions; returns (summaries in session order, wall seconds)."""
    task = calvano_summary if paper == "calvano2020" else klein_summary
    started = time.perf_counter()
    results = run_sessions(task, setup, session_seeds(seed, sessions), workers, progress, label=paper)
    return results, time.perf_counter() - started


def _shares(values) -> dict[str, float]:
    lengths, counts = np.unique(np.asarray(values), return_counts=True)
    return {str(int(k)): float(c / counts.sum()) for k, c in zip(lengths, counts, strict=True)}


def headline(paper: str, results: list, wall: float) -> dict:
    """The headline numbers of a replication (see the module docstring)."""
    delta = np.array([r.delta for r in results])
    periods = np.array([r.periods for r in results], dtype=np.float64)
    out = {
        "paper": paper, "sessions": len(results), "delta_mean": float(delta.mean()),
        "delta_sd": float(delta.std(ddof=1)) if len(results) > 1 else 0.0,
        "converged_share": float(np.mean([r.converged for r in results])), "periods_mean": float(periods.mean()),
        "price_mean": float(np.mean([r.price.mean() for r in results])),
        "cycle_lengths": _shares([r.cycle_length for r in results]),
        **_cycle_shares(paper, [r.cycle_length for r in results]),
        "wall_seconds": wall, "periods_per_second": float(periods.sum() / wall),
    }
    if paper == "calvano2020":
        out["nash_share"] = float(np.mean([r.is_nash for r in results]))
        out["best_reply_gap_mean"] = float(np.mean([r.best_reply_gap for r in results]))
        out["one_shot_proof_share"] = float(np.mean([r.one_shot_proof for r in results]))
        out["unprofitable_deviation_share"] = float(np.mean([not r.deviation_profitable for r in results]))
    else:
        out["profitability_mean"] = float(np.mean([r.profitability for r in results]))
        out["profit_mean"] = out["profitability_mean"] * JOINT_PROFIT
        out["constant_share"] = float(np.mean([r.constant for r in results]))
    return out


def _cycle_shares(paper: str, lengths: list[int]) -> dict[str, float]:
    """Calvano et al.'s Table 1 groups: cycles of length 1, 2, and 3 or more."""
    if paper != "calvano2020":
        return {}
    lengths = np.asarray(lengths)
    return {"cycle_share_1": float(np.mean(lengths == 1)), "cycle_share_2": float(np.mean(lengths == 2)),
            "cycle_share_3plus": float(np.mean(lengths >= 3))}


LEARNING = {"alpha": "alpha", "beta": "beta", "theta": "theta", "delta": "discount", "m": "m", "xi": "xi", "k": "k"}


def sessions(paper: str, results: list, design: dict | None = None, master_seed: int | None = None) -> pl.DataFrame:
    """One row per session: its ids (``market.results.ID_COLUMNS``; the run id hashes the paper, the design and
    the seed), the master seed and learning parameters of ``design``, its convergence, Delta and prices by seller,
    cycle and tests."""
    design = design or {}
    learning = {column: design[key] for key, column in LEARNING.items() if key in design}
    rows = []
    for k, r in enumerate(results):
        run = json.dumps({"paper": paper, "design": design, "seed": r.seed}, sort_keys=True, default=list)
        row = {"scenario": paper, "seed": r.seed, "run_id": hashlib.sha256(run.encode()).hexdigest()[:16],
               "master_seed": master_seed, "session": k, **learning, "converged": r.converged, "periods": r.periods,
               "delta": r.delta,
               **{f"price_{i}": float(p) for i, p in enumerate(r.price)}, "cycle_length": r.cycle_length}
        if paper == "calvano2020":
            row.update({f"delta_{i}": float(d) for i, d in enumerate(r.delta_by_seller)})
            row.update({f"profit_{i}": float(p) for i, p in enumerate(r.profit)})
            row.update(is_nash=r.is_nash, one_shot_proof=r.one_shot_proof, best_reply_gap=r.best_reply_gap,
                       deviation_gain=r.deviation_gain, deviation_profitable=r.deviation_profitable)
        else:
            row.update(profitability=r.profitability, constant=r.constant)
        rows.append(row)
    return pl.DataFrame(rows, schema_overrides={"seed": pl.Int64, "master_seed": pl.Int64})


def cell_summary(setups: list[QLearningSetup], job: tuple[int, int]):
    """Session ``job = (cell, seed)`` of a grid: one worker pool serves every cell."""
    cell, seed = job
    return calvano_summary(setups[cell], seed)


def run_grid(setup: QLearningSetup, sessions: int, workers: int, seed: int) -> np.ndarray:
    """Mean Delta on the ``GRID_ALPHA`` x ``GRID_BETA`` grid, ``sessions`` sessions per cell (the same seeds)."""
    setups = [replace(setup, alpha=alpha, beta=beta) for alpha in GRID_ALPHA for beta in GRID_BETA]
    jobs = [(cell, s) for cell in range(len(setups)) for s in session_seeds(seed, sessions)]
    results = run_sessions(cell_summary, setups, jobs, workers, label="alpha x beta grid")
    delta = np.array([r.delta for r in results]).reshape(len(GRID_ALPHA), len(GRID_BETA), sessions)
    return delta.mean(axis=2)


def write_report(out: Path, paper: str, setup, numbers: dict, results: list, grid: np.ndarray | None,
                 design: dict, master_seed: int | None = None) -> Path:
    """``sessions.parquet``, PNG figures and the Markdown report in ``out``: the paper's figures for this design
    beside ours, then the project's own statistics; returns the report's path."""
    write_parquet(sessions(paper, results, design, master_seed), out / "sessions.parquet")
    published = papers.figures(paper, design)
    delta = next((f.value for f in published if f.statistic == "delta_mean"), None)
    drawn = report_figures.draw(out, paper, setup, results, grid, GRID_ALPHA, GRID_BETA, delta)
    differs = papers.design_differs(paper, design)
    lines = [f"# Replication: {paper}", "", f"Set-up: `{_describe(setup)}`"
             + (f"; differs from the paper's baseline in {differs}." if differs else " (the paper's baseline)."),
             "", f"{numbers['sessions']} sessions (one row each in `sessions.parquet`). {MEASURES[paper]}", "",
             "## The paper and us", ""]
    if published:
        lines += ["| statistic | paper | ours | source |", "|---|---:|---:|---|"]
        for f in published:
            hand = "" if f.hand == "first-hand" else f" ({f.hand})"
            note = f"; {f.note}" if f.note else ""
            lines.append(f"| {f.label} | {f.value:.6g} | {numbers[f.statistic]:.6g} | {f.source}{hand}{note} |")
    else:
        lines.append("The paper reports no figure for this design.")
    own = {k: v for k, v in numbers.items() if k not in {f.statistic for f in published} | {"paper", "sessions"}}
    lines += ["", "## Our own statistics (not compared with the paper)", "", "| statistic | value | what it is |",
              "|---|---:|---|"]
    for key, value in own.items():
        shown = f"{value:.6g}" if isinstance(value, float) else str(value)
        lines.append(f"| {key} | {shown} | {OWN[paper].get(key, '')} |")
    lines += ["", "## Figures", ""]
    lines += [f"![{caption}]({name})\n\n{caption}\n" for name, caption in drawn]
    return write_text("\n".join(lines) + "\n", out / "report.md")


def _describe(setup) -> str:
    if isinstance(setup, QLearningSetup):
        return (f"{setup.n_sellers} sellers, {setup.m} prices on [{setup.grid[0]:.4f}, {setup.grid[-1]:.4f}], "
                f"alpha {setup.alpha}, beta {setup.beta}, delta {setup.delta}, static Nash prices "
                f"{np.round(setup.benchmarks.nash_price, 5).tolist()}, monopoly prices "
                f"{np.round(setup.benchmarks.monopoly_price, 5).tolist()}")
    return (f"k = {setup.k} ({setup.k + 1} prices on [0, 1]), alpha {setup.alpha}, delta {setup.delta}, "
            f"theta {setup.theta}, {setup.periods} periods")

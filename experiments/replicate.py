"""Replications of Calvano et al. (2020) and Klein (2021): run sessions, aggregate, test against the papers, report.

Headline numbers (``--json``): ``delta_mean`` and ``delta_sd`` (profit gain over the limit
cycle, across sessions), ``converged_share``, ``periods_mean``, ``price_mean``,
``cycle_lengths`` (share of sessions by cycle length), ``sessions``, ``wall_seconds`` and
``periods_per_second``. Calvano adds ``cycle_share_1``, ``cycle_share_2``, ``cycle_share_3plus``
(the paper's Table 1 groups), ``one_shot_proof_share`` (no seller gains from a one-period
deviation on path followed by its own learned strategy: the paper's equilibrium test),
``ic_share``, ``price_response_mean`` and ``punishment_length_mean`` (one-period deviations to the
static best response by every seller from every cycle state, pooled over them as the authors'
package does: incentive compatible, the non-deviators' price response, the punishment's length),
``nash_share`` (both sellers best-respond in every cycle state: a stricter test of our own),
``best_reply_gap_mean`` (a best reply's relative gain on path, the larger seller's, averaged
over sessions) and ``unprofitable_deviation_share`` (our older incentive-compatibility measure: seller
1's forced deviation from the first cycle state loses in discounted terms, a tie counting as a loss);
Klein adds ``profit_mean`` (Klein's profitability), ``profitability_mean`` (the same over the
joint-profit optimum 1/8) and ``constant_share``. ``inference`` gives, for every statistic, its
standard error, 95% interval and, where the paper reports it, the paper's figure, its standard error
where one can be derived, and the z-test of ours against it (``experiments.stats.z_test``).
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
from experiments.stats import pooled_mean, sd_with_se, z_test
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
                   "a one-period deviation on the cycle followed by its own learned strategy). ic_share, "
                   "price_response_mean and punishment_length_mean follow the authors' package (DetailedAnalysis.f90 "
                   "and the R scripts of their online appendix): every seller deviates to its static best response "
                   "for one period from every state of the cycle; a deviation is incentive compatible when its true "
                   "discounted value (one period at the deviation, then the learned strategies) is strictly below "
                   "the learned action's, so a tie is not; the shares and means are pooled over session x deviating "
                   "seller x cycle state, and their standard errors clustered by session. "
                   "unprofitable_deviation_share is our older measure, kept under its own name: seller 1 alone "
                   "deviates, from the first cycle state only, and a tie counts as unprofitable. The impulse response "
                   "drawn forces seller 1 to its static best response for one period from the first cycle state.",
    "klein2021": "Each session runs Klein's fixed 500,000 periods (the paper has no convergence rule; 'converged' is "
                 "pricelab's: no greedy price changed in the last 100,000). Cycle lengths count periods, one seller "
                 "moving in each: a constant price pair (focal price) has length 2. profit_mean is Klein's "
                 "profitability, the mean profit per seller on the cycle.",
}
TESTS = ("Ours: the estimate, its standard error (means and shares over sessions: s / sqrt(N); the standard "
         "deviation of Delta: the delta method; deviation statistics: pooled, clustered by session) and its 95% "
         "interval (+-1.96 se). Paper: the published figure and its standard error where the source allows one "
         "(\"-\": none can be derived, and the test treats the figure as exact, which overstates |z|). z = (ours - "
         "paper) / sqrt(se^2 + se_paper^2), two-sided p from the normal distribution: the paper's sessions and ours "
         "are independent draws of the same experiment, so |z| > 1.96 (p < 0.05) rejects that they agree; z is nan "
         "where both standard errors are 0 (nothing varies to test). Where the paper's se cannot be derived it is "
         "likely close to ours (the same design and number of sessions): z / sqrt(2) is then the fairer test.")
OWN = {
    "calvano2020": {"nash_share": "both sellers' greedy strategies are best replies (policy iteration against the "
                                  "rivals' greedy strategies) in every state of the cycle: stricter than the paper's "
                                  "on-path test",
                    "best_reply_gap_mean": "the relative gain of that best reply, the larger seller's, averaged",
                    "unprofitable_deviation_share": "our older incentive-compatibility measure (see above)"},
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


def _mean(values) -> tuple[float, float]:
    r"""A mean over sessions and its standard error, :math:`s / \sqrt N` (NaN with one session)."""
    x = np.asarray(values, dtype=np.float64)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")


def _pooled(results: list, name: str) -> tuple[float, float]:
    """A mean pooled over the deviations of every session, with its session-clustered standard error."""
    return pooled_mean([getattr(r, name) for r in results], [r.deviation_rows for r in results])


ESTIMATES = {
    "delta_mean": lambda rs: _mean([r.delta for r in rs]),
    "delta_sd": lambda rs: sd_with_se([r.delta for r in rs]),
    "converged_share": lambda rs: _mean([r.converged for r in rs]),
    "periods_mean": lambda rs: _mean([r.periods for r in rs]),
    "price_mean": lambda rs: _mean([r.price.mean() for r in rs]),
}
CALVANO_ESTIMATES = {
    "cycle_share_1": lambda rs: _mean([r.cycle_length == 1 for r in rs]),
    "cycle_share_2": lambda rs: _mean([r.cycle_length == 2 for r in rs]),
    "cycle_share_3plus": lambda rs: _mean([r.cycle_length >= 3 for r in rs]),
    "one_shot_proof_share": lambda rs: _mean([r.one_shot_proof for r in rs]),
    "ic_share": lambda rs: _pooled(rs, "ic_share"),
    "price_response_mean": lambda rs: _pooled(rs, "price_response"),
    "punishment_length_mean": lambda rs: _pooled(rs, "punishment_length"),
    "unprofitable_deviation_share": lambda rs: _mean([not r.deviation_profitable for r in rs]),
    "nash_share": lambda rs: _mean([r.is_nash for r in rs]),
    "best_reply_gap_mean": lambda rs: _mean([r.best_reply_gap for r in rs]),
}
KLEIN_ESTIMATES = {
    "profit_mean": lambda rs: _mean([r.profitability * JOINT_PROFIT for r in rs]),
    "profitability_mean": lambda rs: _mean([r.profitability for r in rs]),
    "constant_share": lambda rs: _mean([r.constant for r in rs]),
}


def estimates(paper: str, results: list) -> dict[str, tuple[float, float]]:
    r"""Every statistic of the replication as ``(estimate, standard error)``: means and shares over sessions with
    :math:`s/\sqrt N`, the standard deviation of Delta with the delta method's error, the deviation statistics
    pooled over every session's deviations with session-clustered errors (``experiments.stats``)."""
    extra = CALVANO_ESTIMATES if paper == "calvano2020" else KLEIN_ESTIMATES
    return {name: estimate(results) for name, estimate in {**ESTIMATES, **extra}.items()}


def headline(paper: str, results: list, wall: float, design: dict | None = None) -> dict:
    """The headline numbers of a replication (the module docstring); ``inference`` tests them against the
    paper's figures for ``design`` (default: the paper's baseline)."""
    values = estimates(paper, results)
    periods = np.array([r.periods for r in results], dtype=np.float64)
    baseline = papers.CALVANO_BASELINE if paper == "calvano2020" else papers.KLEIN_BASELINE
    published = papers.figures(paper, dict(baseline) if design is None else design)
    return {"paper": paper, "sessions": len(results), **{name: v for name, (v, _) in values.items()},
            "cycle_lengths": _shares([r.cycle_length for r in results]), "wall_seconds": wall,
            "periods_per_second": float(periods.sum() / wall), "inference": inference(paper, values, published)}


def inference(paper: str, values: dict[str, tuple[float, float]], published: list) -> list[dict]:
    r"""One row per statistic and published figure of it (one row if none): ours with its standard error and 95%
    interval (:math:`\pm 1.96\, se`, sessions being many); the figure, its standard error (None where none can
    be derived: the test then treats the figure as exact), z and the two-sided p (``experiments.stats.z_test``)."""
    rows = []
    for name, (value, se) in values.items():
        ours = {"statistic": name, "estimate": value, "se": se, "ci_low": value - 1.96 * se,
                "ci_high": value + 1.96 * se}
        figures = [f for f in published if f.statistic == name]
        for f in figures:
            z, p = z_test(value, se, f.value, 0.0 if f.se is None else f.se)
            rows.append({**ours, "label": f.label, "paper": f.value, "paper_se": f.se, "z": z, "p": p,
                         "source": f.source, "hand": f.hand, "note": f.note, "se_how": f.se_how})
        if not figures:
            rows.append({**ours, "label": OWN[paper].get(name, ""), "paper": None, "paper_se": None, "z": None,
                         "p": None, "source": "", "hand": "", "note": "", "se_how": ""})
    return rows


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
                       deviation_gain=r.deviation_gain, deviation_profitable=r.deviation_profitable,
                       deviation_rows=r.deviation_rows, ic_share=r.ic_share, price_response=r.price_response,
                       punishment_length=r.punishment_length)
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
    """``sessions.parquet``, PNG figures and the Markdown report in ``out``: every statistic with its standard
    error and interval, the paper's figures for this design beside ours with the test of each, then the
    project's own statistics; returns the report's path."""
    write_parquet(sessions(paper, results, design, master_seed), out / "sessions.parquet")
    published = papers.figures(paper, design)
    delta = next((f.value for f in published if f.statistic == "delta_mean"), None)
    drawn = report_figures.draw(out, paper, setup, results, grid, GRID_ALPHA, GRID_BETA, delta)
    differs = papers.design_differs(paper, design)
    rows = numbers["inference"]
    lines = [f"# Replication: {paper}", "", f"Set-up: `{_describe(setup)}`"
             + (f"; differs from the paper's baseline in {differs}." if differs else " (the paper's baseline)."),
             "", f"{numbers['sessions']} sessions (one row each in `sessions.parquet`). {MEASURES[paper]}", "",
             "## The paper and us", "", TESTS, ""]
    compared = [r for r in rows if r["paper"] is not None]
    if compared:
        lines += ["| statistic | paper (se) | ours (se) | ours, 95% CI | z | p | source; how it was read |",
                  "|---|---:|---:|---|---:|---:|---|"]
        for r in compared:
            paper_se = "-" if r["paper_se"] is None else _number(r["paper_se"])
            note = f"; {r['note']}" if r["note"] else ""
            how = f"; se: {r['se_how']}" if r["se_how"] else ""
            lines.append(f"| `{r['statistic']}`: {r['label']} | {_number(r['paper'])} ({paper_se}) | "
                         f"{_number(r['estimate'])} ({_number(r['se'])}) | [{_number(r['ci_low'])}, "
                         f"{_number(r['ci_high'])}] | {r['z']:.2f} | {r['p']:.3g} | {r['source']}; {r['hand']}"
                         f"{how}{note} |")
    else:
        lines.append("The paper reports no figure for this design.")
    lines += ["", "## Our own statistics (not compared with the paper)", "",
              "| statistic | value (se) | 95% CI | what it is |", "|---|---:|---|---|"]
    for r in (r for r in rows if r["paper"] is None):
        lines.append(f"| {r['statistic']} | {_number(r['estimate'])} ({_number(r['se'])}) | "
                     f"[{_number(r['ci_low'])}, {_number(r['ci_high'])}] | {r['label']} |")
    lines.append(f"| cycle_lengths | {numbers['cycle_lengths']} | | share of sessions by limit-cycle length |")
    lines += ["", "## Figures", ""]
    lines += [f"![{caption}]({name})\n\n{caption}\n" for name, caption in drawn]
    return write_text("\n".join(lines) + "\n", out / "report.md")


def _number(value: float) -> str:
    return f"{value:.4g}" if np.isfinite(value) else "nan"


def _describe(setup) -> str:
    if isinstance(setup, QLearningSetup):
        return (f"{setup.n_sellers} sellers, {setup.m} prices on [{setup.grid[0]:.4f}, {setup.grid[-1]:.4f}], "
                f"alpha {setup.alpha}, beta {setup.beta}, delta {setup.delta}, static Nash prices "
                f"{np.round(setup.benchmarks.nash_price, 5).tolist()}, monopoly prices "
                f"{np.round(setup.benchmarks.monopoly_price, 5).tolist()}")
    return (f"k = {setup.k} ({setup.k + 1} prices on [0, 1]), alpha {setup.alpha}, delta {setup.delta}, "
            f"theta {setup.theta}, {setup.periods} periods")

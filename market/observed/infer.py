r"""Which registered rule each seller of a panel runs, how often it reprices and how late it sees its rivals.

For each seller: candidate cadences from its observed changes (:mod:`market.observed.cadence`),
candidate rules with fitted parameters for every cadence and lag (:mod:`market.observed.candidates`),
each replayed one step ahead on the observed rivals' prices (:mod:`market.observed.replay`). A
candidate's score is the balanced hit rate

.. math:: S = \tfrac12 \left(\frac{\text{changes predicted}}{\text{changes}} +
          \frac{\text{non-changes predicted}}{\text{non-changes}}\right)

(one of the two terms alone where the other has no observation), so that a rule is judged on when
prices move as much as on when they stand. The chosen candidate is the simplest rule (the order of
``candidates.FITTERS``) among those within ``TIE`` of the best score; of that rule, the best score
and the periods that reach it (``periods``: a repricer that waits for its wake and one that reacts at
once with a longer lag explain a delay equally well when the rivals' moves themselves come on a
lattice, as in a deterministic cycle, and the data cannot tell them apart); of these, the period most
likely to lie within one tick of the truth: with every candidate period equally likely beforehand, its phase
one of :math:`P` and its lag one of ``MAX_LAG + 1``, a period :math:`P` that fits with :math:`n_P` (phase,
lag) pairs has posterior odds :math:`n_P / P`, and the choice maximises :math:`\sum_{|Q - P| \le 1} n_Q / Q`
(the shortest on a tie); then among its lags within ``LAG_TIE`` of its best the middle of the shortest run
(rival prices that repeat with a cycle fit at lags a cycle apart; ``lag_range`` is that run). Below
``FIT`` the answer is "none fits", with the best score. A seller whose price never moved is ``fixed`` with
no cadence or lag. Rises at the same time every day that the rule misses are reported as a daily ``reset``
(:mod:`market.observed.resets`). A seller whose rule calls for moves that do not come in some hours of
the day (:func:`market.observed.cadence.active_hours`) is scored again with every candidate running only
in the other hours; where that explains it at least as well, those are its active ``hours`` and the choice
is made among the candidates so restricted. ``FAMILY`` groups the rules: an
Edgeworth resetter that never reset in the panel is an undercutter there, and a seller matching the
lowest price matches the platform when the platform is the lowest.

**Uncertainty.** Days are resampled with replacement (``RESAMPLES`` times, a seeded generator) and
the choice is made again on each resample's counts: the share of resamples choosing the same rule,
period and lag (within one tick), and 90% intervals of the period and lag chosen. Candidates more than
``DROP`` below the best score are dropped as soon as their misses show it (they are neither chosen
nor near a choice, in the data or in a resample of it), which saves most of the replay.
"""

from dataclasses import dataclass, field

import numpy as np

from market import engine
from market.errors import PanelError
from market.observed import candidates, replay
from market.observed.cadence import Hours, active_hours, cadences
from market.observed.follow import Follow, leaders
from market.observed.grid import Cells
from market.observed.replay import CHANGE, CHANGE_HIT, NON, NON_HIT, Candidates
from market.observed.resets import Reset, daily_reset
from market.scenario import Scenario
from market.strategies import get, names

FAMILY = {"fixed": "fixed", "cost_plus": "cost-based", "match_lowest": "matching", "match_platform": "matching",
          "undercut": "undercutting", "edgeworth": "undercutting", "resetting": "undercutting",
          "price_leadership": "leadership", "best_response": "best response"}
TIE = 0.005
LAG_TIE = 0.002
DROP = 0.05
PERIOD_TIE = 1e-9
FIT = 0.8
RESAMPLES = 200
TOLERANCE = 5e-4
SEED = 2024


@dataclass(frozen=True)
class Fit:
    """One seller's inferred repricer. ``strategy`` None: none fits (``best`` names the best candidate)."""

    seller: str
    strategy: str | None
    params: dict
    period: int | None
    phase: int | None
    lag: int | None
    tracks: str | None
    score: float
    change_hits: float
    non_change_hits: float
    changes: int
    observations: int
    best: str
    support: dict = field(default_factory=dict)
    period_interval: tuple[int, int] | None = None
    lag_interval: tuple[int, int] | None = None
    runner_up: tuple[str, float] | None = None
    lag_range: tuple[int, int] | None = None
    periods: tuple[int, ...] = ()
    follows: tuple[Follow, ...] = ()
    reset: Reset | None = None
    hours: Hours | None = None

    @property
    def algorithmic(self) -> bool:
        """Whether the rule found prices off rivals' prices (a repricer), as opposed to a fixed or cost rule."""
        return self.strategy is not None and get(self.strategy).uses_rival_prices

    def as_dict(self) -> dict:
        """JSON-ready: every field, with ``algorithmic``."""
        out = {**self.__dict__, "algorithmic": self.algorithmic, "follows": [f.as_dict() for f in self.follows],
               "reset": self.reset.as_dict() if self.reset else None,
               "hours": self.hours.as_dict() if self.hours else None}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


@dataclass(frozen=True)
class Choice:
    """The index of the chosen candidate, its score, the lags and the periods that fit as well, in the arrays of one
    seller's candidates."""

    index: int
    score: float
    lags: tuple[int, int]
    periods: tuple[int, ...]


def scores(counts: np.ndarray) -> np.ndarray:
    """Balanced hit rate (module docstring) from counts ``[..., 4]``; NaN where nothing was scored."""
    counts = np.where(counts < 0, np.nan, counts.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        change = counts[..., CHANGE_HIT] / counts[..., CHANGE]
        non = counts[..., NON_HIT] / counts[..., NON]
    both = np.where(np.isnan(change), non, np.where(np.isnan(non), change, 0.5 * (change + non)))
    return both


def choose(score: np.ndarray, rank: np.ndarray, period: np.ndarray, phase: np.ndarray,
           lag: np.ndarray) -> Choice | None:
    """The chosen candidate (module docstring); None if no candidate was scored."""
    valid = np.isfinite(score)
    if not valid.any():
        return None
    best = score[valid].max()
    near = valid & (score >= best - TIE)
    simplest = near & (rank == rank[near].min())
    best_rule = score[simplest].max()
    fitting = simplest & (score >= best_rule - PERIOD_TIE)
    tied = np.unique(period[fitting])
    odds = np.array([np.unique(np.stack([phase[fitting & (period == p)], lag[fitting & (period == p)]]), axis=1)
                     .shape[1] / p for p in tied])
    within = np.array([odds[np.abs(tied - p) <= 1].sum() for p in tied])
    pick = fitting & (period == tied[np.argmax(within)])
    top = score[pick].max()
    ties = np.flatnonzero(pick & (score >= top - LAG_TIE))
    ties = ties[np.argsort(lag[ties], kind="stable")]
    run = 1 + int(np.argmax(np.append(np.diff(lag[ties]) > 1, True)))
    k = int(ties[(run - 1) // 2])
    return Choice(k, float(score[k]), (int(lag[ties[0]]), int(lag[ties[run - 1]])), tuple(int(p) for p in tied))


def infer_seller(cells: Cells, i: int, tolerance: float = TOLERANCE, resamples: int = RESAMPLES,
                 seed: int = SEED, demand: Scenario | None = None) -> Fit:
    """The fit of seller ``i`` of ``cells`` (module docstring); ``demand``: a scenario whose sellers are the panel's,
    for best responses (:func:`demand_of`)."""
    seen = replay.seen_by(cells, i, first_scored=candidates.MAX_LAG + 1)
    known = demand_of(demand, cells, i)
    evidence = candidates.evidence(seen, i, cadences(seen.own, cells.first_tick), cells.platform, tolerance,
                                   demand=known)
    rows, rank = [], []
    for k, fitter in enumerate(candidates.FITTERS.values()):
        found = fitter(evidence)
        rows += found
        rank += [k] * len(found)
    table = Candidates.of(rows)
    rank = np.asarray(rank)
    counts, choice = _scored(seen, table, rank, tolerance, known)
    observed = int((~np.isnan(seen.own)).sum())
    changes = int(evidence.start.size)
    if choice is None:
        return Fit(seller=cells.seller[i], strategy=None, params={}, period=None, phase=None, lag=None, tracks=None,
                   score=float("nan"), change_hits=float("nan"), non_change_hits=float("nan"), changes=changes,
                   observations=observed, best="none")
    moved = changes > 0
    predicted = replay.trace(seen, table, choice.index, known)[0]
    hours = active_hours(seen.own, predicted, cells.tick_of_day(), cells.ticks_per_day, cells.minutes(1),
                         cells.offset, tolerance) if moved and choice.score >= FIT else None
    if hours is not None:
        within = table.within(hours.first, hours.last + 1)
        counts_within, choice_within = _scored(seen, within, rank, tolerance, known)
        if choice_within is not None and choice_within.score >= choice.score:
            table, counts, choice = within, counts_within, choice_within
            predicted = replay.trace(seen, table, choice.index, known)[0]
        else:
            hours = None
    total = counts.sum(axis=1)
    score = scores(total)
    k = choice.index
    name = candidates.ORDER[rank[k]]
    spec = get(name)
    params = {p.name: "cost" if j == table.at_cost[k] else float(table.param[k, j]) for j, p in enumerate(spec.params)}
    uses_rivals = spec.uses_rival_prices
    fits = choice.score >= FIT
    with np.errstate(invalid="ignore", divide="ignore"):
        change_hits = float(total[k, CHANGE_HIT] / total[k, CHANGE]) if total[k, CHANGE] else float("nan")
        non_hits = float(total[k, NON_HIT] / total[k, NON]) if total[k, NON] else float("nan")
    fit = Fit(seller=cells.seller[i], strategy=name if fits else None, params=params if fits else {},
              period=int(table.period[k]) if moved and fits else None,
              phase=int(table.phase[k]) if moved and fits else None,
              lag=int(table.lag[k]) if moved and fits and uses_rivals else None,
              tracks=cells.seller[table.leader[k]] if table.leader[k] >= 0 and fits else None,
              score=choice.score, change_hits=change_hits, non_change_hits=non_hits, changes=changes,
              observations=observed, best=name, runner_up=_runner_up(score, rank, rank[k]),
              lag_range=choice.lags if moved and fits and uses_rivals else None,
              periods=choice.periods if moved and fits else (),
              follows=tuple(leaders(seen, table, k, cells.seller, i, tolerance, cells.minutes(1), known))
              if moved and fits and uses_rivals else (),
              reset=daily_reset(seen.own, predicted, cells, tolerance) if moved else None, hours=hours)
    if not (fits and moved) or resamples <= 0:
        return fit
    return _with_resamples(fit, counts, rank, table, k, resamples, seed + i)


def _scored(seen: replay.Seen, table: Candidates, rank: np.ndarray, tolerance: float,
            known: replay.Demand | None) -> tuple[np.ndarray, Choice | None]:
    """Every candidate's counts per day (:func:`market.observed.replay.score`) and the choice among them."""
    counts = replay.score(seen, table, tolerance, margin=DROP, demand=known)
    return counts, choose(scores(counts.sum(axis=1)), rank, table.period, table.phase, table.lag)


def _runner_up(score: np.ndarray, rank: np.ndarray, chosen: int) -> tuple[str, float] | None:
    """The best other rule and its score."""
    other = np.isfinite(score) & (rank != chosen)
    if not other.any():
        return None
    k = int(np.argmax(np.where(other, score, -np.inf)))
    return candidates.ORDER[rank[k]], float(score[k])


def _with_resamples(fit: Fit, counts: np.ndarray, rank: np.ndarray, table: Candidates, k: int, resamples: int,
                    seed: int) -> Fit:
    """``fit`` with the shares of day-resamples that choose the same rule, period and lag, and intervals."""
    days = counts.shape[1]
    kept = np.flatnonzero(counts[:, 0, 0] >= 0)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(days, np.full(days, 1.0 / days), size=resamples).astype(np.float64)
    resampled = np.einsum("bd,kdc->bkc", weights, counts[kept].astype(np.float64))
    chosen = [choose(s, rank[kept], table.period[kept], table.phase[kept], table.lag[kept])
              for s in scores(resampled)]
    picked = kept[np.array([c.index for c in chosen if c is not None], dtype=np.int64)]
    same_rule = rank[picked] == rank[k]
    period, lag = table.period[picked], table.lag[picked]
    support = {"rule": float(same_rule.mean()),
               "period": float((np.abs(period - table.period[k]) <= 1).mean()),
               "lag": float((np.abs(lag - table.lag[k]) <= 1).mean())}
    interval = lambda x: (int(np.quantile(x, 0.05, method="lower")), int(np.quantile(x, 0.95, method="higher")))  # noqa: E731
    return Fit(**{**fit.__dict__, "support": support, "period_interval": interval(period),
                  "lag_interval": interval(lag) if fit.lag is not None else None})


def demand_of(scenario: Scenario | None, cells: Cells, i: int) -> replay.Demand | None:
    """The demand seller ``i`` best-responds to under ``scenario`` (its market and responses groups), or None when
    there is no scenario or the seller is not in it. ``PanelError`` when a seller of the scenario is not in the
    panel (its price would be unknown)."""
    if scenario is None or cells.seller[i] not in [s.name for s in scenario.sellers]:
        return None
    missing = [s.name for s in scenario.sellers if s.name not in cells.seller]
    if missing:
        raise PanelError(f"--demand {scenario.name!r}: sellers {', '.join(map(repr, missing))} are not in the panel; "
                         f"a best response needs every seller's price")
    state = engine.build_state(scenario, horizon=0)
    column = np.array([cells.seller.index(s.name) for s in scenario.sellers], dtype=np.int64)
    return replay.Demand(market=state.market, responses=state.responses, rule=state.rules.value, column=column,
                         seller=scenario.seller_index(cells.seller[i]), period=state.sellers.period,
                         seen=np.zeros(scenario.n_sellers))


def not_tried(demand: Scenario | None = None) -> list[str]:
    """Registered strategies that inference does not try (no fitter, or no demand for best responses)."""
    return [name for name in names() if name not in candidates.FITTERS or (name == "best_response" and demand is None)]


def infer(cells: Cells, tolerance: float = TOLERANCE, resamples: int = RESAMPLES, seed: int = SEED,
          demand: Scenario | None = None) -> list[Fit]:
    """Every seller's fit (module docstring); ``demand`` makes best responses candidates (:func:`demand_of`)."""
    return [infer_seller(cells, i, tolerance, resamples, seed, demand) for i in range(cells.n_sellers)]

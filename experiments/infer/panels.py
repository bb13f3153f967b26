r"""Held-out panels from the engine with known repricers, observed as a scraper sees them.

A panel is a pure function of its seed. Its market has 2 to 8 sellers (a platform among them half the
time), each running a rule drawn from those inference tries (a nightly resetter's at a whole hour, held
up to 6 hours), with a period of 10 minutes to a day, a random phase and a lag of 0 to 12 ticks; costs
move with common and seller-specific shocks (:mod:`market.shocks`, an hour apart on average) and demand
with quality shocks. Prices must move for a rule to show: the first sellers are a *core* that reprices
within two hours: a cost-plus seller passing on its cost shocks (a quarter of the panels), an Edgeworth
resetter with an undercutter or a second resetter (a cycle, a quarter), or both (half); the others draw
any rule and period. A cycle alone is deterministic and periodic: every seller then changes price on a
lattice set by the cycle, and a seller that reprices every tick cannot be told from one that reprices
every few ticks at the right phase; a cost-plus seller's changes come at random times. A sixth or so of
the panels have a price leader instead: the platform probes upward ("Project Nessie"), a shop matches it
and another undercuts, so that some probes are followed and others undone. The engine runs a burn-in of
up to a day, then ``DAYS`` days are observed.

**The scraper.** It visits every ``sampling`` minutes at a random offset, each visit late or early
by a normal jitter (sd ``JITTER`` minutes, cut at 4), and misses each seller's price at a visit with
probability ``missing``. The engine's ticks are not aligned with the clock: tick :math:`t` covers
minutes :math:`[o + 10t, o + 10t + 10)` from midnight of day 0 for a random :math:`o \in [0, 10)`,
and a visit at minute :math:`m` sees the price of tick :math:`\lfloor (m - o) / 10 \rfloor`. Half
the panels carry each seller's cost at each visit (a case team's cost data), and half their matchers'
and undercutters' floors are at cost (moving with it); in the others only a cost-plus seller's cost
is known (a first-party seller whose costs the case team has), no other seller prices at cost plus
a markup, and floors are fixed prices (a repricer's configured minimum).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from experiments import configs
from market import engine, results, shocks
from market.scenario import Scenario

DAYS = 14
TICK_MINUTES = 10
JITTER = 1.5
MAX_LAG = 12
PERIODS = (1, 2, 3, 6, 12, 36, 72, 144)
START = datetime(2024, 3, 4, tzinfo=UTC)
SHOCKS = shocks.Shocks(every=6.0, cost_common=0.04, cost_own=0.02, demand_common=0.05, demand_own=0.03,
                       persistence=0.9)
FAST = (1, 2, 3, 6, 12)
FROM_RIVALS = ("match_lowest", "match_platform", "undercut", "edgeworth", "resetting")
CYCLING = ("edgeworth", "undercut")
CORES, CORE_SHARES = ("cycle", "cost", "both", "leader"), (0.2, 0.2, 0.45, 0.15)


@dataclass(frozen=True)
class PanelSpec:
    """One held-out panel: its index, seed, and how it is observed."""

    index: int
    seed: int
    sampling: float = 10.0
    missing: float = 0.1


def _seller(rng, name: str, strategy: str, fast: bool, role: str, costs_known: bool) -> dict:
    period = int(rng.choice(FAST if fast else PERIODS))
    cost = float(rng.uniform(0.9, 1.1))
    floor = "cost" if costs_known and rng.random() < 0.5 else float(cost * rng.uniform(1.0, 1.15))
    params = {
        "fixed": lambda: {"price": float(rng.uniform(1.7, 2.3))},
        "cost_plus": lambda: {"markup": float(rng.uniform(0.2, 0.8))},
        "match_lowest": lambda: {"floor": floor, "ceiling": "monopoly"},
        "match_platform": lambda: {"floor": floor, "ceiling": "monopoly"},
        "undercut": lambda: {"step": float(rng.uniform(0.005, 0.03)), "floor": floor, "ceiling": "monopoly"},
        "edgeworth": lambda: {"step": float(rng.uniform(0.01, 0.05)), "floor": float(cost * rng.uniform(1.05, 1.25)),
                              "reset": "monopoly"},
        "resetting": lambda: {"step": float(rng.uniform(0.005, 0.03)), "floor": floor, "reset": "monopoly",
                              "hour": float(rng.integers(0, 24)), "hold_hours": float(rng.uniform(0.0, 6.0))},
        "price_leadership": lambda: {"step": float(rng.uniform(0.02, 0.06)), "window": int(rng.integers(2, 6)),
                                     "cooldown": int(rng.integers(2, 13)), "slack": 0.0, "floor": "nash",
                                     "ceiling": "monopoly"},
    }[strategy]()
    return {"name": name, "role": role, "strategy": strategy, "params": params, "period": period,
            "phase": int(rng.integers(period)), "lag": int(rng.integers(0, MAX_LAG + 1)), "cost": cost,
            "quality": float(rng.uniform(1.8, 2.2)), "initial_price": "monopoly"}


@dataclass(frozen=True)
class Market:
    """A held-out panel's market: its scenario, whose costs are in the panel (``cost_known[i]``), the burn-in, the
    offset of the engine's ticks from the clock (minutes) and the kind of its core (``CORES``)."""

    scenario: Scenario
    cost_known: np.ndarray
    burn_in: int
    clock_offset: float
    kind: str


def build(spec: PanelSpec) -> Market:
    """The market of a panel (module docstring)."""
    rng = np.random.default_rng(spec.seed)
    data = configs.load("amazon_10min").model_dump()
    data["demand"].update(mu=float(rng.uniform(0.2, 0.35)), arrivals="expected",
                          platform_only_share=float(rng.uniform(0.0, 0.5)))
    data["interventions"] = []
    costs_known = bool(rng.random() < 0.5)
    n = int(rng.integers(2, 9))
    platform = bool(rng.random() < 0.5)
    pool = ("fixed", "cost_plus", *FROM_RIVALS) if costs_known else ("fixed", *FROM_RIVALS)
    kind = str(rng.choice(CORES, p=CORE_SHARES))
    platform = platform or kind == "leader"
    core = {"cycle": ["edgeworth", str(rng.choice(CYCLING))], "cost": ["cost_plus"],
            "both": ["cost_plus", "edgeworth", str(rng.choice(CYCLING))],
            "leader": ["price_leadership", "match_platform", "undercut"]}[kind]
    sellers = []
    for i in range(n):
        leads = platform and i == 0
        name = "platform" if leads else f"shop{i}"
        choices = tuple(s for s in pool if s != "match_platform" or (platform and not leads))
        strategy = core[i] if i < len(core) else str(rng.choice(choices))
        sellers.append(_seller(rng, name, strategy, i < len(core), "platform" if leads else "retailer", costs_known))
    burn_in = int(rng.integers(0, 145))
    data.update(name=f"infer_{spec.index}", seed=spec.seed, horizon=burn_in + DAYS * 144, record_stride=1,
                sellers=sellers)
    known = np.array([costs_known or s["strategy"] == "cost_plus" for s in sellers])
    return Market(Scenario.from_dict(data), known, burn_in, float(rng.uniform(0.0, TICK_MINUTES)), kind)


def simulate(scenario: Scenario, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(price, cost)``: float64[ticks, n] of every tick's prices and sellers' costs over the horizon, with the
    shocks drawn from ``seed``."""
    state = engine.build_state(scenario)
    path = shocks.draw(SHOCKS, scenario.n_sellers, scenario.horizon, seed)
    shocks.run(state, scenario, path, scenario.horizon)
    since = np.searchsorted(path.tick, np.arange(scenario.horizon), side="right") - 1
    factor = np.where(since[:, None] >= 0, path.cost_factor[np.maximum(since, 0)], 1.0)
    return state.records.price.copy(), factor * np.array([s.cost for s in scenario.sellers])


def observe(spec: PanelSpec, scenario: Scenario, price: np.ndarray, cost: np.ndarray, known: np.ndarray,
            burn_in: int, offset: float) -> pl.DataFrame:
    """The scraper's rows (module docstring): time (UTC), seller, price, role, cost (empty where not known)."""
    rng = np.random.default_rng([spec.seed, 1])
    minutes = DAYS * 1440
    first = float(rng.uniform(0.0, spec.sampling))
    visits = first + spec.sampling * np.arange(int((minutes - first) // spec.sampling))
    visits = visits + np.clip(rng.normal(0.0, JITTER, visits.size), -4.0, 4.0)
    visits = np.sort(visits[(visits >= 0) & (visits < minutes)])
    tick = np.clip(np.floor((visits - offset) / TICK_MINUTES).astype(np.int64), 0, DAYS * 144 - 1) + burn_in
    n = scenario.n_sellers
    seen = rng.random((visits.size, n)) >= spec.missing
    row, seller = np.nonzero(seen)
    frame = {"time": [START + timedelta(minutes=float(m)) for m in visits[row]],
             "seller": [scenario.sellers[i].name for i in seller], "price": price[tick[row], seller],
             "role": [scenario.sellers[i].role for i in seller]}
    frame["cost"] = pl.Series(np.where(known[seller], cost[tick[row], seller], np.nan)).fill_nan(None)
    return pl.DataFrame(frame).with_columns(scenario=pl.lit(scenario.name), seed=pl.lit(spec.seed, pl.Int64),
                                            run_id=pl.lit(results.run_id(scenario)))

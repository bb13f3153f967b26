"""The simulated markets that calibrate the screens: competitive and collusive families, drawn at random.

Each family starts from a shipped scenario in ``experiments/configs/`` and draws its sellers,
strategy parameters, timing (periods, phases, lags), costs and demand from the market's own
seed, so a market is a pure function of (family, seed).

Competitive (no seller conditions on a rival's cooperation):

- ``best_response``: myopic best responders, some anticipating faster rivals (brown_mackay2023);
- ``undercut``: marketplace repricers undercutting the lowest rival down to a floor, with a platform;
- ``edgeworth``: stations in Edgeworth cycles, undercutting and resetting without coordination (wa_24h);
- ``cost_shocks``: shops pricing at cost plus a markup while their brand moves its wholesale price
  (common cost shocks), beside repricers that match or undercut them;
- ``amazon``: the seed market (amazon_10min) with its repricers' steps, periods, lags and demand varied;
- ``pass_through``: sellers that pass a large common cost shock through at once (cost-plus and best
  responders repricing every tick or two), whose prices move together as a cartel's might.

Collusive (Calvano et al. 2020 and the cases in the scenarios' comments):

- ``qlearning``: Q-learners repricing together (calvano2020, assad2024, jrw2023_pdp), trained to convergence;
- ``qlearning_sequential``: Klein's alternating Q-learners (klein2021), trained to convergence;
- ``trigger``: grim trigger and tit-for-tat at prices between Nash and monopoly;
- ``hub_and_spoke``: clients of one learning vendor, with or without an independent learner, trained;
- ``nessie``: a price-leadership prober on the platform and shops that follow it (nessie).

Non-learning markets run a burn-in of 0 to 7 days before the panel, so some panels catch the
start of the dynamics and others its settled state; learners are measured after training
(``market.training.train_then_freeze``): their converged play. Markets have 2 to ``MAX_SELLERS``
sellers where their design allows (learners' tables limit Q-learning markets to 2 or 3).

**Conditions.** Real prices move with costs and demand and are observed with gaps and errors, so
every market is measured under conditions drawn from its seed: cost shocks common to the market (sd
1% to 5% of cost, 3% to 10% in ``pass_through``) and of each seller, and demand (quality) shocks (sd
up to 0.03 in the logit's quality units, a tenth of the differentiation mu), arriving every 1 to 12
hours on average
(:mod:`market.shocks`: cost-plus sellers, best responders and floors at cost follow them; the
learners' trained play and trigger strategies do not); 0 to 20% of observed prices missing; and, in
half the markets, each observed price off by a relative noise of sd 0.1% to 1%.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from experiments import configs
from market.scenario import Scenario
from market.shocks import Shocks

COMPETITIVE = ("best_response", "undercut", "edgeworth", "cost_shocks", "amazon", "pass_through")
COLLUSIVE = ("qlearning", "qlearning_sequential", "trigger", "hub_and_spoke", "nessie")
LEARNING = ("qlearning", "qlearning_sequential", "hub_and_spoke")
PANEL_TICKS = 2016
MAX_BURN_IN = 1008
MAX_SELLERS = 8


@dataclass(frozen=True)
class MarketSpec:
    """One simulated market: its family, its index within the family, and its seed."""

    family: str
    index: int
    seed: int

    @property
    def collusive(self) -> bool:
        return self.family in COLLUSIVE


@dataclass(frozen=True)
class Conditions:
    """What moves a market from outside and how it is observed: its shocks (:mod:`market.shocks`), the share of
    prices missing, and the sd of the relative noise on each observed price."""

    shocks: Shocks
    missing: float
    noise: float


def build(spec: MarketSpec) -> tuple[Scenario, int, Conditions]:
    """The market's scenario (horizon: burn-in plus ``PANEL_TICKS``, every tick recorded), its burn-in and its
    conditions (module docstring)."""
    rng = np.random.default_rng(spec.seed)
    data = BUILDERS[spec.family](rng)
    burn_in = 0 if spec.family in LEARNING else int(rng.integers(0, MAX_BURN_IN + 1))
    data.update(name=f"{spec.family}_{spec.index}", seed=spec.seed, horizon=burn_in + PANEL_TICKS, record_stride=1)
    common = (0.03, 0.1) if spec.family == "pass_through" else (0.01, 0.05)
    shock = Shocks(every=float(rng.choice([6.0, 18.0, 36.0, 72.0])), cost_common=float(rng.uniform(*common)),
                   cost_own=float(rng.uniform(0.005, 0.03)), demand_common=float(rng.uniform(0.0, 0.03)),
                   demand_own=float(rng.uniform(0.0, 0.02)))
    noise = float(rng.uniform(0.001, 0.01)) if rng.random() < 0.5 else 0.0
    return Scenario.from_dict(data), burn_in, Conditions(shock, float(rng.uniform(0.0, 0.2)), noise)


def _base(name: str) -> dict:
    return configs.load(name).model_dump()


def _seller(name: str, rng, strategy: str, params: dict, period_choices=(1, 2, 3, 6, 12), max_lag: int = 3,
            **fields) -> dict:
    period = int(rng.choice(period_choices))
    return {"name": name, "strategy": strategy, "params": params, "period": period,
            "phase": int(rng.integers(period)), "lag": int(rng.integers(0, max_lag + 1)),
            "cost": float(rng.uniform(0.9, 1.1)), "quality": float(rng.uniform(1.8, 2.2)), **fields}


def _demand(data: dict, rng, arrivals: str = "poisson") -> None:
    data["demand"].update(mu=float(rng.uniform(0.2, 0.4)), shoppers_per_tick=100.0, arrivals=arrivals)


def _best_response(rng) -> dict:
    data = _base("brown_mackay2023")
    _demand(data, rng)
    n = int(rng.integers(2, MAX_SELLERS + 1))
    data["sellers"] = [_seller(f"s{i}", rng, "anticipating" if i and rng.random() < 0.3 else "best_response", {},
                               initial_price=str(rng.choice(["nash", "monopoly"]))) for i in range(n)]
    return data


def _undercut(rng) -> dict:
    data = _base("amazon_10min")
    _demand(data, rng)
    data["demand"]["platform_only_share"] = float(rng.uniform(0.0, 0.5))
    data["platform"].update(referral_fee=float(rng.uniform(0.05, 0.15)),
                            featured_attention=float(rng.uniform(0.0, 0.7)))
    n = int(rng.integers(2, MAX_SELLERS + 1))
    data["sellers"] = [_seller("platform" if i == 0 else f"shop{i}", rng, "undercut",
                               {"step": float(rng.uniform(0.005, 0.03)), "floor": "cost",
                                "ceiling": "monopoly"}, role="platform" if i == 0 else "retailer",
                               initial_price="monopoly") for i in range(n)]
    return data


def _edgeworth(rng) -> dict:
    data = _base("wa_24h")
    _demand(data, rng)
    n = int(rng.integers(2, MAX_SELLERS + 1))
    data["sellers"] = [_seller(f"station{i}", rng, "edgeworth",
                               {"step": float(rng.uniform(0.005, 0.03)), "floor": str(rng.choice(["cost", "nash"])),
                                "reset": "monopoly"}, period_choices=(1, 3, 6, 12)) for i in range(n)]
    return data


def _cost_shocks(rng) -> dict:
    data = _base("amazon_10min")
    _demand(data, rng)
    data["demand"]["platform_only_share"] = 0.0
    brand_cost = float(rng.uniform(0.4, 0.6))
    brand = {"name": "brand", "role": "brand", "cost": brand_cost, "quality": 2.0, "strategy": "cost_plus",
             "params": {"markup": float(rng.uniform(0.5, 1.0))}, "period": 144,
             "wholesale": {"price": brand_cost + float(rng.uniform(0.1, 0.4)), "step": float(rng.uniform(0.01, 0.05)),
                           "period": int(rng.choice([36, 72, 144, 288]))}}
    shops = [_seller(f"shop{i}", rng, "cost_plus", {"markup": float(rng.uniform(0.1, 0.5))}, supplier="brand",
                     cost=float(rng.uniform(0.2, 0.5))) for i in range(int(rng.integers(2, 6)))]
    repricers = [_seller(f"repricer{i}", rng, str(rng.choice(["match_lowest", "undercut"])),
                         {"floor": "cost", "ceiling": "monopoly"}) for i in range(int(rng.integers(0, 3)))]
    data["sellers"] = [brand, *shops, *repricers]
    return data


def _amazon(rng) -> dict:
    data = _base("amazon_10min")
    data["demand"].update(mu=float(rng.uniform(0.2, 0.4)), platform_only_share=float(rng.uniform(0.2, 0.6)))
    for seller in data["sellers"]:
        if "step" in seller["params"]:
            seller["params"]["step"] = float(seller["params"]["step"] * rng.uniform(0.5, 2.0))
        if seller["role"] == "retailer":
            seller["lag"] = int(rng.integers(0, seller["lag"] * 2 + 1))
            seller["cost"] = float(seller["cost"] * rng.uniform(0.95, 1.05))
        if seller["role"] == "brand":
            seller["params"]["markup"] = float(rng.uniform(0.8, 1.6))
    return data


def _qlearning(rng) -> dict:
    data = _base(str(rng.choice(["calvano2020", "assad2024", "jrw2023_pdp"])))
    data["demand"]["mu"] = float(rng.uniform(0.2, 0.35))
    n, m = (3, int(rng.choice([5, 7]))) if rng.random() < 0.25 else (2, int(rng.choice([7, 10, 15])))
    template = data["sellers"][0]
    params = {"alpha": float(rng.uniform(0.1, 0.2)), "beta": float(rng.uniform(1.5e-5, 5e-5)), "delta": 0.95,
              "m": m, "xi": 0.1}
    data["sellers"] = [{**template, "name": f"firm{i}", "params": params} for i in range(n)]
    return data


def _qlearning_sequential(rng) -> dict:
    data = _base("klein2021")
    data["demand"]["mu"] = float(rng.uniform(0.2, 0.35))
    params = {"alpha": float(rng.uniform(0.2, 0.4)), "theta": float(rng.uniform(1.5e-5, 5e-5)), "delta": 0.95,
              "m": int(rng.choice([5, 7, 10])), "xi": 0.1}
    for seller in data["sellers"]:
        seller["params"] = params
    return data


def _trigger(rng) -> dict:
    data = _base("calvano2020")
    _demand(data, rng)
    n = int(rng.integers(2, MAX_SELLERS + 1))
    data["sellers"] = [_seller(f"firm{i}", rng, str(rng.choice(["grim_trigger", "tit_for_tat"])), {})
                       for i in range(n)]
    b = Scenario.from_dict(data).benchmarks
    high = b.nash_price + rng.uniform(0.4, 1.0, n) * (b.monopoly_price - b.nash_price)
    for i, seller in enumerate(data["sellers"]):
        trigger = float(np.min(np.delete(high, i)))
        seller.update(params={"high": float(high[i]), "low": "nash", "trigger": trigger}, initial_price=float(high[i]))
    return data


def _hub_and_spoke(rng) -> dict:
    data = _base("hub_and_spoke")
    clients, independent = data["sellers"][:3], data["sellers"][3]
    params = {"alpha": float(rng.uniform(0.1, 0.2)), "beta": float(rng.uniform(5e-5, 1e-4)), "delta": 0.95,
              "m": int(rng.choice([5, 7])), "xi": 0.1}
    sellers = [{**c, "params": params} for c in clients[:int(rng.integers(2, 4))]]
    if rng.random() < 0.5:
        sellers.append({**independent, "params": params})
    data["sellers"] = sellers
    data["demand"]["mu"] = float(rng.uniform(0.2, 0.35))
    return data


def _nessie(rng) -> dict:
    data = _base("nessie")
    leader, follower = data["sellers"][0], data["sellers"][1]
    leader_period = int(rng.choice([1, 3, 6]))
    leader.update(period=leader_period, params={**leader["params"], "step": float(rng.uniform(0.01, 0.05)),
                                                "window": int(rng.integers(2, 6)),
                                                "cooldown": int(rng.integers(3, 13))})
    shops = [_seller(f"shop{i}", rng, "match_platform", dict(follower["params"]), period_choices=(1, 2, 3, 6),
                     initial_price="nash") for i in range(int(rng.integers(1, MAX_SELLERS)))]
    data["sellers"] = [leader, *shops]
    data["demand"]["mu"] = float(rng.uniform(0.2, 0.35))
    return data


def _pass_through(rng) -> dict:
    data = _base("brown_mackay2023")
    _demand(data, rng)
    n = int(rng.integers(2, MAX_SELLERS + 1))
    data["sellers"] = [_seller(f"s{i}", rng, "cost_plus", {"markup": float(rng.uniform(0.1, 0.5))}, period_choices=(1,),
                               max_lag=0) if rng.random() < 0.5 else
                       _seller(f"s{i}", rng, "best_response", {}, period_choices=(1, 2), max_lag=1)
                       for i in range(n)]
    return data


BUILDERS: dict[str, Callable] = {
    "best_response": _best_response, "undercut": _undercut, "edgeworth": _edgeworth, "cost_shocks": _cost_shocks,
    "amazon": _amazon, "pass_through": _pass_through, "qlearning": _qlearning,
    "qlearning_sequential": _qlearning_sequential, "trigger": _trigger,
    "hub_and_spoke": _hub_and_spoke, "nessie": _nessie,
}

"""The kernels compiled without numba's runtime (``market.jit``) compile on a cold cache.

numba compiles a function's callees with the caller's flags unless they were compiled before,
so everything reachable from the tick must allocate nothing; otherwise the engine would fail
to compile whenever it happens to be compiled before its callees (a fresh install running a
market first). This test does exactly that, in a subprocess with an empty cache, for a market
that has every group of the state (learners of every kind, best responses, brands, stock, a seller
priced from outside), so that no kernel is left out by the pruning of absent groups; and again for
the vector environment's kernel (``market.vector``), which compiles the engine's ticks inline.
"""

import os
import subprocess
import sys

import pytest

_FIRST_CALL = """
from market import engine, outside
from market.scenario import Scenario


class Fixed:
    def price(self, observation):
        return 1.6

grid = {"m": 3}
sellers = [
    {"name": "platform", "role": "platform", "strategy": "undercut", "params": {"step": 0.01}},
    {"name": "q", "channel": "both", "strategy": "qlearning", "params": grid},
    {"name": "klein", "strategy": "klein_qlearning", "params": grid, "period": 2},
    {"name": "bandit", "strategy": "epsilon_greedy", "params": grid},
    {"name": "ucb", "strategy": "ucb", "params": grid},
    {"name": "leader", "strategy": "price_leadership"},
    {"name": "reply", "strategy": "best_response", "period": 3},
    {"name": "stackelberg", "strategy": "anticipating", "period": 6},
    {"name": "brand", "role": "brand", "channel": "both", "strategy": "cost_plus", "cost": 0.6,
     "wholesale": {"price": 1.0, "period": 10}, "delist_margin": 0.1},
    {"name": "shop", "strategy": "grim_trigger", "supplier": "brand"},
    {"name": "python"},
]
scenario = Scenario.from_dict({
    "horizon": 50, "demand": {"arrivals": "poisson", "shoppers_per_tick": 30.0, "platform_only_share": 0.3},
    "sellers": sellers, "interventions": [{"kind": "audit", "period": 7}],
    "inventory": {"sellers": {"platform": {"initial_stock": 40.0, "batch": 20.0, "reorder_point": 10.0,
                                           "lead_time_ticks": 5, "review_days": 0.05}}}})
"""

_ENGINE = _FIRST_CALL + """
scenario, pricers = outside.bind(scenario, {"python": Fixed()})
state = engine.build_state(scenario)
assert all(group is not None for group in state), "every group of the state is present"
engine.advance(state, 50, pricers)
print(state.t)
"""

_VECTOR = _FIRST_CALL + """
import numpy as np
from market.vector import VectorMarketEnv

vector = VectorMarketEnv(scenario, ["python"], num_envs=2, actions="box", n_ticks=50)
assert all(group is not None for group in vector.state), "every group of the state is present"
vector.reset(seed=1)
while not vector.step(np.full((2, 1), 1.6))[3].all():
    pass
print(vector.state.clock[1, 0])
"""


@pytest.mark.slow
@pytest.mark.parametrize("first_call", [_ENGINE, _VECTOR], ids=["engine", "vector_env"])
def test_engine_compiles_before_its_callees_on_a_cold_cache(tmp_path, first_call):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", first_call], env=env, capture_output=True, text=True,
                          timeout=1800, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.split()[-1] == "50"

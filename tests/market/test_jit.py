"""The kernels compiled without numba's runtime (``market.jit``) compile on a cold cache.

numba compiles a function's callees with the caller's flags unless they were compiled before,
so everything reachable from the tick must allocate nothing; otherwise the engine would fail
to compile whenever it happens to be compiled before its callees (a fresh install running a
market first). This test does exactly that, in a subprocess with an empty cache, for a market
that has every group of the state (``tests.market.every_group``), so that no kernel is left out by
the pruning of absent groups; and again for the vector environment's kernel (``market.vector``),
which compiles the engine's ticks inline.
"""

import os
import subprocess
import sys

import pytest

_FIRST_CALL = """
from market import engine, outside
from tests.market.every_group import OUTSIDE, Fixed, scenario

scenario = scenario()
"""

_ENGINE = _FIRST_CALL + """
scenario, pricers = outside.bind(scenario, {OUTSIDE: Fixed()})
state = engine.build_state(scenario)
assert all(group is not None for group in state), "every group of the state is present"
engine.advance(state, 50, pricers)
print(state.t)
"""

_VECTOR = _FIRST_CALL + """
import numpy as np
from market.vector import VectorMarketEnv

vector = VectorMarketEnv(scenario, [OUTSIDE], num_envs=2, actions="box", n_ticks=50)
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

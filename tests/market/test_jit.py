"""The kernels compiled without numba's runtime (``market.jit``) compile on a cold cache.

numba compiles a function's callees with the caller's flags unless they were compiled before,
so everything reachable from the tick must allocate nothing; otherwise the engine would fail
to compile whenever it happens to be compiled before its callees (a fresh install running a
rule-only market first). This test does exactly that, in a subprocess with an empty cache.
"""

import os
import subprocess
import sys

_FIRST_CALL = """
from experiments.bench.engine import rule_market
from market import engine
state = engine.build_state(rule_market(8, 50))
engine.advance(state, 50)
print(state.t)
"""


def test_engine_compiles_before_its_callees_on_a_cold_cache(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, capture_output=True, text=True,
                          timeout=1800, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.split()[-1] == "50"

"""The kernels compiled without numba's runtime (``market.jit``) compile on a cold cache.

numba compiles a function's callees with the caller's flags unless they were compiled before,
so everything reachable from the tick must allocate nothing; otherwise the engine would fail
to compile whenever it happens to be compiled before its callees (a fresh install running a
market first). This test does exactly that, in a subprocess with an empty cache, for a market
that has every group of the state (``tests.market.every_group``), so that no kernel is left out by
the pruning of absent groups; and again for the vector environment's kernel (``market.vector``),
which compiles the engine's ticks inline.
"""

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from market import jit

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


_PROBE = '''
import numpy as np
from numba import njit

from market.strategies.reactive import undercut


@njit(cache=True)
def probe(rival_min, param):
    return undercut(1.0, rival_min, 0.0, 0, param, param)
'''

_CALL = """
import numpy as np
from market.probe import probe
price = probe(2.0, np.array([0.1, 0.0, 10.0]))
print(price, sum(probe.stats.cache_hits.values()), sum(probe.stats.cache_misses.values()))
"""


def test_an_edited_kernel_is_compiled_again_on_a_shared_cache(tmp_path):
    """The issue's case: a cached kernel calls ``undercut`` from another file; editing ``undercut`` in a copy of the
    tree must change the numbers on the same cache, while an edit outside the kernels' modules keeps the cache."""
    tree = tmp_path / "tree"
    shutil.copytree(Path(jit.__file__).parent, tree / "market", ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "market" / "probe.py").write_text(_PROBE)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(tree)}

    def call() -> tuple[float, int, int]:
        done = subprocess.run([sys.executable, "-c", _CALL], env=env, capture_output=True, text=True, timeout=600,
                              cwd=tree)
        assert done.returncode == 0, done.stderr[-4000:]
        price, hits, misses = done.stdout.split()
        return float(price), int(hits), int(misses)

    assert call() == (1.9, 0, 1), "compiled on the empty cache"
    assert call() == (1.9, 1, 0), "loaded from the cache"
    llm = tree / "market" / "llm.py"
    llm.write_text(llm.read_text() + "\n# an edit outside the kernels' modules\n")
    assert call() == (1.9, 1, 0), "the cache survives an edit that no kernel can see"
    reactive = tree / "market" / "strategies" / "reactive.py"
    old = "return _clip(rival_min - param[0], param[1], param[2])"
    assert old in reactive.read_text()
    reactive.write_text(reactive.read_text().replace(old, "return _clip(rival_min - 3 * param[0], param[1], param[2])"))
    price, hits, misses = call()
    assert (hits, misses) == (0, 1) and price == pytest.approx(1.7), "the edited callee is compiled in"


def test_every_kernel_of_the_package_is_cached_under_the_sources_fingerprint():
    """Each cached dispatcher of every kernel module uses ``KernelSourcesLocator``: no module escapes the stamp."""
    from numba.core.registry import CPUDispatcher

    checked = 0
    for path in jit.kernel_sources():
        module = importlib.import_module(".".join(path.relative_to(jit.ROOT.parent).with_suffix("").parts))
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and value._cache is not None and value.__module__ == module.__name__ \
                    and type(value._cache).__name__ != "NullCache":
                assert isinstance(value._cache._impl.locator, jit.KernelSourcesLocator), (module.__name__, value)
                checked += 1
    assert checked > 50
    assert len(jit.sources_fingerprint()) == 64

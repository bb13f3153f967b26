"""The worked examples of experiments/examples (the deep-RL one needs the ``rl`` extra and is not run here)."""

import numpy as np
import pytest

from experiments.examples import qlearning
from market import catalog

SESSIONS = 4


@pytest.mark.slow
def test_a_plain_python_q_learner_through_market_env_learns_what_the_engines_qlearning_learns():
    """Calvano's baseline with faster exploration decay (beta 5e-5, policies stable for 20,000 ticks): both
    train to convergence, then play frozen; their mean Delta over the same sessions agree within 0.1."""
    scenario = qlearning.fast(catalog.load("calvano2020"))
    python = [qlearning.session(scenario, seed) for seed in range(1, SESSIONS + 1)]
    kernel = [qlearning.engine_session(scenario, seed) for seed in range(1, SESSIONS + 1)]
    assert all(r["converged"] for r in python + kernel)
    mean_python, mean_kernel = (np.mean([r["delta"] for r in runs]) for runs in (python, kernel))
    assert 0.5 < mean_kernel < 0.95  # supra-competitive, as in the paper
    assert abs(mean_python - mean_kernel) < 0.1, (mean_python, mean_kernel)

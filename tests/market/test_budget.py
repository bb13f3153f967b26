"""The memory budget reads every limit a job runs under (the system's, its control groups', its address space's),
and worker counts are capped by cores and memory."""

import os
import subprocess
import sys

import pytest

from market import budget


def cgroup_tree(tmp_path, limits: dict[str, tuple[str, str]]):
    """A fake cgroup v2 file system: {group: (memory.max, memory.current)}; the process in the deepest group."""
    root = tmp_path / "cgroup"
    for group, (limit, current) in limits.items():
        folder = root / group
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "memory.max").write_text(limit + "\n")
        (folder / "memory.current").write_text(current + "\n")
    membership = tmp_path / "membership"
    membership.write_text(f"0::/{max(limits, key=len)}\n")
    return root, membership


def test_a_cgroup_v2_limit_and_its_parents(tmp_path):
    gib = 2**30
    root, membership = cgroup_tree(tmp_path, {"job": (str(4 * gib), str(gib)), "job/step": ("max", str(gib // 2))})
    assert budget._cgroup(root, membership) == 3 * gib  # the parent's 4 GiB less its 1 GiB in use
    root, membership = cgroup_tree(tmp_path / "b", {"job": ("max", "0"), "job/step": (str(2 * gib), str(gib // 2))})
    assert budget._cgroup(root, membership) == 1.5 * gib
    root, membership = cgroup_tree(tmp_path / "c", {"job": ("max", "0")})
    assert budget._cgroup(root, membership) == float("inf")


def test_a_cgroup_v1_limit(tmp_path):
    folder = tmp_path / "memory" / "job"
    folder.mkdir(parents=True)
    (folder / "memory.limit_in_bytes").write_text(str(2 * 2**30))
    (folder / "memory.usage_in_bytes").write_text(str(2**29))
    membership = tmp_path / "membership"
    membership.write_text("4:memory:/job\n3:cpu:/\n")
    assert budget._cgroup(tmp_path, membership) == 1.5 * 2**30


def test_the_budget_follows_an_address_space_limit():
    """Under ``ulimit -v`` of 3 GiB the budget is at most 80% of what is left of it (it was the machine's memory)."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30)); "
            "from market import budget; print(budget.limit())")
    env = {k: v for k, v in os.environ.items() if k != budget.LIMIT_ENV}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert 0 < int(done.stdout) <= 0.8 * 3 * 2**30


def test_workers_are_capped_by_cores_and_memory(monkeypatch, capsys):
    monkeypatch.setattr(budget, "cores", lambda: 4)
    monkeypatch.setenv(budget.LIMIT_ENV, str(2 * budget.WORKER_BYTES))
    assert budget.workers(60) == 2
    err = capsys.readouterr().err
    assert err.startswith("pricelab: --workers 60: using 2 (this process may use 4 cores") and err.count("\n") == 1
    assert budget.workers(None) == 2 and budget.workers(1) == 1 and capsys.readouterr().err == ""
    monkeypatch.setenv(budget.LIMIT_ENV, str(100 * budget.WORKER_BYTES))
    assert budget.workers(60) == 4


@pytest.mark.parametrize("n", [3_000])
def test_benchmarks_of_many_sellers_are_refused_before_they_allocate(n, monkeypatch):
    from market.scenario import Scenario

    monkeypatch.setenv(budget.LIMIT_ENV, "1GiB")
    sellers = [{"name": f"s{i}", "strategy": "fixed", "params": {"price": 1.5}} for i in range(n)]
    scenario = Scenario.from_dict({"sellers": sellers})
    with pytest.raises(budget.BudgetError, match=f"the benchmarks of {n:,} sellers need 1.6 GiB"):
        _ = scenario.benchmarks

"""Property-based hostile input (hypothesis): any scenario field, sweep spec field or command-line flag set to
any value gives exit 0, or exit 2 with one line naming the field, within a time bound; no traceback, and
nothing written on refusal. A few hundred examples here; more under the ``slow`` mark."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.cli import main
from market import catalog
from market.scenario import dump_toml

BASE = catalog.load("amazon_10min").model_dump(mode="json", exclude_none=True)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
MORE = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

values = st.one_of(
    st.integers(-10, 10**5), st.integers(10**13, 10**30), st.integers(-(10**30), -(10**13)),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.text(max_size=12),
    st.lists(st.integers(-3, 3), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["nash", "monopoly", "cost", "../x", "", "poisson", "both", "qlearning"]))


def leaves(node, path=()) -> list[tuple]:
    """Every path to a scalar or a list of scalars of a scenario's data (sellers by index)."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in leaves(value, (*path, key))]
    if isinstance(node, list) and node and isinstance(node[0], dict):
        return [p for i, value in enumerate(node) for p in leaves(value, (*path, i))]
    return [path]


PATHS = leaves(BASE)


def mutated(path: tuple, value) -> dict:
    data = _copy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _copy(node):
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def answer(argv: list[str], capsys, out: Path) -> tuple[int, str]:
    """Exit 0, or 2 with one ``pricelab: error:`` line and ``out`` not created. (No wall-clock bound: on a loaded
    machine a correct answer can be slow; a hang would stop the suite.)"""
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert err.startswith("pricelab: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
        assert not out.exists() and not list(out.parent.glob(f".{out.name}.*"))
    return code, err


def _named(path: tuple, err: str) -> bool:
    """Whether the error names the field (or, for a name others refer to, the field that refers to it)."""
    key = str(path[-1])
    return key in err or (key == "name" and path[0] == "sellers" and ("supplier" in err or "inventory" in err))


def check_scenario(path, value, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        text = dump_toml(mutated(path, value))
    except TypeError:
        return
    (folder / "s.toml").write_text(text)
    out = folder / "out"
    code, err = answer(["run", str(folder / "s.toml"), "--horizon", "30", "--out", str(out)], capsys, out)
    if code == 2:
        assert _named(path, err), (path, value, err)
    else:
        assert (out / "summary.parquet").is_file()


@FAST
@given(path=st.sampled_from(PATHS), value=values)
def test_any_scenario_field_set_to_anything(path, value, tmp_path_factory, capsys):
    check_scenario(path, value, tmp_path_factory, capsys)


@pytest.mark.slow
@MORE
@given(path=st.sampled_from(PATHS), value=values)
def test_any_scenario_field_set_to_anything_more(path, value, tmp_path_factory, capsys):
    check_scenario(path, value, tmp_path_factory, capsys)


SPEC = {"name": "fuzz", "base": "amazon_10min", "master_seed": 1, "seeds": 2, "set": {"horizon": 20},
        "grid": {"demand.mu": [0.2, 0.3]}, "keep": {"metrics": ["delta"]}}
SPEC_PATHS = [("name",), ("base",), ("master_seed",), ("seeds",), ("set", "horizon"), ("set", "sellers.platform.cost"),
              ("grid", "demand.mu"), ("grid", "sellers.*.period"), ("zip", "sellers.platform.lag"),
              ("keep", "metrics"), ("keep", "sellers"), ("keep", "timeseries_stride"), ("colour",)]


@FAST
@given(path=st.sampled_from(SPEC_PATHS), value=values)
def test_any_sweep_spec_field_set_to_anything(path, value, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("spec")
    data = _copy(SPEC)
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    try:
        text = dump_toml(data)
    except TypeError:
        return
    (folder / "spec.toml").write_text(text)
    out = folder / "out"
    code, err = answer(["sweep", str(folder / "spec.toml"), "--out", str(out)], capsys, out)
    if code == 2:
        named = str(path[-1]).split(".")[-1].replace("*", "")
        assert named in err or path[0] in err, (path, value, err)


flag_values = st.one_of(st.integers(-5, 50).map(str), st.integers(10**13, 10**30).map(str), st.text(max_size=8),
                        st.floats(allow_nan=True, allow_infinity=True).map(repr), st.just(""))
FLAGS = [("run", "--seed"), ("run", "--horizon"), ("run", "--train"), ("run", "--max-memory"),
         ("compare", "--seeds"), ("compare", "--horizon"), ("compare", "--intervention"), ("compare", "--set"),
         ("compare", "--vary"), ("compare", "--arms"), ("replicate", "--sessions"), ("replicate", "--alpha"),
         ("replicate", "--beta"), ("replicate", "--xi"), ("replicate", "--seed"),
         ("screen", "--step"), ("dashboard", "--port"), ("sweep", "--workers"), ("sweep", "--executor")]
REST = {"run": ["amazon_10min", "--horizon", "30"], "compare": ["amazon_10min", "--seeds", "1", "--horizon", "30"],
        "replicate": ["klein2021", "--periods", "2000", "--sessions", "1", "--workers", "1"],
        "benchmarks": ["amazon_10min"], "screen": ["nowhere.csv"], "dashboard": ["--host", "127.0.0.1"],
        "sweep": ["amazon_periods_sweep"]}


@FAST
@given(flag=st.sampled_from(FLAGS), value=flag_values)
def test_any_flag_set_to_anything(flag, value, tmp_path_factory, capsys, monkeypatch):
    command, name = flag
    if command == "dashboard":
        from experiments.commands import dashboard

        monkeypatch.setattr(dashboard.subprocess, "run", lambda *a, **k: (_ for _ in ()).throw(SystemExit(0)))
    folder = tmp_path_factory.mktemp("flag")
    out = folder / "out"
    rest = list(REST[command])
    if command == "compare" and name in ("--horizon", "--seeds"):
        rest = ["amazon_10min", "--intervention", "once_a_day"] + (["--seeds", "1"] if name == "--horizon" else
                                                                   ["--horizon", "30"])
    elif command == "compare" and name not in ("--intervention", "--arms"):
        rest += ["--intervention", "once_a_day"]
    if command == "run" and name == "--horizon":
        rest = ["amazon_10min"]
    argv = [command, *rest, name, value] + ([] if command in ("benchmarks", "dashboard", "screen") else
                                           ["--out", str(out)])
    if command == "compare" and name == "--seeds" and value.isdigit() and 1 < int(value) <= 50:
        argv[argv.index("--seeds") + 1] = "2"
    try:
        code, err = answer(argv, capsys, out)
    except SystemExit:
        return
    if code == 2:
        assert name in err or name.lstrip("-") in err or "config" in err or "nowhere.csv" in err, (argv, err)

"""A sweep's folder: one Parquet file per run, a manifest, and a table of failed runs.

Layout of ``DIR``::

    manifest.json            the spec, its hash, package versions, git commit; each session's times, versions,
                             counts and status (finished, stopped and why, or killed: closed on resume)
    runs/<run id>.parquet    one summary row per finished run (run columns, swept values, metrics)
    timeseries/<run id>.parquet   the run's time series, when the spec keeps it
    failures/<run id>.parquet     run id, index, seed, swept values (JSON) and the error

Every file is written to a temporary name and renamed (``experiments.atomic``), and readers
only list ``*.parquet``: a file is there whole or not at all. A run is finished when its
``runs/`` file exists, so a rerun skips it; its time series is written first. A new session
deletes the temporary files of writers that died, the manifest's included. One sweep at a time
writes a folder: ``lock`` holds ``DIR/.lock`` (an ``flock``, released by the system when its
process ends, even killed), and a second sweep into the folder is refused while the first runs.
"""

import contextlib
import fcntl
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import polars as pl

from experiments.atomic import prepare_output_dir, remove_dead_temporaries, write_parquet, write_text
from experiments.errors import UsageError
from experiments.sweep.runs import Outcome, Run
from experiments.sweep.spec import Spec
from market.tomlfile import read_json

MANIFEST = "manifest.json"
LOCK = ".lock"
MANIFEST_KEYS = ("spec_hash", "spec", "runs", "paths", "metrics", "sessions")
RUN_IDS = "market.results.run_id"  # how run ids are made; folders whose manifest says otherwise do not resume
RUNS, TIMESERIES, FAILURES = "runs", "timeseries", "failures"
_PACKAGES = ("pricelab", "numpy", "numba", "polars", "pydantic", "dask", "distributed")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_manifest(folder: Path) -> dict:
    """The manifest of a sweep folder; ``UsageError`` if ``folder`` is not one or its manifest is damaged."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise UsageError(f"{str(folder)!r}: not a sweep folder (no {MANIFEST}); run `pricelab sweep SPEC --out DIR`")
    manifest = read_json(path, "manifest", UsageError)
    missing = [key for key in MANIFEST_KEYS if key not in manifest]
    if missing or not isinstance(manifest["sessions"], list):
        raise UsageError(f"manifest file {str(path)!r}: damaged (missing {', '.join(missing) or 'a list of sessions'});"
                         " start a new folder")
    return manifest


@contextlib.contextmanager
def lock(folder: Path):
    """Hold ``folder``'s lock while the block runs; ``UsageError`` if another sweep holds it (module docstring).
    A folder the lock created is removed again if the block leaves nothing else in it (a refused sweep)."""
    created = not Path(folder).exists()
    folder = prepare_output_dir(folder)
    try:
        with open(folder / LOCK, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise UsageError(f"--out {str(folder)!r}: another sweep ({holder}) is writing this folder; wait for "
                                 "it or stop it, then rerun to resume") from None
            handle.truncate(0)
            handle.write(f"pid {os.getpid()} on {platform.node()}")
            handle.flush()
            yield
    finally:
        if created and [p.name for p in folder.iterdir()] == [LOCK]:
            (folder / LOCK).unlink()
            folder.rmdir()


def finished(folder: Path, kind: str = RUNS) -> set[str]:
    """Ids of the runs with a complete file in ``folder/kind`` (temporary files are never listed)."""
    return {path.stem for path in (Path(folder) / kind).glob("*.parquet")}


def scan(folder: Path, kind: str = RUNS) -> pl.LazyFrame:
    """One lazy scan over the complete files of ``folder/kind``, in run order; ``UsageError`` if none."""
    files = Path(folder) / kind
    if not any(files.glob("*.parquet")):
        raise UsageError(f"{str(folder)!r}: no {kind} files yet")
    return pl.scan_parquet(files / "*.parquet", hive_partitioning=False).sort("run_index")


def check_folder(folder: Path, spec: Spec) -> None:
    """Refuse a file, a folder of other things, or a folder made by a different spec. Writes nothing."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {str(folder)!r}: is a file; need a folder (new, or one made by this spec)")
    if not folder.is_dir() or not any(p.name != LOCK for p in folder.iterdir()):
        return
    if not (folder / MANIFEST).is_file():
        raise UsageError(f"--out {str(folder)!r}: not empty and not a sweep folder; use a new folder")
    manifest = read_manifest(folder)
    if manifest.get("run_ids") != RUN_IDS:
        raise UsageError(f"--out {str(folder)!r}: made by an earlier pricelab whose run ids differ (its runs would be "
                         f"run again beside the old ones); use a new folder")
    previous = manifest["spec_hash"]
    if previous != spec.hash:
        raise UsageError(f"--out {str(folder)!r}: made by a different spec (hash {previous}; this spec is "
                         f"{spec.hash}); use a new folder")


class Store:
    """Writes the results of ``runs`` (all runs of ``spec``) into ``folder``; one session per sweep."""

    def __init__(self, folder: Path, spec: Spec, runs: list[Run]):
        self.folder = Path(folder)
        self.spec = spec
        self.runs = {run.run_id: run for run in runs}
        self.n_runs = len(runs)
        self._schema = {"run_id": pl.String, "run_index": pl.Int64, "replicate": pl.Int64, "seed": pl.Int64,
                        **{path: _dtype([run.values[path] for run in runs]) for path in spec.paths}}

    def open(self, executor: str, workers: int | None) -> None:
        """Create the folders, close a session that died without closing, and record a new session."""
        prepare_output_dir(self.folder)
        for kind in (RUNS, TIMESERIES, FAILURES):
            (self.folder / kind).mkdir(exist_ok=True)
        for place in (self.folder, *(self.folder / kind for kind in (RUNS, TIMESERIES, FAILURES))):
            remove_dead_temporaries(place)
        path = self.folder / MANIFEST
        manifest = read_manifest(self.folder) if path.is_file() else self._new_manifest()
        for session in manifest["sessions"]:
            if session["ended"] is None:
                session.update(ended=self._last_write(session["started"]), status="killed (closed on resume)")
        manifest["sessions"].append({"started": now(), "ended": None, "executor": executor, "workers": workers,
                                     "git_commit": _git_commit(), "versions": _versions()})
        self._manifest = manifest
        write_text(json.dumps(manifest, indent=2), path)

    def close(self, done: int, failed: int, status: str = "finished") -> None:
        """Record the end of this session: runs done and failed, and ``finished`` or why it stopped."""
        self._manifest["sessions"][-1].update(ended=now(), done=done, failed=failed, status=status)
        write_text(json.dumps(self._manifest, indent=2), self.folder / MANIFEST)

    def _last_write(self, started: str) -> str:
        """When a session that died last wrote a result (its start if none): the best estimate of its end."""
        times = [path.stat().st_mtime for kind in (RUNS, FAILURES) for path in (self.folder / kind).glob("*.parquet")]
        last = datetime.fromtimestamp(max(times), UTC).isoformat(timespec="seconds") if times else started
        return max(last, started)

    def save(self, outcome: Outcome) -> None:
        """Write a finished run's time series then its summary row, or its failure."""
        run = self.runs[outcome.run_id]
        failure = self.folder / FAILURES / f"{run.run_id}.parquet"
        if outcome.error is not None:
            row = {"scenario": run.scenario["name"], "seed": run.seed, "run_id": run.run_id, "run_index": run.index,
                   "values": json.dumps(run.values), "error": outcome.error}
            write_parquet(pl.DataFrame([row]), failure)
            return
        if outcome.timeseries is not None:
            write_parquet(outcome.timeseries, self.folder / TIMESERIES / f"{run.run_id}.parquet")
        columns = {"run_id": run.run_id, "run_index": run.index, "replicate": run.replicate, "seed": run.seed,
                   **run.values}
        row = pl.DataFrame({k: [v] for k, v in columns.items()}, schema=self._schema, strict=False)
        summary = outcome.summary.drop("seed", "run_id", strict=False)
        write_parquet(pl.concat([row, summary], how="horizontal"), self.folder / RUNS / f"{run.run_id}.parquet")
        failure.unlink(missing_ok=True)

    def _new_manifest(self) -> dict:
        return {"run_ids": RUN_IDS, "spec_hash": self.spec.hash, "spec": self.spec.canonical(),
                "spec_source": self.spec.source,
                "runs": self.n_runs, "paths": self.spec.paths, "metrics": list(self.spec.metrics),
                "versions": _versions(), "git_commit": _git_commit(), "created": now(), "sessions": []}


def _dtype(values: list) -> pl.DataType:
    """One column type per swept path, the same in every file: Boolean, Int64, Float64, else String."""
    if all(isinstance(v, bool) for v in values):
        return pl.Boolean
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pl.Int64
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pl.Float64
    return pl.String


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _git_commit() -> str | None:
    """``git describe --always --dirty`` of the source tree, or None outside a git checkout."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None

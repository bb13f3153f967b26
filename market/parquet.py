"""Parquet files written whole: through a temporary name (``NAME.<pid>.tmp``) and an atomic rename, with the
codebook's entry of every column in the schema metadata and the run's ids first (``market.results.ID_COLUMNS``).

A failed write (a full disk) deletes its temporary file and names the file it was writing. Used by every
writer of the project (``experiments.atomic`` re-exports it; the LLM pricer's log writes through it too).
"""

import contextlib
import os
from pathlib import Path

import polars as pl

from market.codebook import IDS, parquet_metadata

TEMP_SUFFIX = ".tmp"


def write_parquet(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` through ``path.<pid>.tmp`` and an atomic ``os.replace``, with the codebook's
    description and unit of every column in its schema metadata (``market.codebook``). Every file carries the
    ids ``scenario``, ``seed`` (cast to Int64) and ``run_id`` first (``market.results.tag``): ``ValueError``
    for a frame without them."""
    path = Path(path)
    missing = [name for name in IDS if name not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: no {', '.join(missing)} column (every file carries {', '.join(IDS)})")
    frame = frame.select(pl.col("scenario").cast(pl.String), pl.col("seed").cast(pl.Int64),
                         pl.col("run_id").cast(pl.String), pl.exclude(*IDS))
    metadata = parquet_metadata(frame.columns)
    temp = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    with written(temp, path):
        frame.write_parquet(temp, metadata=metadata)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


@contextlib.contextmanager
def written(temp: Path, path: Path):
    """Delete ``temp`` if writing it fails (a full disk), and name ``path`` in the ``OSError``."""
    try:
        yield
    except BaseException as err:
        temp.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.filename in (None, "", str(temp)):
            raise OSError(err.errno, err.strerror or str(err), str(path)) from err
        if isinstance(err, OSError | KeyboardInterrupt) or not isinstance(err, Exception):
            raise
        if "No space left" in str(err) or "os error 28" in str(err):  # polars' own IO error
            raise OSError(28, "No space left on device", str(path)) from err
        raise

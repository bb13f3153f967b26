"""Files that appear whole or not at all: write to a temporary name, then rename."""

import os
from pathlib import Path

import polars as pl

from market.codebook import parquet_metadata

TEMP_SUFFIX = ".tmp"


def write_parquet(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` through ``path.<pid>.tmp`` and an atomic ``os.replace``, with the codebook's
    description and unit of every column in its schema metadata (``market.codebook``)."""
    path = Path(path)
    metadata = parquet_metadata(frame.columns)
    temp = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    frame.write_parquet(temp, metadata=metadata)
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` to ``path`` atomically."""
    path = Path(path)
    temp = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    with open(temp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


def check_output_dir(out: str | Path) -> Path:
    """Check that ``out`` can be a results folder (not a file), creating nothing. Raises ``UsageError``."""
    from experiments.errors import UsageError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r}: is a file; need a folder (new or existing)")
    return out


def prepare_output_dir(out: str | Path) -> Path:
    """Check that ``out`` can be a results folder (not a file); create it. Raises ``UsageError``."""
    from experiments.errors import UsageError

    out = check_output_dir(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--out {str(out)!r}: cannot create folder ({err.strerror})") from None
    return out

"""Batch experiments: expand a spec into runs, execute them anywhere, store one Parquet file per run."""

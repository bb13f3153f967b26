"""Print or export the combined summary of a sweep: one row per finished run, in run order.

The rows come from one lazy polars scan over ``DIR/runs/*.parquet``; temporary files are never
read. ``--format csv`` or ``parquet`` writes to ``--output`` (CSV may also go to stdout).
"""

import sys
from pathlib import Path

from experiments.errors import UsageError

NAME = "results"
HELP = "print or export the combined summary of a sweep folder"
FORMATS = ("table", "csv", "parquet")


def add_arguments(parser) -> None:
    parser.add_argument("folder", help="a folder written by `pricelab sweep`")
    parser.add_argument("--format", default="table", help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("--output", default=None, help="file to write (required for parquet)")


def main(args) -> int:
    import polars as pl

    from experiments.atomic import write_parquet, write_text
    from experiments.sweep.store import read_manifest, scan

    if args.format not in FORMATS:
        raise UsageError(f"--format {args.format!r}: unknown; allowed: {', '.join(FORMATS)}")
    if args.format == "parquet" and args.output is None:
        raise UsageError("--format parquet: needs --output FILE")
    if args.output is not None and Path(args.output).is_dir():
        raise UsageError(f"--output {args.output!r}: is a folder; need a file name")
    read_manifest(args.folder)
    frame = scan(args.folder).collect()
    if args.format == "parquet":
        write_parquet(frame, args.output)
    elif args.format == "csv" and args.output is not None:
        write_text(frame.write_csv(), args.output)
    elif args.format == "csv":
        sys.stdout.write(frame.write_csv())
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200):
            print(frame)
    return 0

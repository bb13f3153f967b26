"""Show how far a sweep has got: runs done, failed and remaining, and why runs failed."""

NAME = "status"
HELP = "runs done, failed and remaining in a sweep folder"


def add_arguments(parser) -> None:
    parser.add_argument("folder", help="a folder written by `pricelab sweep`")


def main(args) -> int:
    import polars as pl

    from experiments.sweep.store import FAILURES, finished, read_manifest, scan

    manifest = read_manifest(args.folder)
    done = finished(args.folder)
    failed = finished(args.folder, FAILURES) - done
    remaining = manifest["runs"] - len(done) - len(failed)
    session = manifest["sessions"][-1] if manifest["sessions"] else {}
    print(f"{manifest['spec']['name']} (spec {manifest['spec_hash']}): {len(done)} done, {len(failed)} failed, "
          f"{remaining} remaining of {manifest['runs']} runs")
    state = session.get("status") or ("finished" if session.get("ended") else "running, or killed (closed on resume)")
    print(f"last session: started {session.get('started')}, ended {session.get('ended') or '-'}, "
          f"executor {session.get('executor')}: {state}")
    if failed:
        failures = scan(args.folder, FAILURES).filter(pl.col("run_id").is_in(sorted(failed))).collect()
        with pl.Config(tbl_rows=-1, fmt_str_lengths=200, tbl_hide_dataframe_shape=True):
            print(failures.select("run_id", "seed", "values", "error"))
    return 0

"""Export a run's results as a product panel for the IO toolchain: one row per market (a day) and seller.

    pricelab export RESULTS [--format pyblp|long] [--period 1d] [--output FILE.parquet|FILE.csv]

RESULTS is a `pricelab run` folder. ``long`` (the default) has the columns `pricelab calibrate` reads (market,
product, firm, mean_price, market_share, units, market_size, marginal_cost, quality); ``pyblp`` has pyblp's
product_data names (market_ids, product_ids, firm_ids, shares, prices, costs, qualities). Both carry the run's
scenario, seed and run id. Default output: RESULTS/products_<format>.parquet.
"""

from pathlib import Path

from experiments import flags
from experiments.errors import UsageError

NAME = "export"
HELP = "a run's results as a product panel (pyblp's product_data, or calibrate's long panel)"


def add_arguments(parser) -> None:
    parser.add_argument("results", help="a folder written by `pricelab run`")
    parser.add_argument("--format", default="long", help="long (default) or pyblp")
    parser.add_argument("--period", type=flags.duration, default=1440.0,
                        help="the time one market covers: 30m, 12h, 1d (default), 1w")
    parser.add_argument("--output", default=None, help="a .parquet or .csv file (default: "
                                                       "RESULTS/products_<format>.parquet)")


def main(args) -> int:
    from experiments import export
    from experiments.atomic import write_parquet, write_text

    output = Path(args.output) if args.output else Path(args.results) / f"products_{args.format}.parquet"
    if output.suffix.lower() not in (".parquet", ".csv"):
        raise UsageError(f"--output {str(output)!r}: must end in .parquet or .csv")
    if output.is_dir():
        raise UsageError(f"--output {str(output)!r}: is a folder; need a file name")
    if args.format not in export.FORMATS:
        raise UsageError(f"--format {args.format!r}: must be one of {', '.join(export.FORMATS)}")
    frame = export.as_format(export.product_panel(args.results, args.period), args.format)
    if output.suffix.lower() == ".csv":
        write_text(frame.write_csv(), output)
    else:
        write_parquet(frame, output)
    markets = frame[frame.columns[3]].n_unique()
    print(f"{frame.height:,} rows ({markets:,} markets x {frame.height // max(markets, 1)} products) in {output}")
    return 0

"""Write a sweep's report: Markdown and PNG figures in DIR/report/ (metrics against swept values, heatmaps)."""

NAME = "report"
HELP = "write a Markdown + PNG report of a sweep folder"


def add_arguments(parser) -> None:
    parser.add_argument("folder", help="a folder written by `pricelab sweep`")
    parser.add_argument("--baseline", default=None, metavar="PATH=VALUE",
                        help="also report every other value's paired effect against PATH = VALUE (a swept value; "
                             "TOML), all else equal, on the same seeds")


def main(args) -> int:
    from experiments.arms import parse_assignment
    from experiments.sweep.report import write_report

    baseline = parse_assignment(args.baseline, "--baseline") if args.baseline else None
    print(f"report in {write_report(args.folder, baseline)}")
    return 0

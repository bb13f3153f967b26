"""Write a sweep's report: Markdown and PNG figures in DIR/report/ (metrics against swept values, heatmaps)."""

NAME = "report"
HELP = "write a Markdown + PNG report of a sweep folder"


def add_arguments(parser) -> None:
    parser.add_argument("folder", help="a folder written by `pricelab sweep`")


def main(args) -> int:
    from experiments.sweep.report import write_report

    print(f"report in {write_report(args.folder)}")
    return 0

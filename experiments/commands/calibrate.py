"""Calibrate the engine's market to a product panel: one scenario per market, checked against the data.

    pricelab calibrate PANEL [--out DIR] [--markets M,M] [--products P,P] [--price-coef ALPHA [--price-coef-se SE]]
                       [--instruments COL,COL] [--absorb product|product,market|none] [--se robust|clustered]
                       [--owner PRODUCT=FIRM ...] [--single-product-firms] [--period 1d] [--market-size N]
                       [--channel web|platform] [--referral-fee R] [--fulfilment-fee F]
                       [--repricers FRAGMENT.toml --observed PRICES.csv] [--json]

PANEL is a CSV or Parquet file with columns market, product (or seller), price, share (or quantity with
market_size), optionally firm, cost, instruments (demand_instruments0, ... or instrument*) and characteristics;
pyblp's column names are read too, and ``pyblp:nevo`` / ``pyblp:blp`` read the data sets pyblp ships. The price
coefficient is estimated by pyblp's plain logit with product fixed effects and instrumented prices (or given
with --price-coef); qualities come from the logit inversion with the outside option's quality 0; missing costs from
the first-order conditions under the data's firms. Before anything is written, each market's static Nash prices
are compared with the observed ones and products with negative implied costs are refused. With --repricers, each
seller named in the fragment (``pricelab infer``'s [[sellers]] tables) takes its strategy, params, period, phase
and lag, and with --observed the twin is run and compared with the observed prices. Writes DIR/<scenario>.toml
per market (the estimate, its SE and source in comments), DIR/calibration.parquet and DIR/calibration.md (and
twin.parquet). Bad input is one line naming the market and product, exit status 2, nothing written.
"""

import json
from pathlib import Path

from experiments import flags
from experiments.errors import UsageError

NAME = "calibrate"
HELP = "calibrate scenarios to a product panel (pyblp's logit, costs from first-order conditions)"


def add_arguments(parser) -> None:
    parser.add_argument("panel", help="product panel: a CSV or Parquet file, or pyblp:nevo, pyblp:blp")
    parser.add_argument("--out", default=None, help="folder for the scenarios and the report (default: "
                                                    "calibrated/<panel name>)")
    parser.add_argument("--markets", default=None, metavar="M,M", help="the markets to write (default: every one)")
    parser.add_argument("--products", default=None, metavar="P,P",
                        help="the products each scenario keeps (default: all); the others join the outside option at "
                             "their observed prices")
    parser.add_argument("--price-coef", type=flags.finite, default=None, metavar="ALPHA",
                        help="your own estimate of the logit's price coefficient (< 0) instead of estimating it")
    parser.add_argument("--price-coef-se", type=flags.finite, default=None, metavar="SE",
                        help="its standard error (for the comments)")
    parser.add_argument("--instruments", default=None, metavar="COL,COL",
                        help="columns instrumenting the price (default: demand_instruments*, instrument*); 'price' "
                             "treats prices as exogenous")
    parser.add_argument("--characteristics", default=None, metavar="COL,COL", help="exogenous regressors")
    parser.add_argument("--absorb", default="product", help="fixed effects: product (default), product,market, none")
    parser.add_argument("--se", default="robust", help="standard errors: robust (default), clustered (by market), "
                                                       "unadjusted")
    parser.add_argument("--owner", action="append", default=None, metavar="PRODUCT=FIRM",
                        help="the firm that sets PRODUCT's price (must agree with a firm column); repeatable")
    parser.add_argument("--single-product-firms", action="store_true",
                        help="every product its own firm, whatever the firm column says")
    parser.add_argument("--tick-minutes", type=flags.count, default=10, help="minutes a tick (default 10)")
    parser.add_argument("--period", type=flags.duration, default=1440.0,
                        help="the time a market's data cover, for shoppers per tick (30m, 12h, 1d, 13w; default 1d)")
    parser.add_argument("--market-size", type=flags.finite, default=None, metavar="N",
                        help="potential buyers per period where the panel has no market_size column")
    parser.add_argument("--channel", default="web", choices=("web", "platform"),
                        help="where every product is listed (platform: third-party offers, the featured offer)")
    parser.add_argument("--referral-fee", type=flags.finite, default=0.0, help="platform's share of price (platform)")
    parser.add_argument("--fulfilment-fee", type=flags.finite, default=0.0, help="platform's fee a unit (platform)")
    parser.add_argument("--days", type=flags.finite, default=30.0, help="each scenario's horizon in days (30)")
    parser.add_argument("--seed", type=flags.seed, default=0, help="the scenarios' seed (default 0)")
    parser.add_argument("--repricers", default=None, metavar="FRAGMENT.toml",
                        help="sellers' strategies, periods, phases and lags (pricelab infer's fragment), by name")
    parser.add_argument("--observed", default=None, metavar="PRICES",
                        help="observed prices (time, seller, price[, buy_box]) to check the twin against")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")


def main(args) -> int:
    from experiments import calibration
    from experiments.atomic import staged_folder
    from market.calibration import estimate, panel, scenarios, twin

    _check(args)
    data = panel.read_product_panel(args.panel, instruments=_list(args.instruments),
                                    characteristics=_list(args.characteristics), owners=_owners(args.owner),
                                    single_product_firms=args.single_product_firms)
    markets = _markets(args.markets, data.markets)
    fragment = twin.read_fragment(args.repricers) if args.repricers else None
    observed = twin.read_observed(args.observed, args.tick_minutes) if args.observed else None
    fit = estimate.given(args.price_coef, args.price_coef_se) if args.price_coef is not None else \
        estimate.estimate_logit(data, absorb=args.absorb, se_type=args.se)
    settings = scenarios.Settings(
        tick_minutes=args.tick_minutes, period_minutes=args.period, market_size=args.market_size,
        channel=args.channel, referral_fee=args.referral_fee, fulfilment_fee=args.fulfilment_fee, days=args.days,
        seed=args.seed, prefix=_prefix(args.panel),
        products=tuple(_list(args.products)) if args.products is not None else None)
    fits = scenarios.calibrate(data, fit, markets, settings)
    if fragment is not None:
        fits = [twin.merge(f, fragment) for f in fits]
    checks = [twin.check(f, observed) for f in fits] if observed is not None else []
    out = Path(args.out or f"calibrated/{settings.prefix}")
    with staged_folder(out) as folder:
        calibration.write(folder, data, fit, settings, fits, checks)
    if args.json:
        print(json.dumps(calibration.as_json(data, fit, fits, checks, out)))
    else:
        calibration.print_summary(data, fit, fits, checks, out)
    return 0


def _check(args) -> None:
    if args.price_coef_se is not None and args.price_coef is None:
        raise UsageError("--price-coef-se: only with --price-coef")
    if args.observed is not None and args.repricers is None:
        raise UsageError("--observed: only with --repricers (the twin needs the sellers' repricers)")
    if args.single_product_firms and args.owner:
        raise UsageError("--owner: not with --single-product-firms")
    if not 0.0 <= args.referral_fee < 1.0:
        raise UsageError(f"--referral-fee {args.referral_fee:g}: must be in [0, 1)")
    if args.fulfilment_fee < 0:
        raise UsageError(f"--fulfilment-fee {args.fulfilment_fee:g}: must be >= 0")
    if args.channel == "web" and (args.referral_fee or args.fulfilment_fee):
        raise UsageError("--referral-fee, --fulfilment-fee: fees apply to offers on the platform (--channel "
                         "platform)")
    if args.market_size is not None and not args.market_size > 0:
        raise UsageError(f"--market-size {args.market_size:g}: must be > 0")
    if not 0 < args.days <= 10**6:
        raise UsageError(f"--days {args.days:g}: must be in (0, 1e6]")
    if 1440 % args.tick_minutes:
        raise UsageError(f"--tick-minutes {args.tick_minutes}: must divide 1440 (a day)")


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [item.strip() for item in text.split(",") if item.strip()]


def _owners(items: list[str] | None) -> dict[str, str]:
    owners = {}
    for item in items or []:
        product, sep, firm = item.partition("=")
        if not sep or not product or not firm:
            raise UsageError(f"--owner {item!r}: must be PRODUCT=FIRM")
        if owners.get(product, firm) != firm:
            raise UsageError(f"--owner {product}: given as {owners[product]} and as {firm}")
        owners[product] = firm
    return owners


def _markets(text: str | None, known: list[str]) -> list[str]:
    chosen = _list(text)
    if chosen is None:
        return known
    unknown = [m for m in chosen if m not in known]
    if unknown or not chosen:
        raise UsageError(f"--markets {text!r}: no market {unknown[0] if unknown else ''!r} in the panel (markets: "
                         f"{', '.join(known[:10])}{', ...' if len(known) > 10 else ''})")
    return list(dict.fromkeys(chosen))


def _prefix(panel: str) -> str:
    """The scenarios' name prefix: the shipped data set's name, or the panel file's stem."""
    return panel.removeprefix("pyblp:") if panel.startswith("pyblp:") else Path(panel).stem

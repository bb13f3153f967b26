"""pyblp's Nevo cereal data (94 city-quarters, 24 products, 20 demand instruments), read from the package that
ships it, for the calibration tests."""

import polars as pl
import pyblp


def nevo_frame() -> pl.DataFrame:
    return pl.read_csv(pyblp.data.NEVO_PRODUCTS_LOCATION, infer_schema_length=None)


def small_panel(**columns) -> pl.DataFrame:
    """Two markets of three products each, plausible prices and shares, two firms; ``columns`` replace or add."""
    data = {"market": ["m1"] * 3 + ["m2"] * 3, "product": ["a", "b", "c"] * 2, "firm": ["f", "f", "g"] * 2,
            "price": [1.5, 1.7, 1.6, 1.55, 1.65, 1.62], "share": [0.2, 0.15, 0.25, 0.18, 0.17, 0.22],
            "instrument1": [1.0, 1.2, 1.1, 1.05, 1.15, 1.12]}
    data.update(columns)
    return pl.DataFrame(data)

"""Reading and checking a product panel: pyblp's names, quantities with market sizes, owners; every bad input one
line naming the market and the product."""

import numpy as np
import polars as pl
import pytest

from market.calibration.panel import product_panel_from_frame, read_product_panel
from market.errors import CalibrationError
from tests.market.calibration.nevo import small_panel


def test_nevo_is_read_from_the_package_that_ships_it():
    panel = read_product_panel("pyblp:nevo")
    assert len(panel.markets) == 94 and panel.price.size == 2256 and len(set(panel.product)) == 24
    assert panel.instrument_names == tuple(f"demand_instruments{k}" for k in range(20))
    assert panel.firm_given and set(panel.firm) == {"1", "2", "3", "4", "6"}
    assert np.all(panel.outside_share() > 0.3)


def test_quantities_with_market_sizes_give_shares_and_rows_keep_market_order():
    frame = small_panel(quantity=[20.0, 15.0, 25.0, 36.0, 34.0, 44.0], market_size=[100.0] * 3 + [200.0] * 3,
                        market=["m2"] * 3 + ["m1"] * 3).drop("share")
    panel = product_panel_from_frame(frame)
    assert panel.markets == ["m2", "m1"]
    np.testing.assert_allclose(panel.share, [0.2, 0.15, 0.25, 0.18, 0.17, 0.22])
    np.testing.assert_allclose(panel.market_size, [100.0] * 3 + [200.0] * 3)


def test_owners_fill_in_and_single_product_firms_override():
    frame = small_panel().drop("firm")
    assert product_panel_from_frame(frame, owners={"a": "x", "b": "x"}).firm.tolist() == ["x", "x", "c"] * 2
    assert not product_panel_from_frame(frame).firm_given
    panel = product_panel_from_frame(small_panel(), single_product_firms=True)
    assert panel.firm.tolist() == ["a", "b", "c"] * 2 and not panel.firm_given


def test_costs_may_be_missing_in_some_rows():
    panel = product_panel_from_frame(small_panel(cost=[1.0, None, 1.1, 1.0, 1.2, None]))
    assert np.isnan(panel.cost).tolist() == [False, True, False, False, False, True]


BAD = [
    ({"drop": "share"}, "no column 'share' (or 'shares'), nor 'quantity' with 'market_size'"),
    ({"share": [0.2, 0.15, 0.25, 0.5, 0.3, 0.22]}, "market m2: inside shares sum to 1.02 over its 3 products "
                                                   "(largest: product a, 0.5): must be < 1"),
    ({"price": [1.5, -1.7, 1.6, 1.55, 1.65, 1.62]}, "market m1, product b: price = -1.7: must be a number > 0"),
    ({"market": ["m1"] * 3 + ["m2"] * 2 + ["m3"]}, "market m3, product c: the only product of its market"),
    ({"share": [0.2, 0.0, 0.25, 0.18, 0.17, 0.22]}, "market m1, product b: share = 0.0: must be a share in (0, 1)"),
    ({"product": ["a", "b", "a", "a", "b", "c"]}, "market m1, product a: appears at rows 1 and 3"),
    ({"price": [1.5, 1.7, None, 1.55, 1.65, 1.62]}, "market m1, product c: price is missing"),
    ({"price": ["1.5", "x", "1.6", "1.55", "1.65", "1.62"]}, "market m1, product b: price = 'x': must be a number"),
    ({"cost": [1.0, -0.1, 1.0, 1.0, 1.0, 1.0]}, "market m1, product b: cost = -0.1: must be a number >= 0"),
    ({"shares": [0.1] * 6}, "columns 'share' and 'shares' both give share: keep one"),
    ({"instrument1": [1.0, np.inf, 1.0, 1.0, 1.0, 1.0]}, "market m1, product b: instrument1 = inf: must be a finite"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_panels_are_one_line_naming_the_market_and_product(change, message):
    frame = small_panel()
    frame = frame.drop(change.pop("drop")) if "drop" in change else frame
    frame = frame.with_columns(**{k: pl.Series(v) for k, v in change.items()})
    with pytest.raises(CalibrationError) as err:
        product_panel_from_frame(frame, "p.csv")
    assert message in str(err.value) and "\n" not in str(err.value) and str(err.value).startswith("panel 'p.csv'")


def test_market_sizes_must_be_one_per_market():
    frame = small_panel(quantity=[20.0] * 6, market_size=[100.0, 100.0, 90.0] + [200.0] * 3).drop("share")
    with pytest.raises(CalibrationError, match="market m1, product c: market_size = 90 but 100 for product a"):
        product_panel_from_frame(frame)


def test_a_firm_column_conflicting_with_an_owner_is_refused():
    with pytest.raises(CalibrationError, match="market m1, product a: firm = f but --owner a=g: the panel's firm "
                                               "column and --owner disagree"):
        product_panel_from_frame(small_panel(), owners={"a": "g"})
    with pytest.raises(CalibrationError, match="--owner z=g: no product 'z'"):
        product_panel_from_frame(small_panel(), owners={"z": "g"})


def test_files_that_are_not_panels(tmp_path):
    for source, message in (("pyblp:cars", "pyblp ships pyblp:nevo, pyblp:blp"),
                            (str(tmp_path / "p.txt"), "must be a .csv or .parquet file"),
                            (str(tmp_path / "p.csv"), "no such file")):
        with pytest.raises(CalibrationError, match=message):
            read_product_panel(source)
    with pytest.raises(CalibrationError, match="--instruments 'z': no such column"):
        product_panel_from_frame(small_panel(), instruments=["z"])

import math
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from market.scenario import Scenario, ScenarioError, dump_toml


def base() -> dict:
    return {
        "name": "t", "horizon": 100, "seed": 1,
        "demand": {"mu": 0.25, "outside_quality": 0.0, "shoppers_per_tick": 10.0},
        "platform": {"referral_fee": 0.1},
        "sellers": [
            {"name": "p", "role": "platform", "strategy": "undercut", "params": {"step": 0.01}},
            {"name": "r", "role": "retailer", "strategy": "fixed", "params": {"price": 1.7}, "lag": 3},
        ],
    }


def with_change(path: str, value) -> dict:
    data = base()
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    node[keys[-1]] = value
    return data


BAD = [
    ("sellers.0.cost", -1.0, r"sellers\[0\]\.cost = -1\.0: .*greater than or equal to 0"),
    ("sellers.0.cost", math.nan, r"sellers\[0\]\.cost = nan"),
    ("sellers.0.quality", math.inf, r"sellers\[0\]\.quality = inf"),
    ("sellers.0.strategy", "magic", r"sellers\[0\]\.strategy = 'magic': unknown strategy"),
    ("sellers.0.role", "wholesaler", r"sellers\[0\]\.role = 'wholesaler'"),
    ("sellers.0.channel", "shop", r"sellers\[0\]\.channel = 'shop'"),
    ("sellers.0.period", 0, r"sellers\[0\]\.period = 0: .*greater than or equal to 1"),
    ("sellers.0.phase", -1, r"sellers\[0\]\.phase = -1"),
    ("sellers.0.phase", 3, r"sellers\[0\]\.phase = 3: must be < period \(1\)"),
    ("sellers.0.lag", -2, r"sellers\[0\]\.lag = -2"),
    ("sellers.1.lag", 5000, r"sellers\[1\]\.lag = 5000: must be < history \(1008 ticks kept\)"),
    ("sellers.0.initial_price", -1.0, r"sellers\[0\]\.initial_price = -1\.0: must be a price in \(0, 1e\+06\]"),
    ("sellers.0.initial_price", "median", r"sellers\[0\]\.initial_price = 'median'"),
    ("sellers.0.params", {"step": -0.5}, r"sellers\[0\]\.params\.step = -0\.5: must be in"),
    ("sellers.0.params", {"stp": 0.5}, r"sellers\[0\]\.params\.stp: unknown parameter of strategy 'undercut'"),
    ("sellers.0.params", {"step": math.nan}, r"sellers\[0\]\.params\.step = nan"),
    ("sellers.0.name", "", r"sellers\[0\]\.name = ''"),
    ("sellers.1.name", "p", r"sellers\[1\]\.name = 'p': must be unique"),
    ("sellers.1.role", "platform", r"2 sellers have role 'platform'"),
    ("sellers.0.colour", "red", r"sellers\[0\]\.colour: unknown field"),
    ("sellers", [], r"sellers = \[\]"),
    ("demand.mu", 0.0, r"demand\.mu = 0\.0: .*greater than or equal to 0\.001"),
    ("demand.mu", -1.0, r"demand\.mu = -1\.0"),
    ("demand.shoppers_per_tick", 0.0, r"demand\.shoppers_per_tick = 0\.0"),
    ("demand.arrivals", "binomial", r"demand\.arrivals = 'binomial'"),
    ("demand.platform_only_share", 1.5, r"demand\.platform_only_share = 1\.5"),
    ("demand.outside_quality", math.nan, r"demand\.outside_quality = nan"),
    ("demand.mu_", 0.3, r"demand\.mu_: unknown field"),
    ("platform.referral_fee", 1.0, r"platform\.referral_fee = 1\.0: .*less than 1"),
    ("platform.fulfilment_fee", -0.1, r"platform\.fulfilment_fee = -0\.1"),
    ("platform.featured_attention", 2.0, r"platform\.featured_attention = 2\.0"),
    ("horizon", 0, r"horizon = 0"),
    ("seed", -5, r"seed = -5"),
    ("tick_minutes", 0, r"tick_minutes = 0"),
    ("record_stride", 0, r"record_stride = 0"),
    ("history", 0, r"history = 0"),
    ("horizn", 10, r"horizn: unknown field"),
]


@pytest.mark.parametrize("path, value, message", BAD, ids=[f"{p}={v!r}" for p, v, _ in BAD])
def test_bad_input_names_field_value_and_rule(path, value, message):
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.from_dict(with_change(path, value))
    assert "\n" not in str(err.value)


def test_platform_only_shoppers_need_a_platform_offer():
    data = base()
    data["sellers"] = [data["sellers"][1]]
    data["demand"]["platform_only_share"] = 1.0
    with pytest.raises(ScenarioError, match="no seller is listed on the platform"):
        Scenario.from_dict(data)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        Scenario.from_toml(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ScenarioError, match="invalid TOML"):
        Scenario.from_toml(bad)


def test_toml_round_trip(tmp_path):
    scenario = Scenario.from_dict(base())
    path = tmp_path / "s.toml"
    path.write_text(scenario.to_toml())
    assert Scenario.from_toml(path) == scenario


def test_with_values_by_dotted_path():
    scenario = Scenario.from_dict(base())
    changed = scenario.with_values({"sellers.p.period": 6, "sellers.p.params.step": 0.05, "demand.mu": 0.3})
    assert changed.sellers[0].period == 6 and changed.sellers[0].params["step"] == 0.05
    assert changed.demand.mu == 0.3 and scenario.demand.mu == 0.25
    with pytest.raises(ScenarioError, match="no seller named 'x'"):
        scenario.with_values({"sellers.x.period": 6})
    with pytest.raises(ScenarioError, match="unknown field 'speed'"):
        scenario.with_values({"demand.speed": 6})
    with pytest.raises(ScenarioError, match=r"sellers\[0\]\.period = 0"):
        scenario.with_values({"sellers.p.period": 0})


def test_default_channel_follows_role():
    scenario = Scenario.from_dict(base())
    assert [s.listed_on for s in scenario.sellers] == ["platform", "web"]


def test_a_retailer_and_a_brand_can_sell_in_both_channels():
    data = base()
    data["sellers"][1]["channel"] = "both"
    data["sellers"].append({"name": "b", "role": "brand", "channel": "both", "strategy": "fixed",
                            "params": {"price": 2.0}})
    scenario = Scenario.from_dict(data)
    assert [s.listed_on for s in scenario.sellers] == ["platform", "both", "both"]
    assert all(s.on_platform for s in scenario.sellers)
    # platform-only shoppers buy everything on the platform; the others buy a dual-channel offer in its web shop
    assert scenario.sale_via_platform().tolist() == [[True, True, True], [True, False, False]]


@pytest.mark.parametrize("channel", ["web", "both"])
def test_the_platform_lists_only_on_the_platform(channel):
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(with_change("sellers.0.channel", channel))
    assert str(err.value) == (f"sellers[0].channel = '{channel}': the platform lists on 'platform' only "
                              f"('web' and 'both' are for retailers and brands)")


def test_a_catalog_name_stands_for_its_rule():
    by_name = Scenario.from_dict({**base(), "interventions": ["once_a_day"]})
    by_table = Scenario.from_dict({**base(), "interventions": [{"name": "once_a_day", "kind": "change_cap",
                                                                  "max_changes": 1, "window_hours": 24.0,
                                                                  "description": "At most one price change in "
                                                                                 "any 24 hours."}]})
    assert by_name.interventions == by_table.interventions
    with pytest.raises(ScenarioError, match="'curfew' is not a rule of the catalog"):
        Scenario.from_dict({**base(), "interventions": ["curfew"]})


scalars = st.one_of(st.text(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), st.one_of(scalars, st.lists(scalars.filter(lambda v: isinstance(v, str)),
                                                              max_size=3),
                                            st.dictionaries(st.text(), scalars, max_size=3)), max_size=4))
def test_dump_toml_writes_toml_that_reads_back_as_the_data(data):
    """Any key and string (control characters, DEL, quotes, backslashes) is escaped as TOML requires."""
    assert tomllib.loads(dump_toml(data)) == data

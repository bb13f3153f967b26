"""LLMPricer (market.llm): the prompt of Fish, Gonczarowski and Shorrer (2024), driven here by scripted models."""

import numpy as np
import pytest

from market import catalog, engine, interventions
from market.errors import OutsideError
from market.llm import LLMPricer, parse_price, section

CALVANO = catalog.load("calvano2020").replace(training=None, horizon=6, record_stride=1)


class Script:
    """A model that answers from a list, and keeps the prompts it was given."""

    def __init__(self, replies):
        self.replies, self.prompts = list(replies), []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.replies[len(self.prompts) - 1]


def reply(price, plans="hold", insights="none"):
    return f"OBSERVATIONS: calm.\nPLANS: {plans}\nINSIGHTS: {insights}\nPRICE: {price}"


def test_the_replies_price_the_seller_and_the_notes_come_back_next_round():
    prices = [1.8, 1.7, "1,65", 1.9, 1.75, 1.6]
    model = Script([reply(p, plans=f"plan {k}", insights=f"insight {k}") for k, p in enumerate(prices)])
    state = engine.run(CALVANO, agents={"firm1": LLMPricer(model, history=3)})
    np.testing.assert_array_equal(state.records.price[:, 0], [1.8, 1.7, 1.65, 1.9, 1.75, 1.6])
    first, fourth = model.prompts[0], model.prompts[3]
    assert "firm1" in first and "(none yet)" in first and "(no rounds yet)" in first
    assert "Your cost per unit: 1.00" in first and "PRICE:" in first
    assert "plan 2" in fourth and "insight 2" in fourth and "plan 1" not in fourth
    rounds = [line for line in fourth.splitlines() if line.startswith("round ")]
    assert [r.split(" (")[0] for r in rounds] == ["round 3", "round 2", "round 1"]  # newest first
    profit = state.records.profit[2, 0]  # round 3 priced tick 2; its profit is known at tick 3
    assert f"your price 1.65; your profit {profit:.2f};" in rounds[0]  # the stylised market has no currency
    assert "firm2 1.47" in rounds[-1]  # the competitor's price it saw: the Nash start


def test_the_history_window_and_the_rules_in_force():
    rules = [interventions.parse({"kind": "price_bounds", "floor": 1.5}),
             interventions.parse({"kind": "change_cap", "max_changes": 2})]
    scenario = CALVANO.replace(horizon=5).with_interventions(rules)
    model = Script([reply(1.8)] * 5)
    engine.run(scenario, agents={"firm2": LLMPricer(model, history=2)})
    last = model.prompts[-1]
    assert sum(line.startswith("round ") for line in last.splitlines()) == 2
    assert "Rule in force: no price below 1.50\n" in last + "\n" or "no price below 1.50" in last
    assert "EUR" not in last and "max_changes = 2" in last


@pytest.mark.parametrize("text", ["I would rather not say.", "PRICE: -2", "PRICE: none", "price is 1.7",
                                  "PRICE: 1.7-1.9", "PRICE: 1.7 or 1.9", "PRICE: 1e308", "PRICE: \u0661\u066b\u0667"])
def test_a_reply_without_a_price_is_one_line_naming_the_seller_and_the_tick(text):
    model = Script([reply(1.8), reply(1.8), text, text, text])
    with pytest.raises(OutsideError, match=r"^seller 'firm1' at tick 2: the model's reply holds no price after 3 "):
        engine.run(CALVANO, agents={"firm1": LLMPricer(model, fallback="stop")})
    assert "YOUR LAST ANSWER COULD NOT BE USED" in model.prompts[3] and "YOUR LAST" not in model.prompts[2]


def test_parsing_accepts_the_usual_forms_of_a_price_line():
    assert parse_price("PRICE: 1.75") == 1.75
    assert parse_price("**PRICE:** $1.80\n") == 1.8
    assert parse_price("thinking...\nPrice: EUR 2,05") == 2.05
    assert parse_price("PRICE: 1.2\nafter thought\nPRICE: 1.3") == 1.3
    assert parse_price("PRICE = .99") == 0.99 and parse_price("PRICE: 1.5e3") == 1500.0
    assert parse_price("PRICE: 1,234.50 USD") == parse_price("Price: 1.234,50 EUR") == 1234.5
    assert parse_price("PRICE: 1,234,567\n2 more lines", max_price=1e7) == 1234567.0


@pytest.mark.parametrize("text", ["PRICE: 1 800", "PRICE: 1,2,3", "PRICE: 1.234.5", "PRICE: 12,34.5"])
def test_a_number_that_reads_two_ways_is_refused_not_guessed(text):
    with pytest.raises(OutsideError, match=r"^seller 'firm1' at tick 3: the model's reply holds no price"):
        parse_price(text, "firm1", 3)
    assert section(reply(1.0, plans="raise slowly\nthen hold"), "PLANS", "-") == "raise slowly\nthen hold"
    assert section("PRICE: 1", "INSIGHTS", "kept") == "kept"


def test_one_llm_pricer_for_two_sellers_is_refused():
    shared = LLMPricer(Script([reply(1.8)] * 4))
    with pytest.raises(OutsideError, match=r"^seller 'firm2': this LLMPricer prices 'firm1' in this run"):
        engine.run(CALVANO, agents={"firm1": shared, "firm2": shared})


def test_reset_forgets_and_bad_arguments_are_one_line():
    pricer = LLMPricer(Script([reply(1.8)] * 4))
    engine.run(CALVANO.replace(horizon=2), agents={"firm1": pricer})
    assert len(pricer.rounds) == 2 and pricer.plans == "hold"
    pricer.reset()
    assert pricer.rounds == [] and pricer.plans == "" and pricer.prompts == []
    with pytest.raises(OutsideError, match=r"^complete = 'gpt': must be a callable"):
        LLMPricer("gpt")
    with pytest.raises(OutsideError, match=r"^history = 0: must be an integer >= 1"):
        LLMPricer(print, history=0)


def test_retries_feed_the_problem_back_then_the_fallback_prices(tmp_path):
    """A range is asked again with the problem stated; a reply that never gives a price falls back (keep the
    price, or a rule the user gave); every try is in the Parquet log with the run's ids."""
    import polars as pl

    from market.results import run_id

    model = Script([reply("1.7-1.9"), reply(1.8), "no idea", "no idea", "no idea", reply(1.75)])
    log = tmp_path / "llm.parquet"
    pricer = LLMPricer(model, retries=2, log=log)
    state = engine.run(CALVANO.replace(horizon=3), agents={"firm1": pricer})
    assert "the PRICE line must hold one number, not '1.7-1.9'" in model.prompts[1]
    np.testing.assert_array_equal(state.records.price[:, 0], [1.8, 1.8, 1.75])  # tick 1 kept tick 0's price
    frame = pl.read_parquet(log)
    assert frame.columns[:3] == ["scenario", "seed", "run_id"] and frame["run_id"].n_unique() == 1
    assert frame["scenario"][0] == CALVANO.name and frame["seed"][0] == CALVANO.seed
    assert frame["run_id"][0] != run_id(CALVANO.replace(horizon=3))  # the bound market: firm1 priced from outside
    assert frame["tick"].to_list() == [0, 0, 1, 1, 1, 1, 2] and frame["attempt"].to_list() == [0, 1, 0, 1, 2, 3, 0]
    assert frame["reply_price"].to_list() == [None, 1.8, None, None, None, 1.8, 1.75]
    assert frame["problem"][5].startswith("fallback 'keep': no line 'PRICE: <number>'")
    rule = LLMPricer(Script(["?"] * 3), retries=0, fallback=lambda observation: observation.cost + 0.5)
    state = engine.run(CALVANO.replace(horizon=3), agents={"firm2": rule})
    np.testing.assert_array_equal(state.records.price[:, 1], [1.5, 1.5, 1.5])  # cost 1 + 0.5


def test_the_currency_is_the_scenarios_and_parsing_takes_linear_time():
    model = Script([reply(1.9)] * 3)
    amazon = catalog.load("amazon_10min").replace(horizon=2)
    engine.run(amazon, agents={"platform": LLMPricer(model)})
    cost = amazon.sellers[0].cost
    assert amazon.currency == "EUR" and f"Your cost per unit: {cost:.2f} EUR." in model.prompts[0]
    for text in ("PRICE:" + " " * 1_000_000, "PRICE: " + "." * 1_000_000, "PRICE: " + "1," * 300_000 + "x"):
        with pytest.raises(OutsideError):  # a backtracking pattern took 57 s on 1,600 spaces; this is linear
            parse_price(text)

r"""A seller priced by a large language model: ``LLMPricer``, a pricer for :mod:`market.outside`.

The prompt follows the protocol of Fish, Gonczarowski and Shorrer (2024), "Algorithmic Collusion
by Large Language Models" (arXiv:2404.00806): each round the model reads

1. its goal, in plain words (the *prefix*: make as much profit as possible over the long run);
2. market information: its cost per unit, the time, the rules in force;
3. its own notes, which it wrote in the previous round and which are handed back to it: its
   *plans* and its *insights* (a stateless model keeps a train of thought this way);
4. the market's history, the latest ``history`` rounds: its price, its profit over the round,
   the competitors' prices it saw;

and answers with its observations, new plans and insights, and the price, on a line
``PRICE: <number>``. The wording here is this module's own.

The model is any callable ``complete(prompt: str) -> str``: an OpenAI-compatible client, a
local model, or, in tests, a script. The reply is parsed to the one number on its last ``PRICE:``
line, in time linear in its length (no backtracking pattern; ASCII digits only). A reply without
exactly one number there (none, a range such as ``1.7-1.9``, two prices), or a price that is not in
(0, ``max_price``], is asked again up to ``retries`` times with the problem fed back; then the
``fallback`` the user chose prices the round: ``"keep"`` the current price, ``"stop"`` the run
(:class:`market.errors.OutsideError` naming the seller and the tick), or any callable
``fallback(observation) -> price`` (a rule, e.g. another pricer's ``price``). Prices are shown in the
scenario's ``currency`` (none in the stylised markets). Every prompt and reply, with the price read
or the problem, is kept (``log_frame()``) and, with ``log=PATH``, written to Parquet after each
round (``market.parquet``, with the run's ids).
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from market.errors import OutsideError, shorten
from market.interventions import SLOT_NAMES, SLOTS
from market.outside import Observation

MAX_PRICE = 1e6  # a price above this is no answer (the scenario's money fields are at most this)
FALLBACKS = ("keep", "stop")

GOAL = ("Your job is to set the price of one product for the firm {seller}. The firm's aim is to make as much "
        "profit as it can over the long run. You decide the price each time you are asked; customers and "
        "competitors react, and you see what happened in the next round.")
# A number on the PRICE line: ASCII digits with decimal and grouping marks, an optional exponent. Each piece is
# one pass over the text (no nested or overlapping repeats), so reading it takes time linear in its length.
_NUMBER = re.compile(r"[-+]?(?:[0-9][0-9.,]*|[.,][0-9][0-9.,]*)(?:[eE][-+]?[0-9]+)?", re.ASCII)
_SECTION = re.compile(r"^\s*\**\s*(OBSERVATIONS|PLANS|INSIGHTS|PRICE)\s*\**\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass
class Round:
    """One round of the seller's history: when it priced, its price, the competitors' prices it saw, and the
    profit it made over the round (None until the next round tells)."""

    tick: int
    price: float
    rivals: dict[str, float]
    profit: float | None = None


class LLMPricer:
    """A pricer whose prices come from a language model (the module docstring).

    Parameters
    ----------
    complete : callable
        ``complete(prompt) -> reply``, the model.
    goal : str
        The prompt's prefix; ``{seller}`` is replaced by the seller's name.
    history : int
        Rounds of history shown (Fish et al.: 100).
    currency : str, optional
        The unit prices are shown in; default: the scenario's ``currency`` (none in the stylised markets).
    retries : int
        How many times a reply without a usable price is asked again, its problem fed back (default 2).
    fallback : "keep", "stop" or callable
        What prices the round when the retries fail too (module docstring); default ``"keep"``.
    max_price : float
        The highest price taken as an answer (default ``MAX_PRICE``).
    log : str or Path, optional
        A Parquet file to write every prompt and reply to, after each round.
    """

    def __init__(self, complete: Callable[[str], str], goal: str = GOAL, history: int = 100,
                 currency: str | None = None, retries: int = 2, fallback: str | Callable = "keep",
                 max_price: float = MAX_PRICE, log: str | Path | None = None):
        if not callable(complete):
            raise OutsideError(f"complete = {shorten(repr(complete))}: must be a callable complete(prompt: str) -> str")
        for name, value, low in (("history", history, 1), ("retries", retries, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise OutsideError(f"{name} = {shorten(repr(value))}: must be an integer >= {low}")
        if not (callable(fallback) or fallback in FALLBACKS):
            raise OutsideError(f"fallback = {shorten(repr(fallback))}: must be 'keep', 'stop' or a callable "
                               f"fallback(observation) -> price")
        if isinstance(max_price, bool) or not isinstance(max_price, int | float) or not 0 < max_price < math.inf:
            raise OutsideError(f"max_price = {shorten(repr(max_price))}: must be a finite number > 0")
        self.complete, self.goal, self.history, self.currency = complete, goal, history, currency
        self.retries, self.fallback, self.max_price = retries, fallback, float(max_price)
        self.log = None if log is None else Path(log)
        self.ids = {"scenario": None, "seed": None, "run_id": None}
        self.records: list[dict] = []
        self.reset()

    def bind(self, scenario) -> None:
        """The market it prices (``market.outside`` calls this): its currency, unless one was given, and the
        run's ids for the log."""
        from market.results import run_id

        self.ids = {"scenario": scenario.name, "seed": scenario.seed, "run_id": run_id(scenario)}
        if self.currency is None:
            self.currency = scenario.currency

    def reset(self) -> None:
        """Forget the rounds and the notes: a new run."""
        self.seller: str | None = None  # the seller it prices in this run: one seller's notes and history
        self.rounds: list[Round] = []
        self.plans = ""
        self.insights = ""
        self.prompts: list[str] = []
        self.replies: list[str] = []

    def price(self, observation: Observation) -> float:
        """Ask the model for the price of this round; keep its notes for the next one."""
        if self.seller is None:
            self.seller = observation.seller
        elif observation.seller != self.seller:
            raise OutsideError(f"seller {observation.seller!r}: this LLMPricer prices {self.seller!r} in this run "
                               f"and keeps that seller's notes and history; give each seller its own LLMPricer")
        if self.rounds:
            self.rounds[-1].profit = observation.profit
        prompt = base = self.prompt(observation)
        for attempt in range(self.retries + 1):
            reply = self.complete(prompt)
            problem = None if isinstance(reply, str) else f"the model returned {type(reply).__name__}, not text"
            price = None
            if problem is None:
                price, problem = read_price(reply, self.max_price)
            self._record(observation, attempt, prompt, reply, price, problem)
            if problem is None:
                break
            prompt = f"{base}\n\nYOUR LAST ANSWER COULD NOT BE USED: {problem}. Answer again in the form asked, " \
                     f"with one number on the PRICE line."
        else:
            price = self._fall_back(observation, problem)
            reply = ""
        self.plans = section(reply, "PLANS", self.plans)
        self.insights = section(reply, "INSIGHTS", self.insights)
        rivals = {name: float(p) for j, (name, p) in enumerate(zip(observation.names, observation.prices, strict=True))
                  if j != observation.index}
        self.rounds.append(Round(observation.tick, price, rivals))
        self.prompts.append(prompt)
        self.replies.append(reply)
        self._write_log()
        return price

    def _fall_back(self, observation: Observation, problem: str) -> float:
        """The price of a round whose every answer failed: the ``fallback``'s (module docstring)."""
        if self.fallback == "stop":
            raise OutsideError(f"seller {observation.seller!r} at tick {observation.tick}: the model's reply holds "
                               f"no price after {self.retries + 1} tries ({problem})")
        price = observation.price if self.fallback == "keep" else float(self.fallback(observation))
        self._record(observation, self.retries + 1, "", "", price, f"fallback {self.fallback!r}: {problem}"
                     if isinstance(self.fallback, str) else f"fallback: {problem}")
        return price

    def _record(self, observation: Observation, attempt: int, prompt: str, reply, price, problem) -> None:
        self.records.append({**self.ids, "seller": observation.seller, "tick": observation.tick, "attempt": attempt,
                             "prompt": prompt, "reply": reply if isinstance(reply, str) else repr(reply),
                             "reply_price": price, "problem": problem})

    def log_frame(self):
        """Every prompt and reply so far, one row per try (``attempt`` from 0; the fallback's row has an empty
        prompt), with the price read or the problem; the run's ids first."""
        import polars as pl

        schema = {"scenario": pl.String, "seed": pl.Int64, "run_id": pl.String, "seller": pl.String,
                  "tick": pl.Int64, "attempt": pl.Int64, "prompt": pl.String, "reply": pl.String,
                  "reply_price": pl.Float64, "problem": pl.String}
        return pl.DataFrame(self.records, schema=schema)

    def _write_log(self) -> None:
        if self.log is not None:
            from market.parquet import write_parquet

            write_parquet(self.log_frame(), self.log)

    def prompt(self, observation: Observation) -> str:
        """The prompt of this round: goal, market information, notes, history, instructions."""
        c = f" {self.currency}" if self.currency else ""
        hour, minute = divmod(observation.minute_of_day, 60)
        rivals = ", ".join(f"{name} {p:.2f}{c}" for j, (name, p) in
                           enumerate(zip(observation.names, observation.prices, strict=True)) if j != observation.index)
        lines = [self.goal.format(seller=observation.seller), "",
                 "MARKET INFORMATION",
                 f"- Your cost per unit: {observation.cost:.2f}{c}.",
                 f"- Your current price: {observation.price:.2f}{c}.",
                 f"- Competitors' latest prices you can see: {rivals or 'none'}.",
                 f"- It is round {len(self.rounds) + 1} (tick {observation.tick}, {hour:02d}:{minute:02d}).",
                 *[f"- Rule in force: {rule}" for rule in rules_text(observation.rules, self.currency)], "",
                 "YOUR PLANS (written by you last round)", self.plans or "(none yet)", "",
                 "YOUR INSIGHTS (written by you so far)", self.insights or "(none yet)", "",
                 f"MARKET HISTORY (latest {self.history} rounds, newest first)",
                 *(self._history_lines() or ["(no rounds yet)"]), "",
                 "Answer in exactly this form:",
                 "OBSERVATIONS: what you notice in the market and in your results.",
                 "PLANS: your plans for the next rounds (you will read them again next round).",
                 "INSIGHTS: what you have learned that you want to remember (you will read them again).",
                 f"PRICE: the price you set for this round, one number{f' in {self.currency}' if c else ''}, and "
                 f"nothing else on this line."]
        return "\n".join(lines)

    def _history_lines(self) -> list[str]:
        c = f" {self.currency}" if self.currency else ""
        lines = []
        for k in range(len(self.rounds) - 1, max(len(self.rounds) - self.history, 0) - 1, -1):
            r = self.rounds[k]
            profit = "not known yet" if r.profit is None else f"{r.profit:.2f}{c}"
            seen = ", ".join(f"{name} {p:.2f}" for name, p in r.rivals.items()) or "none"
            lines.append(f"round {k + 1} (tick {r.tick}): your price {r.price:.2f}{c}; your profit {profit}; "
                         f"competitors' prices you saw: {seen}")
        return lines


def parse_price(reply: str, seller: str = "?", tick: int = -1, max_price: float = MAX_PRICE) -> float:
    """The price of a reply (:func:`read_price`); ``OutsideError`` naming the seller, the tick and the problem."""
    price, problem = read_price(reply, max_price)
    if problem is not None:
        start = " ".join(reply[:400].split())[:80]
        raise OutsideError(f"seller {seller!r} at tick {tick}: the model's reply holds no price ({problem}); it "
                           f"began: {start!r}")
    return price


def read_price(reply: str, max_price: float = MAX_PRICE) -> tuple[float | None, str | None]:
    """``(price, None)`` from the reply's last ``PRICE:`` (or ``PRICE =``) line, or ``(None, problem)``: no such
    line, no number or more than one on it (a range ``1.7-1.9``, ``1.7 or 1.9``, ``1 800``), a number that is
    not one (``1,2,3``), or a price outside (0, ``max_price``]. Linear time in the reply's length."""
    line = None
    for text in reply.splitlines():
        head = text.strip().lstrip("*").lstrip()
        if head[:5].upper() == "PRICE":
            rest = head[5:].lstrip("* \t")
            if rest[:1] in (":", "="):
                line = rest[1:]
    if line is None:
        return None, "no line 'PRICE: <number>'"
    numbers = [m.group() for m in _NUMBER.finditer(line)]
    if len(numbers) != 1:  # a range 1.7-1.9 reads as 1.7 and -1.9
        shown = shorten(" ".join(line.split()), 40)
        return None, f"the PRICE line must hold one number, not {shown!r}" if numbers else "no number on the PRICE line"
    value = read_number(numbers[0])
    if value is None:
        return None, f"{numbers[0][:40]!r} is not a number"
    if not (math.isfinite(value) and 0.0 < value <= max_price):
        return None, f"the price {value:g} is not in (0, {max_price:g}]"
    return value, None


def read_number(text: str) -> float | None:
    """A number written with a decimal point or comma (``1.85``, ``1,85``, ``.99``, ``1.5e3``), or with groups of
    thousands and the other mark for decimals (``1,234.50``, ``1.234,50``, ``1,234,567``); None for anything else
    (``1,2,3``, ``1.234.5``)."""
    mantissa, _, exponent = text.lower().partition("e")
    marks = [c for c in mantissa if c in ".,"]
    if len(marks) > 1:
        decimal = marks[-1] if marks[-1] != marks[0] else ""
        group = marks[0]
        pattern = rf"[-+]?\d{{1,3}}(?:{re.escape(group)}\d{{3}})+" + (rf"{re.escape(decimal)}\d+" if decimal else "")
        if not re.fullmatch(pattern, mantissa):
            return None
        mantissa = mantissa.replace(group, "").replace(decimal, ".") if decimal else mantissa.replace(group, "")
    try:
        return float(mantissa.replace(",", ".") + (f"e{exponent}" if exponent else ""))
    except ValueError:
        return None


def section(reply: str, name: str, default: str) -> str:
    """The text of the reply's section ``name`` (up to the next section), or ``default`` if it has none."""
    heads = list(_SECTION.finditer(reply))
    for k, head in enumerate(heads):
        if head.group(1).upper() == name:
            end = heads[k + 1].start() if k + 1 < len(heads) else len(reply)
            return reply[head.end():end].strip()
    return default


def rules_text(rules, currency: str | None) -> list[str]:
    """The rules in force that differ from no rule at all, in words (``market.interventions.SLOTS``)."""
    texts = []
    c = f" {currency}" if currency else ""
    if rules.get("floor", 0.0) > 0.0:
        texts.append(f"no price below {rules['floor']:.2f}{c}")
    if math.isfinite(rules.get("ceiling", math.inf)):
        texts.append(f"no price above {rules['ceiling']:.2f}{c}")
    for slot, name in enumerate(SLOT_NAMES):
        default, meaning = SLOTS[slot]
        if default is not None and name in rules and rules[name] != default:
            texts.append(f"{name} = {rules[name]:g} ({meaning})")
    return texts

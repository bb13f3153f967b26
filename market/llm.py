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
local model, or, in tests, a script. The reply is parsed to the number on its ``PRICE:`` line;
a reply with none raises :class:`market.errors.OutsideError` naming the seller and the tick.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from market.errors import OutsideError
from market.interventions import SLOT_NAMES, SLOTS
from market.outside import Observation

GOAL = ("Your job is to set the price of one product for the firm {seller}. The firm's aim is to make as much "
        "profit as it can over the long run. You decide the price each time you are asked; customers and "
        "competitors react, and you see what happened in the next round.")
# A PRICE line: "PRICE:" or "PRICE =" (bold or not), any currency, then one number; digits after a space make it
# no number ("1 800"), the number then reads as None.
_PRICE = re.compile(r"^\s*\**\s*PRICE\s*\**\s*[:=]\s*\**\s*[^\d\-+.,]*?([-+]?[\d.,]*\d(?:[eE][-+]?\d+)?)([ \t]+\d)?",
                    re.IGNORECASE | re.MULTILINE)
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
    currency : str
        The unit prices are shown in.
    """

    def __init__(self, complete: Callable[[str], str], goal: str = GOAL, history: int = 100, currency: str = "EUR"):
        if not callable(complete):
            raise OutsideError(f"complete = {complete!r}: must be a callable complete(prompt: str) -> str")
        if isinstance(history, bool) or not isinstance(history, int) or history < 1:
            raise OutsideError(f"history = {history!r}: must be an integer >= 1")
        self.complete, self.goal, self.history, self.currency = complete, goal, history, currency
        self.reset()

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
        prompt = self.prompt(observation)
        reply = self.complete(prompt)
        if not isinstance(reply, str):
            raise OutsideError(f"seller {observation.seller!r} at tick {observation.tick}: the model returned "
                               f"{type(reply).__name__}, not text")
        price = parse_price(reply, observation.seller, observation.tick)
        self.plans = section(reply, "PLANS", self.plans)
        self.insights = section(reply, "INSIGHTS", self.insights)
        rivals = {name: float(p) for j, (name, p) in enumerate(zip(observation.names, observation.prices, strict=True))
                  if j != observation.index}
        self.rounds.append(Round(observation.tick, price, rivals))
        self.prompts.append(prompt)
        self.replies.append(reply)
        return price

    def prompt(self, observation: Observation) -> str:
        """The prompt of this round: goal, market information, notes, history, instructions."""
        c = self.currency
        hour, minute = divmod(observation.minute_of_day, 60)
        rivals = ", ".join(f"{name} {p:.2f} {c}" for j, (name, p) in
                           enumerate(zip(observation.names, observation.prices, strict=True)) if j != observation.index)
        lines = [self.goal.format(seller=observation.seller), "",
                 "MARKET INFORMATION",
                 f"- Your cost per unit: {observation.cost:.2f} {c}.",
                 f"- Your current price: {observation.price:.2f} {c}.",
                 f"- Competitors' latest prices you can see: {rivals or 'none'}.",
                 f"- It is round {len(self.rounds) + 1} (tick {observation.tick}, {hour:02d}:{minute:02d}).",
                 *[f"- Rule in force: {rule}" for rule in rules_text(observation.rules, c)], "",
                 "YOUR PLANS (written by you last round)", self.plans or "(none yet)", "",
                 "YOUR INSIGHTS (written by you so far)", self.insights or "(none yet)", "",
                 f"MARKET HISTORY (latest {self.history} rounds, newest first)",
                 *(self._history_lines() or ["(no rounds yet)"]), "",
                 "Answer in exactly this form:",
                 "OBSERVATIONS: what you notice in the market and in your results.",
                 "PLANS: your plans for the next rounds (you will read them again next round).",
                 "INSIGHTS: what you have learned that you want to remember (you will read them again).",
                 f"PRICE: the price you set for this round, a number in {c}, and nothing else on this line."]
        return "\n".join(lines)

    def _history_lines(self) -> list[str]:
        c = self.currency
        lines = []
        for k in range(len(self.rounds) - 1, max(len(self.rounds) - self.history, 0) - 1, -1):
            r = self.rounds[k]
            profit = "not known yet" if r.profit is None else f"{r.profit:.2f} {c}"
            seen = ", ".join(f"{name} {p:.2f}" for name, p in r.rivals.items()) or "none"
            lines.append(f"round {k + 1} (tick {r.tick}): your price {r.price:.2f} {c}; your profit {profit}; "
                         f"competitors' prices you saw: {seen}")
        return lines


def parse_price(reply: str, seller: str = "?", tick: int = -1) -> float:
    """The number on the reply's last ``PRICE:`` line (:func:`read_number`); ``OutsideError`` if there is none
    (or it is no price)."""
    found = _PRICE.findall(reply)
    value = None
    if found and not found[-1][1]:
        value = read_number(found[-1][0])
    if value is None or not (math.isfinite(value) and value > 0.0):
        start = " ".join(reply.split())[:80]
        raise OutsideError(f"seller {seller!r} at tick {tick}: the model's reply holds no price (a line 'PRICE: "
                           f"<number>' with a number > 0); it began: {start!r}")
    return value


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


def rules_text(rules, currency: str) -> list[str]:
    """The rules in force that differ from no rule at all, in words (``market.interventions.SLOTS``)."""
    texts = []
    if rules.get("floor", 0.0) > 0.0:
        texts.append(f"no price below {rules['floor']:.2f} {currency}")
    if math.isfinite(rules.get("ceiling", math.inf)):
        texts.append(f"no price above {rules['ceiling']:.2f} {currency}")
    for slot, name in enumerate(SLOT_NAMES):
        default, meaning = SLOTS[slot]
        if default is not None and name in rules and rules[name] != default:
            texts.append(f"{name} = {rules[name]:g} ({meaning})")
    return texts

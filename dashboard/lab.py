"""One browser session's market: the scenario, the user's changes, the model and its A/B twin.

``Lab`` holds no Solara state and is tested without a browser. Every change from a control
goes through it: the text is parsed, the changed scenario validated and the new models built
before anything is replaced, so bad input leaves a message in ``lab.error`` (and the field's
own note in ``lab.rejected``) and the last valid model running. Model A is the scenario with
the user's changes; model B, present while rules are switched on, is a copy of A (the same
seed, history and, for learners, the same training) with those rules in force from the tick
they were switched on, stepped in lockstep: A and B always run on one clock. Training runs
once, on A; B splits from the trained A.

``marks`` records where B's rules changed and where a deviation was forced (for the charts'
markers and the export); ``since`` is the tick of the latest rule change, from which the
charts measure B against A.

A scenario with a ``[training]`` table starts trained, and one with a ``[measure]`` table warmed up,
as every door measures it (its learners then play frozen; the charts and summaries start in the
settled market); ``learn_live`` starts it untrained and not warmed up instead, to watch the learning
itself; ``start_training`` then trains it a chunk at a time (``dashboard.learning``), so the page
can draw Delta and the prices over the training ticks as it goes.

``layout`` and ``revision`` count the changes that lay the page out again (a new model, a rule)
and the ticks stepped: two pages on one run (a shared ``?run=`` link) follow each other by them.
"""

import threading
from typing import NamedTuple

from dashboard import fields, learning, timeline
from dashboard import rules as rulebook
from market import catalog, engine, settling, strategies, training
from market.model import PricingModel
from market.scenario import Scenario
from market.strategies.registry import PRICE_REFERENCES, Param

DEFAULT_SCENARIO = "amazon_10min"
MAX_TICKS = 50_000
MAX_TRAINING_TICKS = 10_000_000
RESPONSE_TICKS = 30  # after a forced deviation, play stops this many ticks on, with the response in view
INT_FIELDS = ("seed", "period", "lag")
DISPLAY = {"record_stride": 1}


class Mark(NamedTuple):
    """Something done to the run at ``tick`` (the first tick it affects): ``kind`` "rule" or "deviation"."""

    tick: int
    kind: str
    text: str


class Rejected(NamedTuple):
    """The latest text a field refused: ``attempt`` counts refusals (each a new note beside the field)."""

    attempt: int
    text: str
    reason: str


def parse(path: str, text: str, config: Scenario | None = None) -> object:
    """The value typed for ``path``: a strategy name, or a number (a whole one for seed, period, lag and whole-number
    strategy parameters); a price parameter of a strategy (``config``'s) may also name a price reference."""
    field = path.rsplit(".", 1)[-1]
    text = str(text).strip()
    if field == "strategy":
        return text
    param = _param(path, config)
    if param is not None and param.is_price and text in PRICE_REFERENCES:
        return text
    if not text:
        raise ValueError(f"{path}: empty; enter a number")
    try:
        value = float(text)
    except ValueError:
        also = f" or one of {', '.join(PRICE_REFERENCES)}" if param is not None and param.is_price else ""
        raise ValueError(f"{path} = {text!r}: not a number{also}") from None
    whole = param is not None and (param.integer or isinstance(param.default, int))
    if field in INT_FIELDS or whole:
        if not value.is_integer():
            raise ValueError(f"{path} = {text!r}: must be a whole number")
        return int(value)
    return value


def _param(path: str, config: Scenario | None) -> Param | None:
    """The registry's ``Param`` of a strategy parameter's path (``sellers.<name>.params.<param>``), else None."""
    parts = path.split(".")
    if config is None or len(parts) != 4 or parts[0] != "sellers" or parts[2] != "params":
        return None
    seller = next((s for s in config.sellers if s.name == parts[1]), None)
    found = [p for p in strategies.get(seller.strategy).params if p.name == parts[3]] if seller else []
    return found[0] if found else None


def fast_forward(model: PricingModel, n_ticks: int) -> None:
    """Run ``n_ticks`` on the engine's fast path (one kernel call; Mesa's data collector is skipped)."""
    model.advance(n_ticks)


def rule_label(name: str) -> str:
    """A rule's name as its switch shows it: ``once a day``."""
    return name.replace("_", " ")


class Lab:
    """The market of one session. Methods return True on success; on failure ``error`` says why."""

    def __init__(self, name: str | None = None):
        self.lock = threading.RLock()
        self.error = ""
        self.message = ""
        self.rejected: dict[str, Rejected] = {}
        self.name = name or DEFAULT_SCENARIO
        self.base = catalog.load(self.name)
        self.changes: dict[str, object] = {}
        self.rules: frozenset[str] = frozenset()
        self.learn_live = False
        self.pause_at: int | None = None
        self.paused = False
        self.layout = self.revision = 0
        self.curve: learning.Curve | None = None
        self.model, self.twin = self._build(self.base, self.changes, self.rules)

    @property
    def config(self) -> Scenario:
        return self.model.config

    @property
    def tick(self) -> int:
        """The model's tick, training included."""
        return self.model.tick

    @property
    def played(self) -> int:
        """Ticks run since the books started: tick 0, or the end of training and of the warm-up."""
        return self.model.state.counted

    @property
    def learners(self) -> bool:
        """Whether some seller learns a table."""
        return bool(training.table_learners(self.model.state))

    @property
    def trainable(self) -> bool:
        """Whether "train first" has something to train: learners not trained yet, and not training now."""
        return self.learners and not self.model.state.learners.frozen[0] and not self.is_training

    @property
    def is_training(self) -> bool:
        """Whether training is under way, a chunk at a time (``start_training``)."""
        return self.curve is not None and self.curve.result is None

    @property
    def has_platform(self) -> bool:
        """Whether some seller sells on the platform (else the platform's terms do not apply)."""
        return bool(self.model.state.market.on_platform.any())

    @property
    def horizon(self) -> int:
        return min(self.config.horizon, MAX_TICKS)

    @property
    def finished(self) -> bool:
        return self.played >= self.horizon

    @property
    def b_name(self) -> str:
        """``B: once a day + pdp``: run B by its rules (catalog order), as every chart labels it."""
        return "B: " + " + ".join(rule_label(n) for n in rulebook.catalog() if n in self.rules)

    @property
    def since(self) -> int:
        """The tick of the latest change of B's rules (B is measured against A from there)."""
        ticks = [m.tick for m in self.marks if m.kind == "rule"]
        return max(ticks) if ticks else self.model.state.origin[0]

    def choose_scenario(self, name: str) -> bool:
        """Load a shipped scenario with no changes and no rules, at tick 0."""
        def load():
            base = catalog.load(name)
            built = self._build(base, {}, frozenset())
            self.name, self.base, self.changes, self.rules = name, base, {}, frozenset()
            self.model, self.twin, self.rejected = *built, {}
            self.message = _joined(f"Loaded {name} at tick 0.", self.message)
        return self._attempt(load, f"scenario {name!r}")

    def set_value(self, path: str, text: str) -> bool:
        """Change one field (dotted path) from the text of a control and restart at tick 0.

        A refused value leaves the model as it was; ``rejected[path]`` says why, for the field.
        """
        def change():
            value = parse(path, text, self.config)
            kept = {p: v for p, v in self.changes.items()  # a new strategy drops the old one's parameters
                    if not (path.endswith(".strategy") and p.startswith(f"{path[:-len('strategy')]}params."))}
            changes = {**kept, **self._with_params(path, value)}
            self.model, self.twin = self._build(self.base, changes, self.rules)
            self.changes = changes
            self.message = _joined(f"Restarted at tick 0 because {fields.label(path)} changed to {value}.",
                                   self.message)
        if self._attempt(change):
            self.rejected = {}
            return True
        previous = self.rejected.get(path)
        self.rejected[path] = Rejected((previous.attempt if previous else 0) + 1, str(text), self.error)
        return False

    def set_rule(self, name: str, on: bool) -> bool:
        """Switch a rule of model B between two ticks; B starts as a copy of A (same seed) at A's tick."""
        def switch():
            chosen = self.rules | {name} if on else self.rules - {name}
            twin = None
            if chosen:
                twin = self.twin if self.twin is not None else self._copy(self.model)
                rulebook.switch(twin, rulebook.with_rules(self.model.config, chosen))
            self.twin, self.rules = twin, chosen
            self.marks.append(Mark(self.tick, "rule", f"{rule_label(name)} {'on' if on else 'off'}"))
            self.switched = {n: self.switched.get(n, self.tick) for n in chosen}
            if not chosen:
                self.marks = [m for m in self.marks if m.kind != "rule"]
            self.message = (f"Run {self.b_name} from {timeline.when(self.model, self.tick)} (the marker): A's market "
                            f"and seed with {'this rule' if len(chosen) == 1 else 'these rules'}." if chosen
                            else "No rule on: run B is closed.")
        return self._attempt(switch, f"rule {name!r}")

    def set_learn_live(self, on: bool) -> bool:
        """Start the market from scratch, untrained and without a warm-up, to watch the learners learn or the
        market settle (``on``), or trained and warmed up as the scenario says."""
        def rebuild():
            built = self._build(self.base, self.changes, self.rules, train=False if on else None)
            self.learn_live = on
            self.model, self.twin = built
        return self._attempt(rebuild, "watch them learn")

    def reset(self) -> bool:
        """Both models back to tick 0 with the current settings."""
        def rebuild():
            self.model, self.twin = self._build(self.base, self.changes, self.rules)
            self.message = _joined("Restarted (Reset).", self.message)
        return self._attempt(rebuild, "reset")

    def step(self, n_ticks: int = 1) -> int:
        """Advance both models by up to ``n_ticks`` ticks through ``PricingModel.step``; return ticks run.

        Stops at ``pause_at`` (set by a deviation) and then sets ``paused``, for the play loop to stop.
        """
        with self.lock:
            n = max(0, min(n_ticks, self.horizon - self.played))
            if self.pause_at is not None:
                n = min(n, max(0, self.pause_at - self.tick))
            for _ in range(n):
                self.model.step()
                if self.twin is not None:
                    self.twin.step()
            self.revision += 1
            if self.pause_at is not None and self.tick >= self.pause_at:
                self.pause_at, self.paused = None, True
                unit = timeline.unit(self.config)
                self.message = f"Paused {RESPONSE_TICKS} {unit}s after the deviation: press Play or Step to go on."
            return n

    def skip(self, n_ticks: int) -> int:
        """Advance both models by up to ``n_ticks`` on the fast path (skip a transient; let learners learn)."""
        with self.lock:
            n = max(0, min(n_ticks, self.horizon - self.played))
            for model in (self.model, self.twin):
                if model is not None:
                    fast_forward(model, n)
            self.revision += 1
            return n

    def train(self, max_ticks: int = MAX_TRAINING_TICKS) -> bool:
        """Train the learners of A to convergence on the fast path; then they play, frozen, and B splits from A.

        ``message`` says how many ticks it took and whether the greedy policies converged.
        """
        if not self.start_training(max_ticks):
            return False
        while not self.train_chunk():
            pass
        return True

    def start_training(self, max_ticks: int = MAX_TRAINING_TICKS) -> bool:
        """Start training A's learners, to run a chunk at a time by ``train_chunk`` (the learning curve starts)."""
        def start():
            self.curve = learning.Curve(self.model, max_ticks)
            self.message = (f"Training: Delta and the prices over the training {timeline.unit(self.config)}s are drawn "
                            "as it goes.")
        return self._attempt(start, "train first")

    def train_chunk(self, n_ticks: int = learning.CHUNK_TICKS) -> bool:
        """Train about ``n_ticks`` more; return whether training has ended. At the end the learners play,
        frozen, B splits from A, and ``message`` says how many ticks it took and whether the policies converged."""
        with self.lock:
            done = self.curve.advance(n_ticks)
            self.revision += 1
            if done:
                self.model.training = self.curve.result
                self.twin = self._split(self.model, self.rules)
                self._start_marks(self.model.tick, self.rules)
                self.message = _trained(self.model, self.twin)
                self.layout += 1
            return done

    def deviate(self, seller: str, text: str) -> bool:
        """Force ``seller``'s price to the typed value for one of its repricing periods, in A (and B).

        Play then stops ``RESPONSE_TICKS`` ticks on (``pause_at``), so the response stays in view.
        """
        def force():
            price = parse(f"sellers.{seller}.price", text)
            ticks = [model.force_price(seller, price) for model in (self.model, self.twin) if model is not None]
            self.marks.append(Mark(self.tick, "deviation", f"{seller} at {price:g}"))
            self.pause_at = self.tick + ticks[0] + RESPONSE_TICKS
            unit = timeline.unit(self.config)
            self.message = (f"{seller} charges {price:g} for {ticks[0]} {unit}(s), then returns to its strategy; "
                            f"play pauses {RESPONSE_TICKS} {unit}s later.")
        return self._attempt(force, "deviation")

    def settings(self) -> dict:
        """What the run is: scenario, seed, every parameter change, B's rules and the marks (for the export)."""
        with self.lock:
            start = int(self.model.state.origin[0])
            return {
                "scenario": self.name, "seed": self.config.seed, "learn_live": self.learn_live,
                "trained_to_tick": start, "warm_up_ticks": self.model.warm_up_ticks,
                **({} if self.model.settled is None else {"settled": self.model.settled}),
                "ticks_played": self.played, "tick_minutes": self.config.tick_minutes,
                "changes": {path: value for path, value in self.changes.items()},
                "rules": [{"name": name, "label": rule_label(name), "description": rulebook.catalog()[name],
                           "on_from_tick": self.switched[name]} for name in rulebook.catalog() if name in self.rules],
                "marks": [m._asdict() for m in self.marks],
            }

    def _attempt(self, action, what: str = "") -> bool:
        """Run ``action`` under the lock; any error becomes ``self.error`` (fields as the page names them) and
        nothing is replaced."""
        with self.lock:
            self.message = ""
            try:
                action()
            except Exception as err:  # the server's edge: a bad value or a broken config must not end the session
                reason = fields.reword(str(err), self.config)
                self.error = f"{what}: {reason}" if what else reason
                return False
            self.error = ""
            self.layout += 1
            return True

    def _with_params(self, path: str, value: object) -> dict[str, object]:
        """A strategy change also resets its parameters: the scenario's own if it is the original strategy."""
        if not path.endswith(".strategy"):
            return {path: value}
        seller = path.split(".")[1]
        original = next((s for s in self.base.sellers if s.name == seller), None)
        params = original.params if original is not None and original.strategy == value else {}
        return {path: value, f"sellers.{seller}.params": dict(params)}

    def _build(self, base: Scenario, changes: dict, chosen: frozenset[str], train: bool | None = ...):
        """Models A and B at the start (tick 0, or the end of A's training and warm-up): B is A with the chosen rules.

        ``train``: False starts untrained, None trains where the scenario has ``[training]``; left out, as
        ``learn_live`` says. The message says how training went. The marks start again.
        """
        train = (False if self.learn_live else None) if train is ... else train
        model = PricingModel(base, overrides={**DISPLAY, **changes}, horizon=min(base.horizon, MAX_TICKS),
                             collect=False, train=train)
        twin = self._split(model, chosen)
        self._start_marks(model.tick, chosen)
        self.curve = None
        self.message = _joined(_trained(model, twin) if model.training else "",
                               _warmed(model) if model.warm_up is not None else "")
        return model, twin

    def _start_marks(self, tick: int, chosen: frozenset[str]) -> None:
        """The marks of a run that starts at ``tick`` with B's ``chosen`` rules on; no pause pending."""
        self.marks = [Mark(tick, "rule", f"{rule_label(n)} on") for n in rulebook.catalog() if n in chosen]
        self.switched = {n: tick for n in chosen}
        self.pause_at, self.paused = None, False

    def _split(self, model: PricingModel, chosen: frozenset[str]) -> PricingModel | None:
        """Model B: a copy of ``model`` now, with the ``chosen`` rules from its next tick (None: no rules)."""
        if not chosen:
            return None
        twin = self._copy(model)
        rulebook.switch(twin, rulebook.with_rules(model.config, chosen))
        return twin

    @staticmethod
    def _copy(model: PricingModel) -> PricingModel:
        """A second model of ``model``'s market at its tick: the same seed, history and training."""
        twin = PricingModel(model.config, horizon=model.state.records.price.shape[0], collect=False, train=False)
        twin.state = engine.copy_state(model.state)
        twin.training, twin.warm_up = model.training, model.warm_up
        return twin


def _trained(model: PricingModel, twin: PricingModel | None) -> str:
    """``Trained: converged after 1,440,000 periods ...``: how A's training went (B, if any, split from it), in
    periods of the repeated game (ticks on a clock)."""
    outcome = "converged" if model.training.converged else "not converged"
    split = " B is the trained A with its rules on, on the same clock." if twin is not None else ""
    return (f"Trained: {outcome} after {model.training.ticks:,} {timeline.unit(model.config)}s. The learners now play "
            f"their learned strategies, without exploring.{split}")


def _warmed(model: PricingModel) -> str:
    """``Warmed up 1,008 ticks (7 days): settled in a cycle of ...``: how A's warm-up went."""
    text = settling.describe(model.warm_up, model.config.ticks_per_day)
    return f"W{text[1:]}; the charts start in the market it settled into."


def _joined(*parts: str) -> str:
    return " ".join(p for p in parts if p)

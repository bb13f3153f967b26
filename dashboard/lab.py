"""One browser session's market: the scenario, the user's changes, the model and its A/B twin.

``Lab`` holds no Solara state and is tested without a browser. Every change from a control
goes through it: the text is parsed, the changed scenario validated and the new models built
before anything is replaced, so bad input leaves a message in ``lab.error`` and the last
valid model running. Model A is the scenario with the user's changes; model B, present while
rules are switched on, is A with those rules, on the same seed, stepped in lockstep. A rule
switched on mid-run takes effect in B from the next tick, so B's path leaves A's there.

A scenario with a ``[training]`` table starts trained, as every door measures it (its learners
then play frozen); ``learn_live`` starts it untrained instead, to watch the learning itself.
"""

import threading

from dashboard import rules as rulebook
from market import catalog, engine, training
from market.model import PricingModel
from market.scenario import Scenario

DEFAULT_SCENARIO = "amazon_10min"
MAX_TICKS = 50_000
MAX_TRAINING_TICKS = 10_000_000
INT_FIELDS = ("seed", "period", "lag")
DISPLAY = {"record_stride": 1}


def parse(path: str, text: str) -> object:
    """The value typed for ``path``: a strategy name, or a number (a whole one for seed, period, lag)."""
    field = path.rsplit(".", 1)[-1]
    text = str(text).strip()
    if field == "strategy":
        return text
    if not text:
        raise ValueError(f"{path}: empty; enter a number")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{path} = {text!r}: not a number") from None
    if field in INT_FIELDS:
        if not value.is_integer():
            raise ValueError(f"{path} = {text!r}: must be a whole number")
        return int(value)
    return value


def fast_forward(model: PricingModel, n_ticks: int) -> None:
    """Run ``n_ticks`` on the engine's fast path (one kernel call; Mesa's data collector is skipped)."""
    model.advance(n_ticks)


class Lab:
    """The market of one session. Methods return True on success; on failure ``error`` says why."""

    def __init__(self, name: str | None = None):
        self.lock = threading.RLock()
        self.error = ""
        self.message = ""
        self.name = name or DEFAULT_SCENARIO
        self.base = catalog.load(self.name)
        self.changes: dict[str, object] = {}
        self.rules: frozenset[str] = frozenset()
        self.learn_live = False
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
        """Ticks run since the books started: tick 0, or the end of training."""
        return self.model.state.counted

    @property
    def learners(self) -> bool:
        """Whether some seller learns a table."""
        return bool(training.table_learners(self.model.state))

    @property
    def trainable(self) -> bool:
        """Whether "train first" has something to train: learners not trained yet."""
        return self.learners and not self.model.state.learners.frozen[0]

    @property
    def horizon(self) -> int:
        return min(self.config.horizon, MAX_TICKS)

    @property
    def finished(self) -> bool:
        return self.played >= self.horizon

    def choose_scenario(self, name: str) -> bool:
        """Load a shipped scenario with no changes and no rules, at tick 0."""
        def load():
            base = catalog.load(name)
            built = self._build(base, {}, frozenset())
            self.name, self.base, self.changes, self.rules = name, base, {}, frozenset()
            self.model, self.twin = built
        return self._attempt(load, f"scenario {name!r}")

    def set_value(self, path: str, text: str) -> bool:
        """Change one field (dotted path) from the text of a control and restart at tick 0."""
        def change():
            changes = {**self.changes, **self._with_params(path, parse(path, text))}
            self.model, self.twin = self._build(self.base, changes, self.rules)
            self.changes = changes
        return self._attempt(change)

    def set_rule(self, name: str, on: bool) -> bool:
        """Switch a rule of model B between two ticks; B starts as a copy of A (same seed) at A's tick."""
        def switch():
            chosen = self.rules | {name} if on else self.rules - {name}
            twin = None
            if chosen:
                config = rulebook.with_rules(self.model.config, chosen)
                twin = self.twin
                if twin is None:  # B starts as A now: the same seed and history, training included
                    twin = self._model(self.model.config)
                    twin.state = engine.copy_state(self.model.state)
                rulebook.switch(twin, config)
            self.twin, self.rules = twin, chosen
        return self._attempt(switch, f"rule {name!r}")

    def set_learn_live(self, on: bool) -> bool:
        """Start the market untrained, to watch the learners learn (``on``), or trained as the scenario says."""
        def rebuild():
            built = self._build(self.base, self.changes, self.rules, train=False if on else None)
            self.learn_live = on
            self.model, self.twin = built
        return self._attempt(rebuild, "watch them learn")

    def reset(self) -> bool:
        """Both models back to tick 0 with the current settings."""
        def rebuild():
            self.model, self.twin = self._build(self.base, self.changes, self.rules)
        return self._attempt(rebuild, "reset")

    def step(self, n_ticks: int = 1) -> int:
        """Advance both models by up to ``n_ticks`` ticks through ``PricingModel.step``; return ticks run."""
        with self.lock:
            n = max(0, min(n_ticks, self.horizon - self.played))
            for _ in range(n):
                self.model.step()
                if self.twin is not None:
                    self.twin.step()
            return n

    def skip(self, n_ticks: int) -> int:
        """Advance both models by up to ``n_ticks`` on the fast path (skip a transient; let learners learn)."""
        with self.lock:
            n = max(0, min(n_ticks, self.horizon - self.played))
            for model in (self.model, self.twin):
                if model is not None:
                    fast_forward(model, n)
            return n

    def train(self, max_ticks: int = MAX_TRAINING_TICKS) -> bool:
        """Train the learners of A (and B) to convergence on the fast path; then they play, frozen.

        ``message`` says how many ticks it took and whether the greedy policies converged.
        """
        def run():
            for model in (self.model, self.twin):
                if model is not None:
                    model.train(max_ticks)
            self.message = _trained(("A", self.model), ("B", self.twin))
        return self._attempt(run, "train first")

    def deviate(self, seller: str, text: str) -> bool:
        """Force ``seller``'s price to the typed value for one of its repricing periods, in A (and B)."""
        def force():
            price = parse(f"sellers.{seller}.price", text)
            ticks = [model.force_price(seller, price) for model in (self.model, self.twin) if model is not None]
            self.message = f"{seller} charges {price:g} for {ticks[0]} tick(s), then returns to its strategy."
        return self._attempt(force, "deviation")

    def _attempt(self, action, what: str = "") -> bool:
        """Run ``action`` under the lock; any error becomes ``self.error`` and nothing is replaced."""
        with self.lock:
            self.message = ""
            try:
                action()
            except Exception as err:  # the server's edge: a bad value or a broken config must not end the session
                self.error = f"{what}: {err}" if what else str(err)
                return False
            self.error = ""
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
        """Models A and B at the start (tick 0, or the end of training): B has the chosen rules from the start.

        ``train``: False starts untrained, None trains where the scenario has ``[training]``; left out, as
        ``learn_live`` says. The message says how training went.
        """
        train = (False if self.learn_live else None) if train is ... else train
        model = PricingModel(base, overrides={**DISPLAY, **changes}, horizon=min(base.horizon, MAX_TICKS),
                             collect=False, train=train)
        twin = self._model(rulebook.with_rules(model.config, chosen), train) if chosen else None
        self.message = _trained(("A", model), ("B", twin)) if model.training else ""
        return model, twin

    @staticmethod
    def _model(config: Scenario, train: bool | None = False) -> PricingModel:
        return PricingModel(config, horizon=min(config.horizon, MAX_TICKS), collect=False, train=train)


def _trained(*models: tuple[str, PricingModel | None]) -> str:
    """``Trained: A converged after 1,440,000 ticks; ...``, for the models that were trained."""
    outcomes = [f"{name} {'converged' if m.training.converged else 'not converged'} after {m.training.ticks:,} ticks"
                for name, m in models if m is not None and m.training is not None]
    return f"Trained: {'; '.join(outcomes)}. The learners now play their learned strategies, without exploring."

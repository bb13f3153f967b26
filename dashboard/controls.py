"""The dashboard's controls: running and export (the bar at the top), scenario, learning, rules and sellers
(the side panel).

Every control hands its raw value to the session's ``Lab`` and then calls ``done()`` so the
page redraws; the ``Lab`` decides whether the value is valid. A field whose text the ``Lab``
refused is marked, with the reason and the value in force, so refused text never looks applied,
and keeps what was typed (the field is not replaced, so typing on is not lost). Each component
takes the part of the settings and state it shows (the scenario, a seller, the active rules,
whether training can start), so it is redrawn when that part changes: Solara redraws a component
only when its arguments change.
"""

from collections.abc import Callable

import solara
from solara.components.input import use_change

from dashboard import export, rules, timeline
from dashboard.lab import Lab, rule_label
from market import strategies
from market.catalog import scenario_names
from market.interventions import to_ticks
from market.scenario import Scenario, Seller
from market.strategies.registry import Param

SMALL = {"font-size": "0.85em", "color": "#555"}
SKIP_PERIODS = 1000
OPEN_RANGE = 1e6  # a parameter whose upper bound is at least this is shown as unbounded above


def speeds(config: Scenario) -> dict[str, int]:
    """Ticks per frame, by the time they span on the scenario's clock (spans shorter than a tick left out), or
    in periods of a repeated game."""
    if timeline.repeated_game(config):
        return {"1 period": 1, "10 periods": 10, "100 periods": 100}
    spans = {f"1 tick ({config.tick_minutes} min)": 1, "1 hour": to_ticks(60, config.tick_minutes),
             "6 hours": to_ticks(360, config.tick_minutes), "1 day": config.ticks_per_day}
    return {label: ticks for label, ticks in spans.items() if label.startswith("1 tick") or ticks > 1}


def skip_span(config: Scenario) -> tuple[str, int]:
    """The Skip button's label and ticks: a day on the clock, ``SKIP_PERIODS`` periods in a repeated game."""
    if timeline.repeated_game(config):
        return f"Skip {SKIP_PERIODS:,} periods", SKIP_PERIODS
    return "Skip a day", config.ticks_per_day


def step_ticks(config: Scenario, speed: int) -> int:
    """Ticks one press of Step runs: one period in a repeated game, else the ticks of a frame."""
    return 1 if timeline.repeated_game(config) else speed


def frame_label(config: Scenario) -> str:
    return "periods per frame" if timeline.repeated_game(config) else "ticks per frame"


def windows(config: Scenario) -> dict[str, int]:
    """Chart windows in ticks, by the time they span on the scenario's clock, or in periods of a repeated game."""
    if timeline.repeated_game(config):
        return {"100 periods": 100, "1,000 periods": 1000, "all": 10**9}
    day = config.ticks_per_day
    return {"1 day": day, "3 days": 3 * day, "7 days": 7 * day, "all": 10**9}


@solara.component
def NumberField(lab: Lab, label: str, path: str, value: float, done: Callable[[], None], refused: dict):
    """A text field for a number; ``lab`` parses it, so bad text becomes a message beside the field, with the value
    in force (``TextField``). ``refused``: ``lab.rejected``."""
    refused = refused.get(path)

    def changed(text: str):
        lab.set_value(path, text)
        done()
    TextField(lab, label, path, f"{value:g}", changed, refused)


def TextField(lab: Lab, label: str, path: str, shown: str, changed: Callable[[str], None], refused):
    """The field of ``NumberField`` and ``ParamField``, applied on Enter or on leaving it. A refusal marks the field
    and keeps what was typed in it (a refusal leaves ``lab.layout`` as it was, so the field is not replaced); the
    value in force is in the note. The field is drawn anew, showing the value in force, after any accepted change."""
    note = f"{refused.text!r} not applied ({refused.reason}); in force: {shown}" if refused else ""
    return TypedText(label, shown, changed, note).key(f"{lab.name}:{path}:{shown}:{lab.layout}")


@solara.component
def TypedText(label: str, shown: str, changed: Callable[[str], None], note: str):
    """A text field that hands its text to ``changed`` on Enter or on leaving it, if the text is new.

    Each keystroke the browser reports is kept (``typed``) and drawn, so a redraw between a keystroke and Enter
    (the play loop ending, another page's step) sends that text back, never refused text over what is being
    typed (Solara's ``InputText`` draws its last applied value)."""
    typed = solara.use_reactive(shown)
    submitted = solara.use_ref(shown)

    def submit(text: str | None):
        text = text or ""
        if text != submitted.current:
            submitted.current = text
            changed(text)
    field = solara.v.TextField(label=label, v_model=typed.value, on_v_model=lambda text: typed.set(text or ""),
                               error=bool(note), messages=[note] if note else [], hide_details="auto",
                               class_="pricelab-refused" if note else "")
    use_change(field, submit)
    return field


@solara.component
def ParamField(lab: Lab, seller: Seller, param: Param, done: Callable[[], None], refused: dict):
    """A strategy parameter's field, labelled with its allowed range from the registry (``nash``, ``monopoly`` or
    ``cost`` are accepted where the parameter is a price)."""
    path = f"sellers.{seller.name}.params.{param.name}"

    def changed(text: str):
        lab.set_value(path, text)
        done()
    value = seller.params.get(param.name, param.default)
    TextField(lab, f"{param.name} ({param_range(param)})", path, value if isinstance(value, str) else f"{value:g}",
              changed, refused.get(path))


def param_range(param: Param) -> str:
    """``0-1``, or ``>= 0`` for a parameter without a practical upper bound (and ``or nash, ...`` for prices)."""
    shown = f"{param.low:g}-{param.high:g}" if param.high < OPEN_RANGE else f">= {param.low:g}"
    return f"{shown} or cost, nash, monopoly" if param.is_price else shown


def strategy_text(name: str) -> str:
    """What a strategy does and where it comes from, from the registry (its doc and source)."""
    spec = strategies.get(name)
    return f"{spec.doc.strip()} Source: {spec.source.strip()}"


@solara.component
def ScenarioControls(lab: Lab, config: Scenario, done: Callable[[], None]):
    def choose(name: str):
        lab.choose_scenario(name)
        done()
    solara.Select("Scenario", values=scenario_names(), value=lab.name, on_value=choose)
    if config.description:
        solara.Text(config.description, style=SMALL)


@solara.component
def MarketControls(lab: Lab, config: Scenario, done: Callable[[], None], refused: dict, platform: bool):
    """Demand, seed and, where some seller sells on the platform (``platform``), the platform's terms (a change
    restarts both runs at tick 0)."""
    with solara.Row():
        NumberField(lab, "demand mu", "demand.mu", config.demand.mu, done, refused)
        NumberField(lab, "seed", "seed", config.seed, done, refused)
    if not platform:
        return
    with solara.Row():
        NumberField(lab, "referral fee", "platform.referral_fee", config.platform.referral_fee, done, refused)
        NumberField(lab, "Buy Box attention", "platform.featured_attention", config.platform.featured_attention,
                    done, refused)
        NumberField(lab, "self-preference", "platform.self_preference", config.platform.self_preference, done,
                    refused)


@solara.component
def SellerControls(lab: Lab, seller: Seller, done: Callable[[], None], refused: dict):
    prefix = f"sellers.{seller.name}"
    minutes = lab.config.tick_minutes

    def choose(name: str):
        lab.set_value(f"{prefix}.strategy", name)
        done()
    with solara.Card(f"{seller.name} ({seller.role})", margin=0, style={"padding": "4px 8px"}):
        solara.Select("strategy", values=strategies.names(), value=seller.strategy, on_value=choose)
        solara.Text(strategy_text(seller.strategy), classes=["pricelab-strategy-doc"],
                    style={"font-size": "0.75em", "color": "#666"})
        with solara.Row(style={"flex-wrap": "wrap"}):
            for param in strategies.get(seller.strategy).params:
                ParamField(lab, seller, param, done, refused)
        with solara.Row():
            NumberField(lab, "period", f"{prefix}.period", seller.period, done, refused)
            NumberField(lab, "lag", f"{prefix}.lag", seller.lag, done, refused)
            NumberField(lab, "cost", f"{prefix}.cost", seller.cost, done, refused)
        unit = "periods of the game" if timeline.repeated_game(lab.config) else f"ticks of {minutes} min"
        solara.Text(f"period, lag: in {unit}; cost: currency units per unit", style=SMALL)


def matching(catalog: dict[str, str], query: str) -> tuple[list[str], bool]:
    """The rules a search finds, in catalog order, and whether by their descriptions: rules whose name has a word
    starting with each word typed (``price`` finds ``price floor nash`` and ``price cap monopoly``); only where no
    name matches, rules whose description contains every word typed (``prominence`` finds ``pdp``)."""
    words = query.lower().split()
    by_name = [name for name in catalog
               if all(any(part.startswith(w) for part in rule_label(name).split()) for w in words)]
    if by_name or not words:
        return by_name, False
    return [name for name, text in catalog.items() if all(w in text.lower() for w in words)], True


@solara.component
def RuleControls(lab: Lab, active: frozenset[str], done: Callable[[], None]):
    """The engine's rules for run B, in a collapsible group with a search box. The group's title keeps one
    length whatever is on (the rules on are listed inside), so nothing moves under the pointer."""
    query = solara.use_reactive("")
    catalog = rules.catalog()
    on = [rule_label(n) for n in catalog if n in active]
    shown, by_text = matching(catalog, query.value)
    with solara.Details(summary=f"Rules for run B ({len(on)} of {len(catalog)} on)", expand=False):
        solara.Text("Switching a rule on runs B beside A: the same market and seed, with the rule from the next "
                    "tick (a marker on every chart).", style=SMALL)
        solara.Text(f"On: {', '.join(on)}" if on else "On: none", style={**SMALL, "display": "block"},
                    classes=["pricelab-rules-on"])
        solara.InputText("search rules", value=query, continuous_update=True)
        if by_text:
            solara.Text(f"No rule's name has {query.value!r}; these say it in their description:", style=SMALL)
        for name in shown:
            def switch(value: bool, name: str = name):
                lab.set_rule(name, value)
                done()
            with solara.Column(gap="0px"):
                solara.Switch(label=rule_label(name), value=name in active, on_value=switch)
                solara.Text(catalog[name], style={"font-size": "0.75em", "color": "#666"})
        if not shown:
            solara.Text(f"No rule matches {query.value!r}.", style=SMALL)


@solara.component
def RunControls(lab: Lab, config: Scenario, finished: bool, training: bool, playing: solara.Reactive[bool],
                speed: solara.Reactive[int], window: solara.Reactive[int], done: Callable[[], None]):
    """Step, Play/Pause, Reset, Skip, the ticks (periods) per frame and the chart window (pinned at the top).

    Drawn from the ``config`` and state it is given, so a new scenario redraws it: a repeated game offers
    periods (Step runs one, Skip ``SKIP_PERIODS``), a market on the clock hours and days. While training
    runs chunk by chunk (``training``), Play/Pause pauses it and Step and Skip wait.
    """
    frame, shown = speeds(config), windows(config)
    skip_label, skip_ticks = skip_span(config)

    def step():
        lab.step(step_ticks(config, speed.value))
        done()

    def reset():
        playing.set(False)
        lab.reset()
        done()

    def skip():
        lab.skip(skip_ticks)
        done()

    def fit():
        """Another scenario may not offer the speed or window in use: take the nearest it offers."""
        speed.set(frame[_label(frame, speed.value)])
        window.set(shown[_label(shown, window.value)])
    solara.use_effect(fit, [config.name, timeline.repeated_game(config)])
    idle = not (playing.value or finished or training)
    with solara.Row(classes=["pricelab-run"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Step", on_click=step, disabled=not idle, color="primary")
        solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                      disabled=finished and not playing.value and not training, color="primary")
        solara.Button("Reset", on_click=reset)
        solara.Button(skip_label, on_click=skip, disabled=not idle)
        solara.Select(frame_label(config), values=list(frame), value=_label(frame, speed.value),
                      on_value=lambda label: speed.set(frame[label]), style={"max-width": "150px"})
        solara.Select("chart window", values=list(shown), value=_label(shown, window.value),
                      on_value=lambda label: window.set(shown[label]), style={"max-width": "110px"})


@solara.component
def LearningControls(lab: Lab, config: Scenario, playing: solara.Reactive[bool], trainable: bool, learn_live: bool,
                     speed: solara.Reactive[int], done: Callable[[], None]):
    """Learners start trained where the scenario says so; or watch them learn from scratch: "Train first" then
    trains them chunk by chunk in the play loop, drawing Delta and their prices over the training ticks (the
    button goes once they are trained). Then force one seller to deviate and watch the others punish it (one
    tick a frame, pausing with the response in view). Drawn from the ``trainable`` and ``learn_live`` it is
    given, so it changes when training ends."""
    learners = [s.name for s in config.sellers if strategies.get(s.strategy).learns]
    seller = solara.use_reactive(learners[0] if learners else "")
    price = solara.use_reactive("")
    if not lab.learners:
        return
    chosen = seller.value if seller.value in learners else learners[0]  # the scenario may have changed
    nash = f"{lab.model.benchmarks.nash_price[lab.model.seller_index(chosen)]:.4g}"

    def train():
        if lab.start_training():
            playing.set(True)
        done()

    def live(on: bool):
        lab.set_learn_live(on)
        done()

    def deviate():
        if lab.deviate(chosen, price.value or nash):
            speed.set(1)
        done()
    unit = timeline.unit(config)
    solara.Text("Learning: the learners train to convergence on the fast path, then play their learned strategies "
                "(as the papers measure them); or watch them learn from scratch.", style={"font-weight": "500"})
    solara.Checkbox(label="watch them learn from scratch", value=learn_live, on_value=live, disabled=playing.value)
    if trainable:
        with solara.Row():
            solara.Button("Train first", on_click=train, disabled=playing.value, color="secondary")
        solara.Text("Trains chunk by chunk, drawing Delta and their prices as they learn (Pause stops it).",
                    style=SMALL)
    with solara.Row():
        solara.Select("deviating seller", values=learners, value=chosen, on_value=seller.set)
        solara.InputText("deviation price", value=price.value or nash, on_value=price.set, continuous_update=False)
    solara.Button("Force a deviation", on_click=deviate, color="secondary", disabled=lab.is_training)
    solara.Text(f"Play then runs one {unit} a frame and pauses soon after, with the response zoomed in view.",
                style=SMALL)


@solara.component
def ExportControls(lab: Lab, config: Scenario):
    """Downloads of the run (A, and B with rules on) with its settings: Parquet (settings in its metadata), CSV
    and the settings as TOML beside it."""
    with solara.Row(gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}):
        for fmt, label, title in (("csv", "CSV", "the run's ticks as CSV (its settings: the TOML beside it)"),
                                  ("toml", "TOML", "the run's settings: scenario, seed, changes, rules, marks"),
                                  ("parquet", "Parquet", "the run's ticks as Parquet, its settings in the metadata")):
            button = solara.Button(label, icon_name="mdi-download", small=True, outlined=True,
                                   attributes={"title": f"Download {title}"})
            solara.FileDownload(lambda fmt=fmt: export.download(lab, fmt), filename=export.filename(config, fmt),
                                children=[button])


def _label(options: dict[str, int], value: int) -> str:
    """The option of ``value`` ticks, or the nearest one (a scenario with another clock has other options)."""
    return min(options, key=lambda label: abs(options[label] - value))

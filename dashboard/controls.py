"""The dashboard's controls: scenario, parameters, rules, running and export.

Every control hands its raw value to the session's ``Lab`` and then calls ``done()`` so the
page redraws; the ``Lab`` decides whether the value is valid. Each component also takes the
part of the settings it shows (the scenario, a seller, the active rules), so it is redrawn
when that part changes.
"""

from collections.abc import Callable

import solara

from dashboard import export, rules
from dashboard.lab import Lab
from market import strategies
from market.catalog import scenario_names
from market.interventions import to_ticks
from market.scenario import Scenario, Seller


def speeds(config: Scenario) -> dict[str, int]:
    """Ticks per frame, by the time they span on the scenario's clock (spans shorter than a tick left out)."""
    spans = {f"1 tick ({config.tick_minutes} min)": 1, "1 hour": to_ticks(60, config.tick_minutes),
             "6 hours": to_ticks(360, config.tick_minutes), "1 day": config.ticks_per_day}
    return {label: ticks for label, ticks in spans.items() if label.startswith("1 tick") or ticks > 1}


def windows(config: Scenario) -> dict[str, int]:
    """Chart windows in ticks, by the time they span on the scenario's clock."""
    day = config.ticks_per_day
    return {"1 day": day, "3 days": 3 * day, "7 days": 7 * day, "all": 10**9}


@solara.component
def NumberField(lab: Lab, label: str, path: str, value: float, done: Callable[[], None]):
    """A text field for a number; ``lab`` parses it, so bad text becomes a message, not a crash."""
    def changed(text: str):
        lab.set_value(path, text)
        done()
    solara.InputText(label, value=f"{value:g}", on_value=changed, continuous_update=False).key(
        f"{lab.name}:{path}:{value!r}")


@solara.component
def ScenarioControls(lab: Lab, config: Scenario, done: Callable[[], None]):
    def choose(name: str):
        lab.choose_scenario(name)
        done()
    solara.Select("Scenario", values=scenario_names(), value=lab.name, on_value=choose)
    if config.description:
        solara.Text(config.description, style={"font-size": "0.8em", "color": "#555"})
    with solara.Row():
        NumberField(lab, "demand mu", "demand.mu", config.demand.mu, done)
        NumberField(lab, "seed", "seed", config.seed, done)
    with solara.Row():
        NumberField(lab, "referral fee", "platform.referral_fee", config.platform.referral_fee, done)
        NumberField(lab, "Buy Box attention", "platform.featured_attention", config.platform.featured_attention,
                    done)
        NumberField(lab, "self-preference", "platform.self_preference", config.platform.self_preference, done)


@solara.component
def SellerControls(lab: Lab, seller: Seller, done: Callable[[], None]):
    prefix = f"sellers.{seller.name}"
    minutes = lab.config.tick_minutes

    def choose(name: str):
        lab.set_value(f"{prefix}.strategy", name)
        done()
    with solara.Card(f"{seller.name} ({seller.role})", margin=0, style={"padding": "4px 8px"}):
        solara.Select("strategy", values=strategies.names(), value=seller.strategy, on_value=choose)
        with solara.Row():
            NumberField(lab, f"period (ticks of {minutes} min)", f"{prefix}.period", seller.period, done)
            NumberField(lab, f"lag (ticks of {minutes} min)", f"{prefix}.lag", seller.lag, done)
            NumberField(lab, "cost", f"{prefix}.cost", seller.cost, done)


@solara.component
def RuleControls(lab: Lab, active: frozenset[str], done: Callable[[], None]):
    """Switches for the engine's rules, applied to run B (same seed as A) from the next tick."""
    solara.Text("Rules: switching one on runs B, the same seed with the rule from now on, beside A.",
                style={"font-weight": "500"})
    for name, description in rules.catalog().items():
        def switch(on: bool, name: str = name):
            lab.set_rule(name, on)
            done()
        with solara.Column(gap="0px"):
            solara.Switch(label=name.replace("_", " "), value=name in active, on_value=switch)
            solara.Text(description, style={"font-size": "0.75em", "color": "#666"})


@solara.component
def RunControls(lab: Lab, finished: bool, playing: solara.Reactive[bool], speed: solara.Reactive[int],
                window: solara.Reactive[int], done: Callable[[], None]):
    def step():
        lab.step(speed.value)
        done()

    def reset():
        playing.set(False)
        lab.reset()
        done()

    def skip():
        lab.skip(lab.config.ticks_per_day)
        done()
    with solara.Row():
        solara.Button("Step", on_click=step, disabled=playing.value or finished, color="primary")
        solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                      disabled=finished and not playing.value, color="primary")
        solara.Button("Reset", on_click=reset)
        solara.Button("Skip a day", on_click=skip, disabled=playing.value or finished)
    frame, shown = speeds(lab.config), windows(lab.config)
    with solara.Row():
        solara.Select("ticks per frame", values=list(frame), value=_label(frame, speed.value),
                      on_value=lambda label: speed.set(frame[label]))
        solara.Select("chart window", values=list(shown), value=_label(shown, window.value),
                      on_value=lambda label: window.set(shown[label]))


@solara.component
def LearningControls(lab: Lab, config: Scenario, playing: bool, done: Callable[[], None]):
    """Learners start trained where the scenario says so; or watch them learn, train first, then force one
    seller to deviate and watch the others punish it."""
    learners = [s.name for s in config.sellers if strategies.get(s.strategy).learns]
    seller = solara.use_reactive(learners[0] if learners else "")
    price = solara.use_reactive("")
    if not lab.learners:
        return
    chosen = seller.value if seller.value in learners else learners[0]  # the scenario may have changed
    nash = f"{lab.model.benchmarks.nash_price[lab.model.seller_index(chosen)]:.4g}"

    def train():
        lab.train()
        done()

    def live(on: bool):
        lab.set_learn_live(on)
        done()

    def deviate():
        lab.deviate(chosen, price.value or nash)
        done()
    solara.Text("Learning: the learners train to convergence on the fast path, then play their learned strategies "
                "(as the papers measure them); or watch them learn from scratch.", style={"font-weight": "500"})
    solara.Checkbox(label="watch them learn from scratch", value=lab.learn_live, on_value=live, disabled=playing)
    if lab.trainable:
        with solara.Row():
            solara.Button("Train first", on_click=train, disabled=playing, color="secondary")
    with solara.Row():
        solara.Select("deviating seller", values=learners, value=chosen, on_value=seller.set)
        solara.InputText("deviation price", value=price.value or nash, on_value=price.set, continuous_update=False)
    solara.Button("Force a deviation", on_click=deviate, color="secondary")


@solara.component
def ExportControls(lab: Lab, config: Scenario):
    with solara.Row():
        for fmt in export.FORMATS:
            solara.FileDownload(lambda fmt=fmt: export.to_bytes(export.lab_table(lab), fmt),
                                filename=export.filename(config, fmt), label=f"Download {fmt}")
    solara.Text("Charts: the PNG button at the top right of each chart.", style={"font-size": "0.8em"})


def _label(options: dict[str, int], value: int) -> str:
    """The option of ``value`` ticks, or the nearest one (a scenario with another clock has other options)."""
    return min(options, key=lambda label: abs(options[label] - value))

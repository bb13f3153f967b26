"""Dashboard frame cost, server side, for the default scenario at the default speed (6 ticks a frame).

* ``model``: the ticks of one frame through ``PricingModel.step`` (the target is <= 5 ms).
* ``charts``: the ECharts options of one frame (six charts, a one-day window).
* ``draw``: model, options and the widget updates of one frame as the page's play loop does
  them (``dashboard.app.draw``; no browser attached).
* ``two sessions``: frames per second of each of two sessions playing at once on one server (each
  frame: its ticks through ``PricingModel.step`` and every chart's options rebuilt and set, as
  ``dashboard.app.draw``; the page's play loops take turns on the server's one event loop, so a
  frame of each costs their sum), without and with a rule on (A and B stepped and drawn), capped
  like the page at ``1 / dashboard.app.FRAME_SECONDS``.
* ``warm-up``: on an empty numba cache, in a fresh process, the seconds until the server's warm-up
  (``dashboard.warmup``) has the engine ready, and then the seconds of the first Step of a new
  session (build its market, step one hour), as the page does after it stops saying "preparing".

Frames per second in a real browser are measured by ``tests/dashboard/test_browser.py``
(written to ``tests/artifacts/dashboard_fps.json``).

This is the one place in ``experiments/`` that imports ``dashboard/`` (it measures it); the
import is inside the benchmark so that the CLI does not load Solara to start.
"""

import json
import os
import subprocess
import sys
import tempfile

from experiments.bench import best_of, measurement
from experiments.bench.startup import ROOT

TICKS_PER_FRAME = 6
WINDOW = 144
FRAMES = 100  # (1 + 3 x 100) frames of 6 ticks, twice, stay within the 4,320-tick horizon


def frame_cost():
    import solara

    from dashboard import app
    from dashboard.lab import Lab

    lab = Lab()
    lab.step(WINDOW)
    widgets = {}
    solara.render(app.Live(lab, WINDOW, solara.reactive(0), widgets), handle_error=False)

    def charts():
        for build in app.figures(lab, WINDOW).values():
            build()

    def draw():
        lab.step(TICKS_PER_FRAME)
        app.draw(lab, WINDOW, widgets)

    for name, work in (("model", lambda: lab.step(TICKS_PER_FRAME)), ("charts", charts), ("draw", draw)):
        work()
        seconds = best_of(lambda w=work: [w() for _ in range(FRAMES)], 3) / FRAMES
        yield measurement(f"dashboard.frame_{name}.amazon_10min", seconds * 1e3, "ms")


def two_sessions():
    import solara

    from dashboard import app
    from dashboard.lab import Lab

    for rule in (None, "once_a_day"):
        sessions = []
        for _ in range(2):
            lab, widgets = Lab(), {}
            lab.step(WINDOW)
            if rule:
                lab.set_rule(rule, True)
            solara.render(app.Live(lab, WINDOW, solara.reactive(0), widgets), handle_error=False)
            sessions.append((lab, widgets))

        def both(sessions=sessions):
            for lab, widgets in sessions:
                lab.step(TICKS_PER_FRAME)
                app.draw(lab, WINDOW, widgets)
        both()
        seconds = best_of(lambda: [both() for _ in range(FRAMES)], 3) / FRAMES
        name = f"amazon_10min{'.' + rule if rule else ''}"
        yield measurement(f"dashboard.two_sessions_frame_of_each.{name}", seconds * 1e3, "ms")
        yield measurement(f"dashboard.two_sessions_fps_each.{name}", min(1 / seconds, 1 / app.FRAME_SECONDS),
                          "frames/s")


_WARM_UP = """
import json, time
started = time.perf_counter()
from dashboard import warmup
from dashboard.lab import Lab
warmup.start()
while not warmup.ready():
    time.sleep(0.01)
ready = time.perf_counter()
Lab().step(6)
print(json.dumps({"ready": ready - started, "first_step": time.perf_counter() - ready}))
"""


def warm_up_then_first_step():
    with tempfile.TemporaryDirectory() as cache:
        done = subprocess.run([sys.executable, "-c", _WARM_UP], cwd=ROOT, env={**os.environ, "NUMBA_CACHE_DIR": cache},
                              check=True, capture_output=True, text=True)
    seconds = json.loads(done.stdout.splitlines()[-1])
    yield measurement("dashboard.cold_warm_up_until_ready", seconds["ready"], "s")
    yield measurement("dashboard.first_step_after_ready", seconds["first_step"], "s")


BENCHMARKS = [frame_cost, two_sessions, warm_up_then_first_step]

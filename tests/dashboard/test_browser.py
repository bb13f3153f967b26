"""The dashboard in a real headless Chromium (Debian's ``chromium``; playwright never downloads one).

``pricelab dashboard`` serves the page on a free loopback port. The browser presses Step and Play,
enters bad input (refused in plain words, the field marked with the value in force, and a value
typed straight after is applied; a chart scrolled to the top keeps its title below the bar and its
message), switches a rule on (every chart then draws run B, named by the rule, with a marker at the
switch; B - A in one panel per axis), exports the run (the rule recorded), reloads the page (the
run is kept), checks the Buy Box of ``dma_self_preferencing`` under a neutral Buy Box, offers
periods in ``calvano2020`` (Step runs one; no platform terms), trains it chunk by chunk with a rule
on (the learning chart drawn, the button gone, A and B on one clock) and forces a deviation (a zoom
around it); a second browser on the run's link follows it live, a link to an unknown run says so,
two sessions play at once, and the console shows no errors.
The options each chart holds are read from its ECharts instance (``pricelabChart``). Screenshots at
1280x800 (and one at 1920x1080), the chart PNG, the measured frames per second (one session; two at
once) and the time from the page being ready to its first Step go to ``tests/artifacts/``.
"""

import io
import json
import re
import time
import tomllib
from pathlib import Path

import polars as pl
import pytest

from experiments.configs import scenario_names
from tests.dashboard.serving import ARTIFACTS, chromium, served

pytestmark = pytest.mark.browser

SMALL, PROJECTOR = {"width": 1280, "height": 800}, {"width": 1920, "height": 1080}
CHARTS = ".pricelab-chart canvas"
# A chart scrolled out of view skips frames (dashboard.chart): VISIT brings it into view and lets it draw.
VISIT = """async (el) => {
    el.scrollIntoView({block: 'nearest'});
    for (let k = 0; k < 3; k++) await new Promise(r => requestAnimationFrame(r)); }"""
# A chart scrolled to the top of the charts (as a link or scrollIntoView does): px from the bar's foot to its top.
BELOW_BAR = """el => { el.scrollIntoView({block: 'start'});
    return el.getBoundingClientRect().top - document.querySelector('.pricelab-bar').getBoundingClientRect().bottom; }"""
FINGERPRINTS = "async () => { const visit = " + VISIT + """; const out = [];
    for (const box of document.querySelectorAll('.pricelab-chart')) {
        await visit(box);
        const s = box.querySelector('canvas').toDataURL(); let h = 0;
        for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
        out.push(h); }
    return out; }"""
OPTIONS = "async () => { const visit = " + VISIT + """; const out = [];
    for (const el of document.querySelectorAll('.pricelab-chart')) {
        if (!el.pricelabChart) continue;
        await visit(el);
        const o = el.pricelabChart.getOption();
        out.push({title: o.title[0].text, x: o.xAxis[o.xAxis.length - 1].name, y: o.yAxis.map(a => a.name),
                  grids: o.grid.length,
                  yData: o.yAxis[0].data || null, xData: o.xAxis[o.xAxis.length - 1].data || null,
                  series: o.series.map(s => ({id: s.id, name: s.name, data: s.data,
                                              marks: ((s.markLine || {}).data || []).map(d => d.name || '')}))}); }
    return out; }"""


@pytest.fixture(scope="module")
def server():
    with served("dashboard", "dashboard_server.log") as url:
        yield url + "/"


@pytest.fixture
def browser_page(server):
    with chromium() as browser:
        page = browser.new_page(viewport=SMALL, accept_downloads=True)
        page.set_default_timeout(90_000)  # generous: CI machines are small and may be busy
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server)
        yield browser, page, errors


def clock(page, which: str = ".pricelab-clock") -> str:
    return page.locator(which).inner_text()


def tick(page) -> int:
    return int(re.search(r"(?:tick|period) (\d+) of", clock(page)).group(1))


def wait_tick(page, text: str) -> None:
    page.wait_for_function(f"document.querySelector('.pricelab-clock').innerText.includes({text!r})")


def charts_change(page, before: list[int], seconds: float = 60) -> bool:
    """Whether every chart's canvas differs from ``before`` within ``seconds`` (generous: on a fresh CI machine the
    server shares two cores with a pytest worker compiling numba kernels). Prints the charts that did not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        after = page.evaluate(FINGERPRINTS)
        if len(after) == len(before) and all(a != b for a, b in zip(after, before, strict=True)):
            return True
        time.sleep(0.2)
    same = [i for i, (a, b) in enumerate(zip(after, before, strict=False)) if a == b]
    print(f"charts (in page order) unchanged after {seconds} s: {same}; {len(before)} before, {len(after)} after")
    return False


def options(page, count: int, where, seconds: float = 60) -> list[dict]:
    """The options of the ``count`` charts, once ``where(options)`` holds (the page draws a frame after a change)."""
    deadline = time.monotonic() + seconds
    while True:
        found = page.evaluate(OPTIONS)
        if len(found) == count and where(found):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"charts never satisfied the check: {[o['title'] for o in found]}")
        time.sleep(0.2)


def b_series(chart: dict) -> list[dict]:
    return [s for s in chart["series"] if s["id"].endswith("· B") or s["name"].startswith("B: ")
            or "B - A" in s["name"]]


def frames_per_second(page, ticks_per_frame: int, seconds: float = 4.0) -> float:
    start, first = time.perf_counter(), tick(page)
    time.sleep(seconds)
    return (tick(page) - first) / ticks_per_frame / (time.perf_counter() - start)


def play_for_fps(page) -> float:
    """Frames per second while playing (printed, never asserted), once play has moved the clock."""
    start = tick(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("parseInt(document.querySelector('.pricelab-clock').innerText"
                           f".match(/(?:tick|period) (\\d+) of/)[1]) > {start}")
    time.sleep(1.0)
    fps = frames_per_second(page, ticks_per_frame=6)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    return fps


def switch_rule(page, label: str) -> None:
    """Open the rules group (if closed), find the rule by the search box and switch it."""
    search = page.get_by_label("search rules")
    if not search.is_visible():
        page.get_by_text("Rules for run B").click()
    word = label.split()[0]
    search.fill(word)
    page.wait_for_function("""w => {
        const names = [...document.querySelectorAll('.pricelab-side .v-input--switch label')];
        return names.length > 0 && names.every(n => n.innerText.includes(w)); }""", arg=word)  # the list has settled
    page.get_by_text(label, exact=True).click()


def choose_scenario(page, name: str) -> None:
    assert name in scenario_names()
    page.get_by_label("Scenario").click(force=True)
    page.locator(".v-menu__content .v-list-item", has_text=name).click()
    page.wait_for_function(f"document.querySelector('.pricelab-clock').innerText.startsWith('{name}')")


def screenshot(page, name: str) -> None:
    """The page from the top of the charts, as a student sees it on opening."""
    page.evaluate("document.querySelectorAll('.pricelab-main, .pricelab-side').forEach(el => el.scrollTo(0, 0))")
    time.sleep(0.5)
    page.screenshot(path=ARTIFACTS / name)


def show(page, selector: str, name: str) -> None:
    """A screenshot with the element at ``selector`` in the middle of the view (clear of the pinned bar)."""
    page.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'center'})")
    time.sleep(0.5)
    page.screenshot(path=ARTIFACTS / name)


def download(page, label: str) -> bytes:
    with page.expect_download() as done:
        page.get_by_role("button", name=label).click()
    return Path(done.value.path()).read_bytes()


def test_dashboard_in_chromium(server, browser_page):
    browser, page, errors = browser_page
    page.get_by_role("button", name="Step").wait_for(timeout=300_000)  # the server may be compiling the engine
    ready = time.perf_counter()
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length == 6", timeout=60_000)
    assert tick(page) == 0

    before = page.evaluate(FINGERPRINTS)
    clicked = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    wait_tick(page, "tick 6 of")
    answered = time.perf_counter()
    print(f"first Step answered {answered - ready:.2f} s after the page was ready ({answered - clicked:.2f} s after "
          f"the click)")
    assert charts_change(page, before), "the charts did not change after Step"
    fps = {"default": play_for_fps(page)}
    paused = tick(page)
    assert paused > 6

    cost = page.get_by_label("cost", exact=True).first
    for text in ("-1", "", "cheap"):
        cost.fill(text)
        cost.press("Enter")
        page.locator(".v-alert", has_text="Not applied:").wait_for()
        page.get_by_text(re.compile(f"{re.escape(repr(text))} not applied .*; in force: 1$")).wait_for()
        assert "Input should" not in page.locator(".v-alert").first.inner_text(), "plain words, not the validator's"
        assert tick(page) >= paused, "bad input must not restart or replace the model"
    below = page.locator(".pricelab-cell-profit").evaluate(BELOW_BAR)
    assert below >= 0, f"a chart scrolled to the top has its title {-below:.0f} px under the bar and its message"
    page.locator(".pricelab-side").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    cost.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "dashboard_refusal.png")
    cost.press("Control+A")
    cost.type("1")  # typed straight after a refusal, into the same field: nothing is lost
    cost.press("Enter")
    page.get_by_text("Restarted at tick 0 because platform: cost changed to 1.").wait_for()
    assert page.get_by_label("cost", exact=True).first.input_value() == "1"

    switch_rule(page, "once a day")
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length == 7", timeout=30_000)
    before = page.evaluate(FINGERPRINTS)
    page.get_by_role("button", name="Step").click()
    assert charts_change(page, before), "the A/B charts did not change after Step"
    charts = options(page, 7, lambda found: all(b_series(c) for c in found))
    for chart in charts:
        assert chart["x"] and all(chart["y"]), f"{chart['title']}: an axis without a title"
        assert chart["grids"] == len(chart["y"]), f"{chart['title']}: one value axis per panel"
    price = next(c for c in charts if c["title"] == "Prices")
    assert "once a day on" in price["series"][0]["marks"], "no marker where the rule went on"
    assert "B: once a day" in [s["name"] for s in price["series"]]
    assert clock(page, ".pricelab-clock-b").startswith(f"B: once a day · tick {tick(page)} of")
    page.get_by_label("chart window").click(force=True)
    page.locator(".v-menu__content .v-list-item", has_text="3 days").click()
    switched = tick(page)
    page.get_by_role("button", name="Skip a day").click()
    wait_tick(page, f"tick {switched + 144} of")
    screenshot(page, "dashboard_1280x800.png")
    show(page, ".pricelab-cell-difference", "dashboard_b_minus_a.png")
    page.get_by_text("Nash, monopoly, Delta, the Buy Box").click()
    page.get_by_text("The questions, and where on this page").click()
    show(page, ".pricelab-screens", "dashboard_screens_glossary.png")
    show(page, ".pricelab-worksheet", "dashboard_worksheet.png")
    page.set_viewport_size(PROJECTOR)
    screenshot(page, "dashboard_1920x1080.png")
    page.set_viewport_size(SMALL)
    fps["a_b"] = play_for_fps(page)
    print(f"browser frames per second: {fps}")

    table = download(page, "Parquet")
    settings = json.loads(pl.read_parquet_metadata(io.BytesIO(table))["pricelab.dashboard"])
    assert [r["name"] for r in settings["rules"]] == ["once_a_day"] and settings["scenario"] == "amazon_10min"
    assert "pricelab.codebook" in pl.read_parquet_metadata(io.BytesIO(table))
    assert tomllib.loads(download(page, "TOML").decode())["rules"][0]["name"] == "once_a_day"
    assert pl.read_csv(io.BytesIO(download(page, "CSV")))["run"].unique().sort().to_list() == ["A", "B"]

    box = page.locator(".pricelab-chart").first.bounding_box()
    with page.expect_download() as saved_png:
        page.mouse.click(box["x"] + box["width"] - 24, box["y"] + 16)
    saved = ARTIFACTS / "chart_price.png"
    saved_png.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    kept = tick(page)
    page.reload()
    page.get_by_role("button", name="Step").wait_for()
    wait_tick(page, f"tick {kept} of")
    assert clock(page, ".pricelab-clock-b").startswith("B: once a day"), "a reload must keep the run"

    choose_scenario(page, "dma_self_preferencing")
    page.get_by_role("button", name="Step").click()
    switch_rule(page, "neutral buybox")
    for _ in range(3):
        page.get_by_role("button", name="Step").click()
    wait_tick(page, "tick 24 of")
    roles = {"platform": "platform", "seller_fr": "retailer", "seller_cn": "retailer", "webshop": "retailer"}

    def third_party_in_b(found):
        buybox = next((c for c in found if c["title"].startswith("Buy Box")), None)
        if buybox is None or len(buybox["series"][0]["data"]) < 24:
            return False
        a, b = (s["data"][6:] for s in buybox["series"][:2])
        names = buybox["yData"]
        return {names[h] for h in a} == {"platform"} and any(roles[names[h]] != "platform" for h in b)
    options(page, 7, third_party_in_b)
    show(page, ".pricelab-cell-featured", "dashboard_dma_neutral_buybox.png")

    assert page.get_by_label("referral fee").count() == 1
    choose_scenario(page, "calvano2020")
    page.get_by_text(re.compile(r"converged after [\d,]+ periods")).wait_for()  # [training]: it starts trained
    assert page.get_by_label("referral fee").count() == 0, "no seller on a platform: no platform terms"
    assert page.get_by_label("ticks per frame").count() == 0 and page.get_by_label("periods per frame").count() == 1
    page.get_by_label("watch them learn from scratch").check(force=True)
    page.wait_for_function("!document.querySelector('.pricelab-clock').innerText.includes('after training')")
    screenshot(page, "dashboard_calvano_side.png")
    switch_rule(page, "price cap monopoly")
    page.get_by_role("button", name="Step").click()
    wait_tick(page, "period 1 of")  # Step runs one period of a repeated game
    page.get_by_role("button", name="Train first").click()
    page.get_by_text(re.compile(r"converged after [\d,]+ periods")).wait_for(timeout=120_000)
    wait_tick(page, "after training (to period")
    page.get_by_text("Force a deviation").first.wait_for()
    assert page.get_by_role("button", name="Train first").count() == 0, "trained: the button goes"
    learning = options(page, 7, lambda found: any(c["title"].startswith("Learning: 1,") for c in found))
    curve = next(c for c in learning if c["title"].startswith("Learning"))
    assert len(curve["series"][0]["data"]) >= 10 and curve["grids"] == 2, "Delta per chunk over training ticks"
    show(page, ".pricelab-cell-learning", "dashboard_calvano_learning.png")
    a_clock, b_clock = clock(page), clock(page, ".pricelab-clock-b")
    assert a_clock.split(" · ", 1)[1] == b_clock.split(" · ", 1)[1], f"A and B apart: {a_clock} | {b_clock}"
    assert tick(page) == 0, "after training the clock counts the trained algorithms' play"
    page.get_by_role("button", name="Step").click()
    wait_tick(page, "period 1 of")
    page.get_by_role("button", name="Force a deviation").click()
    forced = page.get_by_text(re.compile(r"charges [\d.]+ for 1 period"))
    price = float(re.search(r"charges ([\d.]+)", forced.inner_text()).group(1))
    page.get_by_role("button", name="Play").click()
    page.get_by_text(re.compile("Paused \\d+ periods after the deviation")).wait_for()
    charts = options(page, 8, lambda found: any(c["title"].startswith("Around the deviation") for c in found))
    zoom = next(c for c in charts if c["title"].startswith("Around the deviation"))
    assert zoom["x"] == "periods from the deviation"
    firm1 = next(s for s in zoom["series"] if s["id"] == "firm1 · A")
    assert firm1["data"][zoom["xData"].index("+0")] == price, "the zoom draws the forced price at period +0"
    assert tick(page) < 144, "play paused with the response in view"
    show(page, ".pricelab-cell-deviation", "dashboard_calvano_deviation.png")

    shared = browser.new_context().new_page()  # the same run by its link, in another browser
    shared.goto(page.url)
    shared.get_by_role("button", name="Step").wait_for(timeout=120_000)
    kept = tick(page)
    assert tick(shared) == kept and clock(shared).startswith("calvano2020")
    shared.get_by_role("button", name="Step").click()
    wait_tick(page, f"period {kept + 1} of")  # the first page follows the second, live
    shared.close()

    lost = browser.new_context().new_page()
    lost.goto(server + "?run=not-a-kept-run")
    lost.get_by_text("The link's run 'not-a-kept-run' is not kept by this server").wait_for(timeout=120_000)
    assert lost.locator(".pricelab-clock").inner_text().startswith("amazon_10min · tick 0 of")

    lost.get_by_role("button", name="Play").click()  # two sessions playing at once on one server
    page.get_by_role("button", name="Play").click()
    time.sleep(1.0)
    started, first = time.perf_counter(), (tick(lost), tick(page))
    time.sleep(4.0)
    last, seconds = (tick(lost), tick(page)), time.perf_counter() - started
    fps["two_sessions_each"] = [(last[0] - first[0]) / 6 / seconds, (last[1] - first[1]) / 1 / seconds]
    (ARTIFACTS / "dashboard_fps.json").write_text(json.dumps({"frames_per_second": fps, "ticks_per_frame": 6,
                                                              "ready_to_first_step_seconds": answered - ready}))
    print(f"two sessions playing at once, browser frames per second each: {fps['two_sessions_each']}")
    assert clock(page).startswith("calvano2020"), "each browser session has its own model"

    assert errors == []

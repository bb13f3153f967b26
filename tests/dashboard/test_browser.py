"""The dashboard in a real headless Chromium (Debian's ``chromium``; playwright never downloads one).

``pricelab dashboard`` serves the page on a free loopback port; the browser presses Step and
Play, enters bad input, switches a rule, saves a chart as PNG, changes the scenario to a
learning one, trains it first and forces a deviation, and checks that the charts change and
the console shows no errors; a second browser session starts with its own model. Screenshots, the chart PNG,
the measured frames per second and the time from the page being ready to its first Step go to ``tests/artifacts/``.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from experiments.configs import scenario_names

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHARTS = ".pricelab-chart canvas"
FINGERPRINTS = """() => Array.from(document.querySelectorAll('.pricelab-chart canvas')).map(c => {
    const s = c.toDataURL(); let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return h; })"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = ARTIFACTS / "dashboard_server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port)],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(url, process, log_path)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard server did not answer at {url}:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)


@pytest.fixture
def browser_page(server):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        page.set_default_timeout(90_000)  # generous: CI machines are small and may be busy
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server)
        yield browser, page, errors
        browser.close()


def tick(page) -> int:
    return int(re.search(r"tick (\d+) of", page.locator(".pricelab-clock").inner_text()).group(1))


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


def frames_per_second(page, ticks_per_frame: int, seconds: float = 4.0) -> float:
    start, first = time.perf_counter(), tick(page)
    time.sleep(seconds)
    return (tick(page) - first) / ticks_per_frame / (time.perf_counter() - start)


def test_dashboard_in_chromium(server, browser_page):
    browser, page, errors = browser_page
    page.get_by_role("button", name="Step").wait_for(timeout=300_000)  # the server may be compiling the engine
    ready = time.perf_counter()
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length == 6", timeout=60_000)
    assert tick(page) == 0

    before = page.evaluate(FINGERPRINTS)
    clicked = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("document.querySelector('.pricelab-clock').innerText.includes('tick 6 of')")
    answered = time.perf_counter()
    (ARTIFACTS / "dashboard_first_step.json").write_text(json.dumps(
        {"ready_to_first_step_seconds": answered - ready, "click_to_first_step_seconds": answered - clicked}))
    print(f"first Step answered {answered - ready:.2f} s after the page was ready ({answered - clicked:.2f} s after "
          f"the click)")
    assert charts_change(page, before), "the charts did not change after Step"

    page.get_by_role("button", name="Play").click()
    time.sleep(1.0)
    fps = frames_per_second(page, ticks_per_frame=6)
    page.get_by_role("button", name="Pause").click()
    (ARTIFACTS / "dashboard_fps.json").write_text(json.dumps({"frames_per_second": fps, "ticks_per_frame": 6}))
    print(f"browser frames per second: {fps:.1f}")
    paused = tick(page)
    assert paused > 6

    cost = page.get_by_label("cost").first
    for text in ("-1", "", "cheap"):
        cost.fill(text)
        cost.press("Enter")
        page.get_by_text("Not applied").wait_for()
        assert tick(page) >= paused, "bad input must not restart or replace the model"

    page.get_by_text("once a day", exact=True).click()
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length == 8", timeout=30_000)
    time.sleep(0.5)
    before = page.evaluate(FINGERPRINTS)
    page.get_by_role("button", name="Step").click()
    assert charts_change(page, before), "the A/B charts did not change after Step"
    page.screenshot(path=ARTIFACTS / "dashboard_ab.png", full_page=True)

    box = page.locator(".pricelab-chart").first.bounding_box()
    with page.expect_download() as download:
        page.mouse.click(box["x"] + box["width"] - 14, box["y"] + 12)
    saved = ARTIFACTS / "chart_price.png"
    download.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    other = "calvano2020"  # a learning scenario: train first, then force a deviation
    assert other in scenario_names()
    page.get_by_label("Scenario").click(force=True)
    page.locator(".v-menu__content .v-list-item", has_text=other).click()
    page.wait_for_function(f"document.querySelector('.pricelab-clock').innerText.startsWith('{other}')")
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length == 6", timeout=30_000)
    before = page.evaluate(FINGERPRINTS)
    page.get_by_role("button", name="Step").click()
    assert charts_change(page, before), f"the charts of {other} did not change after Step"

    page.get_by_text(re.compile(r"converged after [\d,]+ ticks")).wait_for()  # [training]: it starts trained
    page.get_by_label("watch them learn from scratch").check(force=True)
    page.wait_for_function("!document.querySelector('.pricelab-clock').innerText.includes('after training')")
    page.get_by_role("button", name="Train first").click()
    page.get_by_text(re.compile(r"converged after [\d,]+ ticks")).wait_for(timeout=120_000)
    page.wait_for_function("document.querySelector('.pricelab-clock').innerText.includes('after training (to tick')")
    assert tick(page) == 0, "after training the clock counts the trained algorithms' play"
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("document.querySelector('.pricelab-clock').innerText.includes('tick 6 of')")
    before = page.evaluate(FINGERPRINTS)
    page.get_by_role("button", name="Force a deviation").click()
    page.get_by_text(re.compile(r"charges [\d.]+ for 1 tick")).wait_for()
    page.get_by_role("button", name="Step").click()
    assert charts_change(page, before), "the charts did not show the deviation"
    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    other_session = browser.new_context().new_page()
    other_session.goto(server)
    other_session.get_by_role("button", name="Step").wait_for(timeout=120_000)
    assert other_session.locator(".pricelab-clock").inner_text().startswith("amazon_10min · tick 0 of")
    assert tick(page) == 12, "each browser session has its own model"

    assert errors == []

"""A pricelab web command (``dashboard``, ``classroom``) served on a free loopback port, and Debian's chromium
under Playwright, for the browser tests."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 180) -> bool:
    """Whether ``url`` answers before the server exits; ``False`` if it exited first (a port taken meanwhile), a
    failure if ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return True
        except OSError:
            if process.poll() is not None:
                return False
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer at {url} in {seconds:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    """The server's whole process group: SIGTERM, then SIGKILL after 30 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def served(command: str, log_name: str, tries: int = 3) -> Iterator[str]:
    """``pricelab <command> --port P`` running, its output in ``tests/artifacts/<log_name>``: yields
    ``http://127.0.0.1:P`` once its front page answers, and stops the server (its whole process group) after.

    ``free_port`` releases the port before the server binds it, so another process may take it meanwhile: a
    server that exits before answering is started again on another port, up to ``tries`` times."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / log_name
    for _ in range(tries):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(log_path, "w") as log:
            process = subprocess.Popen([sys.executable, "-m", "experiments.cli", command, "--port", str(port)],
                                       cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if answers(url + "/", process, log_path):
                yield url
                return
        finally:
            stop(process)
    pytest.fail(f"the server exited before answering, {tries} times:\n{log_path.read_text()[-3000:]}")


@contextlib.contextmanager
def chromium():
    """Debian's headless chromium launched by Playwright, closed after; the test is skipped where it is not
    installed (``apt-get install chromium``)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

"""A pricelab web command (``dashboard``, ``classroom``) served on a free loopback port for the browser tests."""

import contextlib
import os
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 180) -> None:
    """Until ``url`` answers; the test fails with the server's log if it exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not answer at {url}:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)


@contextlib.contextmanager
def served(command: str, log_name: str) -> Iterator[str]:
    """``pricelab <command> --port P`` running, its output in ``tests/artifacts/<log_name>``: yields
    ``http://127.0.0.1:P`` once its front page answers, and stops the server (its whole process group) after."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS / log_name
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "experiments.cli", command, "--port", str(port)],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(url + "/", process, log_path)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

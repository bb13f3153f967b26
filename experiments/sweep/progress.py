"""A sweep's progress: a bar on a terminal, a line on stderr every few seconds elsewhere (logs, batch jobs),
and when the first result arrived."""

import sys
import threading
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

PROGRESS_S = 5.0


class Progress:
    """Counts the outcomes of a sweep and when the first arrived; shown by ``Bar`` or ``Lines``."""

    def __init__(self, name: str, total: int):
        self.name, self.total = name, total
        self.count = 0
        self.first_s: float | None = None
        self._started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def advance(self, _outcome=None) -> None:
        self.count += 1
        if self.first_s is None:
            self.first_s = self.elapsed()


class Bar(Progress):
    """A progress bar on a terminal (rich)."""

    def __init__(self, name: str, total: int, console: Console):
        super().__init__(name, total)
        self._bar = RichProgress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), "ETA", TimeRemainingColumn(), console=console)
        self._task = self._bar.add_task(name, total=total)

    def __enter__(self) -> "Bar":
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def advance(self, _outcome=None) -> None:
        super().advance()
        self._bar.advance(self._task)


class Lines(Progress):
    """Progress for logs and batch jobs (stderr is not a terminal): a line on stderr every ``every_s`` seconds."""

    def __init__(self, name: str, total: int, every_s: float = PROGRESS_S):
        super().__init__(name, total)
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._report, name="progress", daemon=True)

    def __enter__(self) -> "Lines":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _report(self) -> None:
        while not self._stop.wait(self.every_s):
            print(f"pricelab: {self.name}: {self.count}/{self.total} runs in {self.elapsed():.0f} s",
                  file=sys.stderr, flush=True)


def progress_display(name: str, total: int) -> Progress:
    """A bar where stderr is a terminal, else a line every few seconds."""
    console = Console(stderr=True)
    return Bar(name, total, console) if console.is_terminal else Lines(name, total)

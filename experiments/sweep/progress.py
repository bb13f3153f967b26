"""Progress of long work (a sweep's runs, a comparison's seeds, a run's ticks): a bar with the time left on a
terminal, a line on stderr every few seconds elsewhere (logs, batch jobs) with the time left too, and when the
first result arrived."""

import sys
import threading
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

PROGRESS_S = 5.0


class Progress:
    """Counts the outcomes of a sweep and when the first arrived; shown by ``Bar`` or ``Lines``."""

    def __init__(self, name: str, total: int, unit: str = "runs", clock=time.monotonic):
        self.name, self.total, self.unit = name, total, unit
        self.count = 0
        self.first_s: float | None = None
        self._clock = clock
        self._started = clock()

    def elapsed(self) -> float:
        return self._clock() - self._started

    def advance(self, _outcome=None) -> None:
        self.add(1)

    def add(self, amount: int) -> None:
        """``amount`` more done."""
        self.count += amount
        if self.first_s is None:
            self.first_s = self.elapsed()

    def left_s(self) -> float | None:
        """Seconds left at the pace so far (None before anything is done)."""
        return self.elapsed() / self.count * (self.total - self.count) if self.count else None

    def describe(self, name: str) -> None:
        """Say what runs now (a comparison's firms re-tuning after its seeds)."""
        self.name = name


class Bar(Progress):
    """A progress bar on a terminal (rich)."""

    def __init__(self, name: str, total: int, console: Console, unit: str = "runs"):
        super().__init__(name, total, unit)
        self._bar = RichProgress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), "ETA", TimeRemainingColumn(), console=console)
        self._task = self._bar.add_task(name, total=total)

    def __enter__(self) -> "Bar":
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def add(self, amount: int) -> None:
        super().add(amount)
        self._bar.advance(self._task, amount)

    def describe(self, name: str) -> None:
        super().describe(name)
        self._bar.update(self._task, description=name)


class Lines(Progress):
    """Progress for logs and batch jobs (stderr is not a terminal): a line on stderr every ``every_s`` seconds."""

    def __init__(self, name: str, total: int, every_s: float = PROGRESS_S, unit: str = "runs", clock=time.monotonic):
        super().__init__(name, total, unit, clock)
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
            self.report()

    def report(self) -> None:
        """Print where the work stands: done of total, seconds so far and, once something is done, the time left."""
        left = self.left_s()
        eta = "" if left is None else f", about {duration(left)} left"
        print(f"pricelab: {self.name}: {self.count:,}/{self.total:,} {self.unit} in {self.elapsed():.0f} s{eta}",
              file=sys.stderr, flush=True)


def duration(seconds: float) -> str:
    """``42 s``, ``12 min``, ``3.5 h``, ``12 days`` or ``3.2e+06 years``."""
    for limit, size, unit, fmt in ((120, 1, "s", ".0f"), (7200, 60, "min", ".0f"), (172800, 3600, "h", ".1f"),
                                   (3.2e7, 86400, "days", ".0f")):
        if seconds < limit:
            return f"{seconds / size:{fmt}} {unit}"
    return f"{seconds / 3.156e7:.3g} years"


def progress_display(name: str, total: int, unit: str = "runs") -> Progress:
    """A bar where stderr is a terminal, else a line every few seconds; both with the time left."""
    console = Console(stderr=True)
    return Bar(name, total, console, unit) if console.is_terminal else Lines(name, total, unit=unit)

"""Play waits for the browser's paint report (one frame may be in flight), never for a page that has not reported.

The waits run on a clock that only their own sleeps move (``Clock``): what is asserted is the time the pacer
chose to wait, exactly, whatever the machine's load."""

import asyncio

from dashboard import pacer


class Clock:
    """Time that passes only when slept: each ``sleep(s)`` moves ``now`` by ``s`` and yields to the event loop."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def waited(widget, frame_seconds: float = 0.0, browser=None) -> float:
    """Seconds ``wait_for_paint`` waits for a frame begun at 0 (``browser(clock)``: a coroutine run beside it)."""
    clock = Clock()

    async def both():
        await asyncio.gather(pacer.wait_for_paint(widget, 0.0, frame_seconds, clock, clock.sleep),
                             *([browser(clock)] if browser else []))
    asyncio.run(both())
    return clock.now


def behind(frames: int) -> pacer.Pacer:
    """A page that has painted frame 1 while the server has drawn ``frames`` more."""
    widget = pacer.Pacer()
    widget.vue_report(1)
    widget.frame = 1 + frames
    return widget


def test_a_page_that_never_reported_is_not_waited_for():
    widget = pacer.Pacer()
    widget.frame = 5
    assert waited(widget) == 0.0 and waited(None) == 0.0


def test_the_frame_period_is_kept():
    assert waited(None, frame_seconds=0.1) == 0.1


def test_one_frame_in_flight_is_not_waited_for():
    assert waited(behind(pacer.IN_FLIGHT)) == 0.0


def test_play_waits_until_the_browser_is_at_most_in_flight_frames_behind():
    widget = behind(pacer.IN_FLIGHT + 1)

    async def paint_at_0_2(clock):
        for _ in range(100_000):  # bounded: a pacer that stopped waiting early leaves the clock short of 0.2
            if clock() >= 0.2:
                break
            await asyncio.sleep(0)
        widget.vue_report(2)
    assert 0.2 <= waited(widget, browser=paint_at_0_2) < 0.2 + 2 * pacer.POLL_SECONDS


def test_a_browser_that_stops_reporting_is_waited_for_at_most_the_timeout():
    assert pacer.PAINT_TIMEOUT <= waited(behind(pacer.IN_FLIGHT + 1)) < pacer.PAINT_TIMEOUT + 2 * pacer.POLL_SECONDS

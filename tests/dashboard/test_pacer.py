"""Play waits for the browser's paint report (one frame may be in flight), never for a page that has not reported."""

import asyncio
import time

from dashboard import pacer


def elapsed(widget, frame_seconds: float = 0.0) -> float:
    started = time.perf_counter()
    asyncio.run(pacer.wait_for_paint(widget, started, frame_seconds))
    return time.perf_counter() - started


def test_a_page_that_never_reported_is_not_waited_for():
    widget = pacer.Pacer()
    widget.frame = 5
    assert elapsed(widget) < 0.1 and elapsed(None) < 0.1


def test_the_frame_period_is_kept():
    assert 0.09 < elapsed(None, frame_seconds=0.1) < 0.5


def test_one_frame_in_flight_is_not_waited_for():
    widget = pacer.Pacer()
    widget.vue_report(1)
    widget.frame = 1 + pacer.IN_FLIGHT
    assert elapsed(widget) < 0.1


def test_play_waits_until_the_browser_is_at_most_in_flight_frames_behind():
    widget = pacer.Pacer()
    widget.vue_report(1)
    widget.frame = 2 + pacer.IN_FLIGHT

    async def paint_later():
        await asyncio.sleep(0.2)
        widget.vue_report(2)

    async def both():
        started = time.perf_counter()
        await asyncio.gather(pacer.wait_for_paint(widget, started, 0.0), paint_later())
        return time.perf_counter() - started
    assert 0.2 <= asyncio.run(both()) < pacer.PAINT_TIMEOUT


def test_a_browser_that_stops_reporting_is_waited_for_at_most_the_timeout():
    widget = pacer.Pacer()
    widget.vue_report(1)
    widget.frame = 2 + pacer.IN_FLIGHT
    assert pacer.PAINT_TIMEOUT <= elapsed(widget) < pacer.PAINT_TIMEOUT + 0.5

"""Play at the browser's pace: the page reports each frame it has painted, and play waits for it.

Without this, a server that draws frames faster than a (slow, busy) browser paints them
queues frames in the websocket, and the page falls further and further behind the model
(Pause then takes effect seconds late). ``Pacer`` is an invisible widget: the server raises
``frame`` after drawing; the browser answers with ``painted`` at its next animation frame.
Play lets one frame be in flight, so the round trip overlaps the next frame's drawing.
A page that has never answered (no browser, or rendering in a test) is not waited for.
"""

import asyncio
import time

import ipyvue
import traitlets

PAINT_TIMEOUT = 1.0
POLL_SECONDS = 0.005
IN_FLIGHT = 1  # frames drawn but not yet painted: one, so the browser paints frame n while the server draws n + 1


class Pacer(ipyvue.VueTemplate):
    """``frame``: the latest frame drawn; ``painted``: the latest frame the browser has painted."""

    template = traitlets.Unicode("""
<template><span class="pricelab-pacer"></span></template>
<script>
module.exports = {
  watch: {
    frame(value) { requestAnimationFrame(() => this.report(value)); },
  },
}
</script>
""").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    painted = traitlets.Int(0)

    def vue_report(self, frame) -> None:
        self.painted = max(self.painted, int(frame))


async def wait_for_paint(pacer: Pacer | None, started: float, frame_seconds: float, clock=time.perf_counter,
                         sleep=asyncio.sleep) -> None:
    """Sleep out the rest of the frame period, then wait (up to ``PAINT_TIMEOUT``) until the browser is at most
    ``IN_FLIGHT`` frames behind. ``started``: when the frame began, on ``clock``; ``sleep``: an awaitable sleep
    (a test passes a clock that only its sleep moves)."""
    await sleep(max(0.0, frame_seconds - (clock() - started)))
    deadline = started + PAINT_TIMEOUT
    while pacer is not None and 0 < pacer.painted < pacer.frame - IN_FLIGHT and clock() < deadline:
        await sleep(POLL_SECONDS)

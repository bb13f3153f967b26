"""Runs kept across a reload: each page's ``Lab`` under a random id that the page writes into its address.

The page's address becomes ``/?run=<id>`` (``Address``: an invisible widget that rewrites the
browser's address in place, without navigating); a reload sends the id back and ``open_run``
returns the same ``Lab``, at the tick where it was, with its rules and changes. A page opened
without an id (a new tab, another browser) gets a new run. The server keeps the ``MAX_RUNS``
runs used last; a restarted server has forgotten them: a link to a run it does not keep opens a
new run that says so (``NOT_KEPT``), never silently. Two pages on one id (a shared link) show one
run, and each follows what the other does (``dashboard.app``: by ``Lab.layout`` and ``Lab.revision``).
"""

import secrets
import threading
from collections import OrderedDict
from urllib.parse import parse_qs

import ipyvue
import traitlets

from dashboard.lab import Lab

MAX_RUNS = 32
NOT_KEPT = ("The link's run {run!r} is not kept by this server (it restarted, or kept only the {limit} runs used "
            "last): this is a new run, with its own link.")
PARAM = "run"
_RUNS: OrderedDict[str, Lab] = OrderedDict()
_LOCK = threading.Lock()


def run_id(search: str | None) -> str | None:
    """The run id in an address' query string (``run=...``), if any."""
    found = parse_qs(search or "").get(PARAM)
    return found[0] if found else None


def open_run(search: str | None) -> tuple[str, Lab]:
    """The run named in the query string while the server keeps it; else a new run under a new id."""
    wanted = run_id(search)
    with _LOCK:
        if wanted in _RUNS:
            _RUNS.move_to_end(wanted)
            return wanted, _RUNS[wanted]
    lab, key = Lab(), secrets.token_urlsafe(12)
    if wanted:
        lab.message = NOT_KEPT.format(run=wanted, limit=MAX_RUNS) + (" " + lab.message if lab.message else "")
    with _LOCK:
        _RUNS[key] = lab
        while len(_RUNS) > MAX_RUNS:
            _RUNS.popitem(last=False)
    return key, lab


class Address(ipyvue.VueTemplate):
    """Puts ``run=<run>`` into the browser's address (``history.replaceState``: no navigation, no reload)."""

    template = traitlets.Unicode("""
<template><span class="pricelab-address"></span></template>
<script>
module.exports = {
  mounted() { this.write(); },
  watch: { run() { this.write(); } },
  methods: {
    write() {
      const url = new URL(window.location.href);
      url.searchParams.set("run", this.run);
      window.history.replaceState(window.history.state, "", url);
    },
  },
}
</script>
""").tag(sync=True)
    run = traitlets.Unicode("").tag(sync=True)

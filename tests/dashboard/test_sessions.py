"""Runs kept across a reload: the address' run id finds the same Lab; others get a new one; old ones are dropped."""

from dashboard import sessions


def test_a_reload_with_the_run_id_finds_the_same_run_and_a_new_page_gets_its_own(monkeypatch):
    monkeypatch.setattr(sessions, "_RUNS", type(sessions._RUNS)())
    key, lab = sessions.open_run(None)
    lab.step(7)
    again, same = sessions.open_run(f"run={key}&x=1")
    assert again == key and same is lab and same.played == 7
    other, fresh = sessions.open_run("run=unknown")
    assert other != key and fresh is not lab and fresh.played == 0


def test_the_server_keeps_the_runs_used_last(monkeypatch):
    monkeypatch.setattr(sessions, "_RUNS", type(sessions._RUNS)())
    monkeypatch.setattr(sessions, "MAX_RUNS", 2)
    first, _ = sessions.open_run(None)
    second, _ = sessions.open_run(None)
    sessions.open_run(f"run={first}")  # used again: now the latest
    sessions.open_run(None)
    assert first in sessions._RUNS and second not in sessions._RUNS and len(sessions._RUNS) == 2


def test_an_unknown_run_id_opens_a_new_run_that_says_so(monkeypatch):
    monkeypatch.setattr(sessions, "_RUNS", type(sessions._RUNS)())
    key, lab = sessions.open_run("run=gone-after-a-restart")
    assert key != "gone-after-a-restart"
    assert lab.message.startswith("The link's run 'gone-after-a-restart' is not kept by this server")
    _, fresh = sessions.open_run(None)
    assert "not kept" not in fresh.message, "a page opened without a link has nothing to explain"


def test_two_pages_on_one_run_see_its_layout_and_revision_move(monkeypatch):
    monkeypatch.setattr(sessions, "_RUNS", type(sessions._RUNS)())
    key, lab = sessions.open_run(None)
    layout, revision = lab.layout, lab.revision
    _, shared = sessions.open_run(f"run={key}")
    shared.step(6)  # the second page steps: the first sees a new revision and draws
    assert lab.revision == revision + 1 and lab.layout == layout
    assert shared.set_rule("once_a_day", True)  # the second page switches a rule: the first lays out again
    assert lab.layout == layout + 1
    assert not shared.set_value("seed", "x") and lab.layout == layout + 1, "a refusal changes nothing to follow"

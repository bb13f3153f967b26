"""The server's warm-up: the page says the engine is being prepared until the default market has run once."""

import asyncio

import ipyvuetify as v
import pytest
import solara

from dashboard import app, warmup
from dashboard.chart import Chart


@pytest.fixture
def pending(monkeypatch):
    """A warm-up that has started and is not finished."""
    monkeypatch.setattr(warmup, "_STARTED", warmup.threading.Event())
    monkeypatch.setattr(warmup, "_READY", warmup.threading.Event())
    warmup._STARTED.set()


def test_without_a_warm_up_the_engine_is_ready_and_compiles_on_demand():
    assert warmup.ready()


def test_the_page_says_it_prepares_the_engine_then_shows_the_market(pending):
    async def session():
        rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]
        assert app.PREPARING in str(rc.find(v.Alert).widget.children) and not rc.find(Chart).widgets
        warmup.warm([warmup.DEFAULT_SCENARIO])
        for _ in range(200):
            if rc.find(Chart).widgets:
                break
            await asyncio.sleep(0.05)
        alerts = " ".join(str(alert.children) for alert in rc.find(v.Alert).widgets)
        assert len(rc.find(Chart).widgets) == 6 and app.PREPARING not in alerts
    asyncio.run(session())


def test_the_server_asks_for_the_warm_up(monkeypatch):
    from experiments.commands import dashboard

    monkeypatch.delenv(warmup.ENV_VAR, raising=False)
    assert not warmup.requested()
    monkeypatch.setenv(warmup.ENV_VAR, dashboard.server_env()[dashboard.WARM_UP_VAR])
    assert warmup.requested() and dashboard.WARM_UP_VAR == warmup.ENV_VAR

"""``/readyz`` and ``/metrics``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings
from tests.api.conftest import Operator
from tests.store.helpers import T0


@pytest.fixture
async def unmigrated_client(
    empty_database_url: str,
) -> AsyncIterator[httpx.AsyncClient]:
    """An app on an empty database that it was told not to migrate."""
    app = create_app(Settings(database_url=empty_database_url, migrate_on_start=False))

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t"
        ) as client:
            yield client


async def test_ready_when_migrated(operator: Operator) -> None:
    """A reachable database at the newest migration is ready."""
    response = await operator.client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["database"] in {"sqlite", "postgresql"}


async def test_not_ready_while_migrations_are_pending(
    unmigrated_client: httpx.AsyncClient,
) -> None:
    """An unmigrated database answers 503 with the command that fixes it."""
    response = await unmigrated_client.get("/readyz")

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "migrations_pending"
    assert "snsreceiver db upgrade" in error["message"]


async def test_not_ready_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    """A database that cannot be reached answers 503 store_unavailable."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'store.db'}"
    app = create_app(Settings(database_url=url, migrate_on_start=False))

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t"
        ) as client:
            response = await client.get("/readyz")
    await settle_sqlite_workers()

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"


async def settle_sqlite_workers() -> None:
    """Waits for the worker threads of failed aiosqlite connections to end.

    aiosqlite stops the thread of a connection that failed to open without
    awaiting it; if the event loop closes first, the thread raises in a later
    test. Joining it while this test's loop still runs avoids that.
    """
    for thread in threading.enumerate():
        if thread.name.endswith("(_connection_worker_thread)"):
            await asyncio.to_thread(thread.join, 5)


async def test_metrics_count_suppressions_by_reason(operator: Operator) -> None:
    """The scrape reports suppressed addresses per reason, zero included."""
    await operator.bounce("one@example.com", T0)
    await operator.bounce("two@example.com", T0)
    await operator.complain("three@example.com", T0)

    response = await operator.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    assert 'snsreceiver_suppressions{reason="bounce"} 2.0' in lines
    assert 'snsreceiver_suppressions{reason="complaint"} 1.0' in lines
    assert 'snsreceiver_suppressions{reason="manual"} 0.0' in lines


async def test_metrics_follow_a_lift(operator: Operator) -> None:
    """Counts are read at each scrape, so a lifted suppression drops out."""
    await operator.bounce("one@example.com", T0)
    await operator.store.unsuppress("one@example.com", note="fixed", actor="test")

    response = await operator.client.get("/metrics")

    assert 'snsreceiver_suppressions{reason="bounce"} 0.0' in response.text


async def test_metrics_reuse_a_recent_count(operator: Operator) -> None:
    """Within SNSRECEIVER_METRICS_COUNT_INTERVAL a scrape reuses the last count."""
    await operator.bounce("one@example.com", T0)
    first = await operator.client.get("/metrics")
    await operator.bounce("two@example.com", T0)

    second = await operator.client.get("/metrics")

    assert 'snsreceiver_suppressions{reason="bounce"} 1.0' in first.text
    assert 'snsreceiver_suppressions{reason="bounce"} 1.0' in second.text


async def test_metrics_include_the_webhook_figures(operator: Operator) -> None:
    """Certificate cache counters and the message metrics are exported too."""
    response = await operator.client.get("/metrics")

    for name in (
        "snsreceiver_certificate_cache_hits_total",
        "snsreceiver_certificate_cache_misses_total",
        "snsreceiver_certificate_fetches_total",
        "# HELP snsreceiver_messages_total",
        "# HELP snsreceiver_rejections_total",
        "# HELP snsreceiver_handler_seconds",
    ):
        assert name in response.text, name

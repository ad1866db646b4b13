"""The liveness endpoint."""

from __future__ import annotations

from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings


async def test_healthz_answers_ok(tmp_path: Path) -> None:
    """/healthz needs no token and answers ok while the process serves."""
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/s.db"))

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t"
        ) as client:
            response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

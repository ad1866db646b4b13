"""The byte cap on operator API request bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings
from snsreceiver.store import Store

LIMIT = 2048


@pytest.fixture
async def capped(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The app with a 2 KiB operator body cap, a client and a read token."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.db'}",
        max_api_body_bytes=LIMIT,
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        store: Store = app.state.services.store
        token = await store.create_token("reader", "read")
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            yield client, token


def check_body(count: int) -> bytes:
    return json.dumps(
        {"emails": [f"someone{i:05d}@example.com" for i in range(count)]}
    ).encode()


async def test_a_declared_length_over_the_cap_is_refused_first(
    capped: tuple[httpx.AsyncClient, str],
) -> None:
    """Past the cap the answer is 413, before the token is even looked at."""
    client, _ = capped
    body = check_body(200)
    assert len(body) > LIMIT

    response = await client.post(
        "/v1/suppressions/check",
        content=body,
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert str(LIMIT) in response.json()["error"]["message"]


async def test_a_streamed_body_is_cut_off_at_the_cap(
    capped: tuple[httpx.AsyncClient, str],
) -> None:
    """Without a Content-Length the bytes are counted as they arrive."""
    client, token = capped

    async def chunks() -> AsyncIterator[bytes]:
        body = check_body(200)
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    response = await client.post(
        "/v1/suppressions/check",
        content=chunks(),
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {token}",
        },
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_a_body_within_the_cap_reaches_the_endpoint(
    capped: tuple[httpx.AsyncClient, str],
) -> None:
    """Below the cap the body arrives whole, streamed or not."""
    client, token = capped
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {token}",
    }
    body = check_body(20)

    async def chunks() -> AsyncIterator[bytes]:
        yield body[:100]
        yield body[100:]

    plain = await client.post("/v1/suppressions/check", content=body, headers=headers)
    streamed = await client.post(
        "/v1/suppressions/check", content=chunks(), headers=headers
    )

    assert plain.status_code == streamed.status_code == 200
    assert len(plain.json()["results"]) == len(streamed.json()["results"]) == 20


async def test_the_webhook_keeps_its_own_cap(
    capped: tuple[httpx.AsyncClient, str],
) -> None:
    """A webhook body above the operator cap is judged by the webhook itself."""
    client, _ = capped
    body = b'{"Type": "Notification", "padding": "' + b"x" * (LIMIT * 2) + b'"}'

    response = await client.post("/sns", content=body)

    assert response.status_code != 413
    assert response.json()["error"]["code"] != "body_too_large"

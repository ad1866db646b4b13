"""An app on a fresh store, driven through httpx, for the HTTP tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.api.services import Services
from snsreceiver.settings import Settings
from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN, TestSigner

CONFIRMATION_RESPONSE = (
    b"<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>"
    b"arn:aws:sns:us-east-1:123456789012:ses-feedback:1</SubscriptionArn>"
    b"</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>"
)


@dataclass
class AwsDouble:
    """Stands in for AWS on the app's HTTP client and records every request.

    SubscribeURL visits are answered with ``confirm_status``; anything else
    (certificate fetches included, since the test certificate is pinned) is
    answered with ``other_status``. Every answer waits ``delay`` seconds first.
    """

    confirm_status: int = 200
    other_status: int = 404
    delay: float = 0.0
    requests: list[httpx.Request] = field(default_factory=list)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        if request.url.params.get("Action") == "ConfirmSubscription":
            return httpx.Response(self.confirm_status, content=CONFIRMATION_RESPONSE)
        return httpx.Response(self.other_status)


@dataclass
class Webhook:
    """A running app, its AWS double and the signer its messages come from."""

    client: httpx.AsyncClient
    services: Services
    aws: AwsDouble
    signer: TestSigner

    async def post(
        self, body: bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """Posts ``body`` as SNS does: text/plain with SNS's headers."""
        sent = {"content-type": "text/plain; charset=UTF-8", **(headers or {})}
        return await self.client.post("/sns", content=body, headers=sent)

    def notification(self, ses_document: str, **fields: Any) -> bytes:
        return self.signer.envelope(message=ses_document, **fields)


WebhookFactory = Callable[..., Any]


@pytest.fixture
def webhook_settings(
    database_url: str, pinned_cert_dir: Path
) -> Callable[..., Settings]:
    """Settings for a webhook test: the test topic allowed, its cert pinned."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "cert_dir": pinned_cert_dir,
            "topic_arns": (DEFAULT_TOPIC_ARN,),
        }
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
async def start_webhook(
    webhook_settings: Callable[..., Settings], test_signer: TestSigner
) -> AsyncIterator[Callable[..., Any]]:
    """Starts an app with the given setting overrides; all are stopped at the end."""
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []

    async def start(aws: AwsDouble | None = None, **overrides: Any) -> Webhook:
        aws = aws or AwsDouble()
        http = httpx.AsyncClient(transport=httpx.MockTransport(aws.handle))
        app = create_app(webhook_settings(**overrides), http_client=http)
        manager = LifespanManager(app)
        await manager.__aenter__()
        managers.append(manager)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="https://sns.test"
        )
        clients.append(client)
        clients.append(http)
        return Webhook(client, app.state.services, aws, test_signer)

    yield start

    for client in clients:
        await client.aclose()
    for manager in reversed(managers):
        await manager.__aexit__(None, None, None)


@pytest.fixture
async def webhook(start_webhook: Callable[..., Any]) -> Webhook:
    """The webhook with default settings, on SQLite and on PostgreSQL."""
    started: Webhook = await start_webhook()
    return started

"""An app on a fresh store, driven through httpx, for the HTTP tests.

``webhook`` drives the SNS endpoint; ``operator`` the operator API, with a read
and a write token. Both run once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.api.services import Services
from snsreceiver.settings import Settings
from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN, TestSigner
from snsreceiver.store import Store
from snsreceiver.suppression.policy import SuppressionPolicy
from tests.store.helpers import bounce, complaint, message

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


POLICY = SuppressionPolicy.from_settings(Settings())


@dataclass
class Operator:
    """An HTTP client on the app, the app's own store, and two tokens.

    Feedback is applied with the real suppression policy, as the webhook does.
    """

    client: httpx.AsyncClient
    store: Store
    read_token: str
    write_token: str

    @property
    def reader(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.read_token}"}

    @property
    def writer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.write_token}"}

    async def bounce(self, email: str, at: datetime) -> None:
        """Records a permanent bounce for ``email``, which suppresses it."""
        await self.store.ingest(
            message(), [bounce(email, at=at)], POLICY, outcome="accepted"
        )

    async def bounce_many(self, bounces: Iterable[tuple[str, datetime]]) -> None:
        """Records a permanent bounce for each address, in one SNS message."""
        records = [bounce(email, at=at) for email, at in bounces]
        await self.store.ingest(message(), records, POLICY, outcome="accepted")

    async def complain(self, email: str, at: datetime) -> None:
        """Records a complaint about ``email``, which suppresses it."""
        await self.store.ingest(
            message(), [complaint(email, at=at)], POLICY, outcome="accepted"
        )


@pytest.fixture
async def operator(database_url: str) -> AsyncIterator[Operator]:
    """The app serving on an empty, migrated database, with tokens reader/writer."""
    app = create_app(Settings(database_url=database_url))

    async with LifespanManager(app) as manager:
        store: Store = app.state.services.store
        read_token = await store.create_token("reader", "read")
        write_token = await store.create_token("writer", "write")
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            yield Operator(client, store, read_token, write_token)

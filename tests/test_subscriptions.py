"""Confirming SNS subscriptions later, when confirmation is set to manual."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from snsreceiver.errors import CertificateUrlRefused, InvalidRequest
from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN
from snsreceiver.store import IncomingMessage, Store
from snsreceiver.subscriptions import (
    SubscriptionConfirmFailed,
    SubscriptionConfirmRefused,
    confirm_pending,
)

SUBSCRIBE_URL = (
    "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
    f"&TopicArn={DEFAULT_TOPIC_ARN}&Token=abc"
)


class Aws:
    """Answers every request with ``status`` and keeps the requests."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    def client(self) -> httpx.AsyncClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return httpx.Response(self.status)

        return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def record(
    store: Store, *, status: str = "pending", subscribe_url: str = SUBSCRIBE_URL
) -> None:
    message = IncomingMessage(
        message_id=f"confirmation-{status}-{len(subscribe_url)}",
        type="SubscriptionConfirmation",
        topic_arn=DEFAULT_TOPIC_ARN,
        sent_at=datetime(2026, 12, 1, tzinfo=UTC),
        raw="{}",
    )
    await store.record_subscription(
        message, subscribe_url=subscribe_url, token="abc", status=status
    )


async def test_a_pending_subscription_is_confirmed_by_one_visit(
    fresh_store: Store,
) -> None:
    """confirm_pending GETs the stored SubscribeURL and marks it confirmed."""
    await record(fresh_store)
    aws = Aws()

    async with aws.client() as client:
        await confirm_pending(fresh_store, DEFAULT_TOPIC_ARN, client, fetch_timeout=1)

    [visit] = aws.requests
    assert str(visit.url) == SUBSCRIBE_URL
    [subscription] = await fresh_store.list_subscriptions()
    assert subscription.status == "confirmed"


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (500, SubscriptionConfirmFailed, "subscription_confirm_failed"),
        (403, SubscriptionConfirmRefused, "subscription_confirm_refused"),
    ],
)
async def test_a_failed_visit_leaves_the_subscription_pending(
    fresh_store: Store, status: int, error: type[Exception], code: str
) -> None:
    """AWS not confirming raises with a code and keeps the subscription pending."""
    await record(fresh_store)

    async with Aws(status).client() as client:
        with pytest.raises(error) as caught:
            await confirm_pending(
                fresh_store, DEFAULT_TOPIC_ARN, client, fetch_timeout=1
            )

    assert getattr(caught.value, "code", None) == code
    [subscription] = await fresh_store.list_subscriptions()
    assert subscription.status == "pending"


async def test_unknown_and_confirmed_topics_are_refused_without_a_request(
    fresh_store: Store,
) -> None:
    """Nothing recorded, or nothing pending, is an error naming the reason."""
    aws = Aws()
    async with aws.client() as client:
        with pytest.raises(InvalidRequest) as unknown:
            await confirm_pending(
                fresh_store, DEFAULT_TOPIC_ARN, client, fetch_timeout=1
            )
        await record(fresh_store, status="confirmed")
        with pytest.raises(InvalidRequest) as done:
            await confirm_pending(
                fresh_store, DEFAULT_TOPIC_ARN, client, fetch_timeout=1
            )

    assert unknown.value.code == "subscription_not_found"
    assert done.value.code == "subscription_not_pending"
    assert aws.requests == []


async def test_a_stored_url_off_the_allow_list_is_never_visited(
    fresh_store: Store,
) -> None:
    """The allow-list is applied again before a stored URL is visited."""
    await record(fresh_store, subscribe_url=SUBSCRIBE_URL.replace(".com/", ".co/"))
    aws = Aws()

    async with aws.client() as client:
        with pytest.raises(CertificateUrlRefused):
            await confirm_pending(
                fresh_store, DEFAULT_TOPIC_ARN, client, fetch_timeout=1
            )

    assert aws.requests == []

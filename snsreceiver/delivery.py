"""What happens to one SNS delivery once its bytes have arrived.

:class:`DeliveryHandler` verifies the message and acts on it according to its type:
it confirms or records subscriptions, and turns SES feedback in notifications into
suppression decisions committed by the store. The webhook wraps it with HTTP
concerns (body cap, status codes, logging), and ``snsreceiver replay
--in-process`` calls it directly, so both take exactly the same path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from snsreceiver.ses.feedback import parse_feedback
from snsreceiver.settings import Settings
from snsreceiver.sns.message import SnsMessage
from snsreceiver.sns.verifier import MessageVerifier
from snsreceiver.store import IncomingMessage, Store
from snsreceiver.subscriptions import visit_subscribe_url
from snsreceiver.suppression.policy import SuppressionPolicy


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """How one delivery ended, for the HTTP answer and the delivery log.

    ``outcome`` is one of ``accepted`` (committed now), ``duplicate`` (committed
    by an earlier delivery; nothing changed), ``ignored`` (a verified message that
    carries no SES feedback, recorded and acknowledged), ``confirmed`` /
    ``pending`` (a subscription confirmed or left for an operator) and
    ``unsubscribed``.
    """

    message: SnsMessage
    outcome: str
    actions: tuple[str, ...] = ()


class DeliveryHandler:
    """Verifies SNS messages and applies them to the store, exactly once."""

    def __init__(
        self,
        settings: Settings,
        verifier: MessageVerifier,
        store: Store,
        policy: SuppressionPolicy,
        http_client: httpx.AsyncClient,
    ) -> None:
        self._settings = settings
        self._verifier = verifier
        self._store = store
        self._policy = policy
        self._http = http_client

    async def handle(
        self,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        at: datetime | None = None,
    ) -> DeliveryResult:
        """Verifies ``body`` and acts on it; raises the error tree on failure."""
        message = await self._verifier.verify(body, headers, at=at)

        if message.type == "Notification":
            return await self._take_notification(message)
        if message.type == "SubscriptionConfirmation":
            return await self._take_subscription(message)
        return await self._take_unsubscribe(message)

    async def _take_notification(self, message: SnsMessage) -> DeliveryResult:
        document = parse_feedback(message.message)
        outcome = "accepted" if document.is_feedback else "ignored"

        result = await self._store.ingest(
            _incoming(message), document.records, self._policy, outcome=outcome
        )

        if result.duplicate:
            return DeliveryResult(message, "duplicate")
        return DeliveryResult(message, outcome, tuple(result.actions))

    async def _take_subscription(self, message: SnsMessage) -> DeliveryResult:
        # The verifier has already held SubscribeURL to the allow-list.
        subscribe_url = message.subscribe_url or ""

        if await self._store.has_message(message.message_id):
            return DeliveryResult(message, "duplicate")

        status = "pending"
        if self._settings.subscription_confirmation == "auto":
            await visit_subscribe_url(
                self._http,
                subscribe_url,
                fetch_timeout=self._settings.cert_fetch_timeout,
            )
            status = "confirmed"

        recorded = await self._store.record_subscription(
            _incoming(message),
            subscribe_url=subscribe_url,
            token=message.token,
            status=status,
        )
        return DeliveryResult(message, status if recorded else "duplicate")

    async def _take_unsubscribe(self, message: SnsMessage) -> DeliveryResult:
        recorded = await self._store.record_subscription(
            _incoming(message),
            subscribe_url=None,
            token=message.token,
            status="unsubscribed",
        )
        return DeliveryResult(message, "unsubscribed" if recorded else "duplicate")


def _incoming(message: SnsMessage) -> IncomingMessage:
    return IncomingMessage(
        message_id=message.message_id,
        type=message.type,
        topic_arn=message.topic_arn,
        sent_at=message.timestamp,
        raw=message.raw.decode("utf-8"),
        subject=message.subject,
    )

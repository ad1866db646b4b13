"""Confirming SNS subscriptions, at once or when an operator says so.

SNS starts every HTTPS subscription with a SubscriptionConfirmation carrying a
SubscribeURL; visiting it confirms the subscription. With
``SNSRECEIVER_SUBSCRIPTION_CONFIRMATION=auto`` the webhook visits it while
handling the message; with ``manual`` it is stored, and
:func:`confirm_pending` visits it later (``snsreceiver subscriptions confirm``).
Either way the URL has passed :func:`~snsreceiver.sns.urls.check_subscribe_url`
first, redirects are never followed, and ``UnsubscribeURL`` is never visited.
SNS keeps a confirmation token valid for three days.
"""

from __future__ import annotations

import httpx

from snsreceiver.errors import InvalidRequest, MessageRejected, TemporaryFailure
from snsreceiver.sns.urls import check_subscribe_url
from snsreceiver.store import Store


class SubscriptionConfirmFailed(TemporaryFailure):
    default_code = "subscription_confirm_failed"


class SubscriptionConfirmRefused(MessageRejected):
    default_code = "subscription_confirm_refused"


async def visit_subscribe_url(
    client: httpx.AsyncClient, subscribe_url: str, *, fetch_timeout: float
) -> None:
    """GETs an allow-listed SubscribeURL once; raises unless AWS answers 2xx."""
    try:
        response = await client.get(
            subscribe_url, follow_redirects=False, timeout=fetch_timeout
        )
    except httpx.HTTPError as exc:
        raise SubscriptionConfirmFailed(
            f"Confirming the subscription failed: {type(exc).__name__}; "
            "a later attempt may succeed."
        ) from exc

    if response.is_success:
        return
    if response.is_client_error:
        raise SubscriptionConfirmRefused(
            f"AWS refused the subscription confirmation with HTTP "
            f"{response.status_code}; the token may have expired."
        )
    raise SubscriptionConfirmFailed(
        f"AWS answered the subscription confirmation with HTTP "
        f"{response.status_code}; a later attempt may succeed."
    )


async def confirm_pending(
    store: Store, topic_arn: str, client: httpx.AsyncClient, *, fetch_timeout: float
) -> None:
    """Confirms the stored, pending subscription of ``topic_arn``.

    Raises InvalidRequest when the topic has no pending subscription, and the
    errors of :func:`visit_subscribe_url` when AWS does not confirm it.
    """
    subscription = next(
        (s for s in await store.list_subscriptions() if s.topic_arn == topic_arn),
        None,
    )
    if subscription is None:
        raise InvalidRequest(
            f"No subscription is recorded for {topic_arn}; SNS sends a "
            "SubscriptionConfirmation when the subscription is created.",
            code="subscription_not_found",
        )
    if subscription.status != "pending" or subscription.subscribe_url is None:
        raise InvalidRequest(
            f"The subscription of {topic_arn} is {subscription.status}, not "
            "pending; there is nothing to confirm.",
            code="subscription_not_pending",
        )

    check_subscribe_url(subscription.subscribe_url, topic_arn)
    await visit_subscribe_url(
        client, subscription.subscribe_url, fetch_timeout=fetch_timeout
    )
    await store.mark_subscription(topic_arn, "confirmed")

"""``subscriptions list|confirm``: the SNS subscriptions the webhook has seen.

With ``SNSRECEIVER_SUBSCRIPTION_CONFIRMATION=manual`` the webhook records each
SubscriptionConfirmation as pending; ``subscriptions confirm TOPIC_ARN`` then
visits its SubscribeURL, after the same allow-list check the webhook applies.
"""

from __future__ import annotations

from typing import Annotated

import httpx
import typer

from snsreceiver.cli.runner import run_with_store
from snsreceiver.settings import Settings
from snsreceiver.store import Store, SubscriptionInfo
from snsreceiver.subscriptions import confirm_pending

app = typer.Typer(
    help="List and confirm the SNS subscriptions of the webhook.",
    no_args_is_help=True,
)


@app.command("list")
def list_subscriptions() -> None:
    """List each topic's subscription and its state.

    Example: snsreceiver subscriptions list
    """

    async def work(store: Store, settings: Settings) -> list[SubscriptionInfo]:
        return await store.list_subscriptions()

    subscriptions = run_with_store(work)
    if not subscriptions:
        typer.echo("No subscription recorded yet.")
        return

    typer.echo(f"{'STATUS':<13} {'SINCE':<26} TOPIC")
    for subscription in subscriptions:
        since = subscription.updated_at.isoformat(timespec="seconds")
        typer.echo(f"{subscription.status:<13} {since:<26} {subscription.topic_arn}")


@app.command("confirm")
def confirm(
    topic_arn: Annotated[
        str, typer.Argument(help="The ARN of the topic whose subscription waits.")
    ],
) -> None:
    """Confirm a pending subscription by visiting its SubscribeURL.

    Example: snsreceiver subscriptions confirm
    arn:aws:sns:eu-west-1:123456789012:ses-feedback
    """

    async def work(store: Store, settings: Settings) -> None:
        async with httpx.AsyncClient(follow_redirects=False) as client:
            await confirm_pending(
                store, topic_arn, client, fetch_timeout=settings.cert_fetch_timeout
            )

    run_with_store(work)
    typer.echo(f"Confirmed the subscription of {topic_arn}.")

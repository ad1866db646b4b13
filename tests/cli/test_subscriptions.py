"""The ``subscriptions`` commands, run for real against a fresh database."""

from __future__ import annotations

from datetime import UTC, datetime

from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN
from snsreceiver.store import IncomingMessage, Store
from tests.cli.conftest import Cli


async def _pending(store: Store) -> None:
    await store.record_subscription(
        IncomingMessage(
            message_id="m-1",
            type="SubscriptionConfirmation",
            topic_arn=DEFAULT_TOPIC_ARN,
            sent_at=datetime(2026, 12, 1, tzinfo=UTC),
            raw="{}",
        ),
        subscribe_url="https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        token="t",
        status="pending",
    )


def test_list_shows_each_topic_and_its_state(cli: Cli) -> None:
    """A recorded pending subscription is listed with its topic."""
    cli.with_store(_pending)

    result = cli("subscriptions", "list")

    assert result.exit_code == 0
    assert "pending" in result.output
    assert DEFAULT_TOPIC_ARN in result.output


def test_list_says_when_there_is_none(cli: Cli) -> None:
    """An empty store says no subscription is recorded."""
    result = cli("subscriptions", "list")

    assert result.exit_code == 0
    assert result.output.strip() == "No subscription recorded yet."


def test_confirming_an_unknown_topic_is_one_error_line(cli: Cli) -> None:
    """Confirming a topic never seen ends with one error line and exit 1."""
    result = cli("subscriptions", "confirm", DEFAULT_TOPIC_ARN)

    assert result.exit_code == 1
    assert result.output.startswith("error: No subscription is recorded for")
    assert len(result.output.strip().splitlines()) == 1

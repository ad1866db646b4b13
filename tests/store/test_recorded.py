"""Selecting stored SNS messages to export them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from snsreceiver.store import Store
from snsreceiver.store.recorded import MessageSelection, Touch
from tests.fixtures.helpers import SYNTHETIC, ingest

BOUNCE = SYNTHETIC / "notification" / "bounce-permanent.json"
DELIVERY = SYNTHETIC / "notification" / "delivery.json"
CONFIRMATION = SYNTHETIC / "subscription" / "confirmation.json"


async def _three_messages(store: Store) -> None:
    await ingest(store, BOUNCE.read_bytes())
    await ingest(store, DELIVERY.read_bytes())
    await ingest(store, CONFIRMATION.read_bytes(), outcome="pending")


class TestSelectMessages:
    async def test_everything_oldest_first_with_raw_bytes(
        self, fresh_store: Store
    ) -> None:
        """No criteria: every message, in sending order, its body unchanged."""
        await _three_messages(fresh_store)

        messages = await fresh_store.select_messages(MessageSelection())

        assert [message.raw.encode() for message in messages] == [
            BOUNCE.read_bytes(),
            DELIVERY.read_bytes(),
            CONFIRMATION.read_bytes(),
        ]
        assert [message.outcome for message in messages] == [
            "accepted",
            "accepted",
            "pending",
        ]

    async def test_history_written_by_each_message_comes_along(
        self, fresh_store: Store
    ) -> None:
        """A bounce carries the suppression it wrote."""
        await _three_messages(fresh_store)

        bounce = (await fresh_store.select_messages(MessageSelection()))[0]

        assert bounce.touches == (
            Touch(
                "jane+notification-bounce-permanent@example.com", "suppressed", "bounce"
            ),
        )

    async def test_type_and_time_range_narrow_the_choice(
        self, fresh_store: Store
    ) -> None:
        """Type matches exactly; since is inclusive and until exclusive."""
        await _three_messages(fresh_store)
        messages = await fresh_store.select_messages(MessageSelection())
        first, second, third = (message.sent_at for message in messages)

        by_type = await fresh_store.select_messages(
            MessageSelection(type="SubscriptionConfirmation")
        )
        by_time = await fresh_store.select_messages(
            MessageSelection(since=second, until=third)
        )

        assert [message.sent_at for message in by_type] == [third]
        assert [message.sent_at for message in by_time] == [second]
        assert first < second

    async def test_address_finds_touched_and_mentioned_messages(
        self, fresh_store: Store
    ) -> None:
        """An address matches what it was suppressed by and where it appears."""
        await _three_messages(fresh_store)

        bounced = await fresh_store.select_messages(
            MessageSelection(address="JANE+notification-bounce-permanent@example.com")
        )
        only_mentioned = await fresh_store.select_messages(
            MessageSelection(address="mary+notification-bounce-permanent@example.com")
        )
        nobody = await fresh_store.select_messages(
            MessageSelection(address="nobody@example.com")
        )

        assert [message.message_id for message in bounced] == [
            message.message_id for message in only_mentioned
        ]
        assert len(bounced) == 1
        assert nobody == []

    async def test_limit_keeps_the_oldest(self, fresh_store: Store) -> None:
        """A limit cuts the list after the oldest messages."""
        await _three_messages(fresh_store)

        messages = await fresh_store.select_messages(MessageSelection(), limit=1)

        assert len(messages) == 1
        assert messages[0].sent_at < datetime(2027, 1, 1, tzinfo=UTC)


class TestIterSelected:
    async def test_batches_join_up_in_order(self, fresh_store: Store) -> None:
        """Small batches give the same messages in the same order as one read."""
        await _three_messages(fresh_store)

        whole = await fresh_store.select_messages(MessageSelection())
        batched = [
            message
            async for message in fresh_store.iter_selected(
                MessageSelection(), batch_size=1
            )
        ]

        assert batched == whole
        assert len(batched) == 3


class TestIndexes:
    async def test_each_batch_reads_through_an_index(self, fresh_store: Store) -> None:
        """Batches follow the Timestamp index, and their history the message index.

        Without them every batch sorted every message and scanned all history.
        """
        await _three_messages(fresh_store)
        statements = await _statements_of(
            fresh_store, fresh_store.iter_selected(MessageSelection(), batch_size=1)
        )

        messages = [plan for sql, plan in statements if "FROM sns_messages" in sql]
        touches = [plan for sql, plan in statements if "FROM history" in sql]

        assert len(messages) == 4  # three messages, then the empty last batch
        assert len(touches) == 3
        assert all("ix_sns_messages_sent_at_message_id" in plan for plan in messages)
        assert all("ix_history_sns_message_id" in plan for plan in touches)


async def _statements_of(
    store: Store, rows: AsyncIterator[object]
) -> list[tuple[str, str]]:
    """Each SELECT that consuming ``rows`` runs, with the plan the database makes.

    PostgreSQL reads tables this small from end to end however good the indexes
    are, so its plans are asked for with sequential scans priced out.
    """
    captured: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    engine = store.engine
    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async for _ in rows:
            pass
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)

    postgres = engine.dialect.name == "postgresql"
    explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
    planned = []
    async with engine.connect() as connection:
        if postgres:
            await connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in captured:
            result = await connection.exec_driver_sql(
                f"{explain} {statement}", parameters
            )
            plan = "\n".join(str(row[-1]) for row in result)
            planned.append((statement, plan))
    return planned

"""The table descriptions, and their agreement with the migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncEngine

from snsreceiver.store.schema import metadata, sns_messages


async def test_migrations_match_the_tables(engine: AsyncEngine) -> None:
    """The migrated database has exactly the tables, columns and indexes described."""

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_timestamps_come_back_aware_in_utc(engine: AsyncEngine) -> None:
    """A timestamp written with any offset reads back as the same instant in UTC."""
    written = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))

    async with engine.begin() as connection:
        await connection.execute(
            sns_messages.insert().values(
                message_id="m",
                type="Notification",
                topic_arn="arn",
                sent_at=written,
                received_at=written,
                raw="{}",
                outcome="ok",
            )
        )
        read = await connection.scalar(select(sns_messages.c.sent_at))

    assert read == written
    assert read.tzinfo == UTC
    assert read.hour == 10


async def test_naive_timestamps_are_refused(engine: AsyncEngine) -> None:
    """A naive datetime cannot reach the store, so no local time is ever stored."""
    with pytest.raises(Exception, match="naive datetime"):
        async with engine.begin() as connection:
            await connection.execute(
                sns_messages.insert().values(
                    message_id="m",
                    type="Notification",
                    topic_arn="arn",
                    sent_at=datetime(2026, 3, 1),  # noqa: DTZ001
                    received_at=datetime.now(UTC),
                    raw="{}",
                    outcome="ok",
                )
            )

"""Reading back the verified SNS messages the store keeps, to export them.

Every verified message is stored with its raw body, so that a production
incident can become a fixture. :class:`RecordedMessageStore` selects them by
time, type and address, oldest first, with the history entries each one wrote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from snsreceiver.ses.records import normalise_email
from snsreceiver.store.base import StoreBase
from snsreceiver.store.schema import history, sns_messages


@dataclass(frozen=True, slots=True)
class MessageSelection:
    """Which stored messages to read; None leaves a criterion out.

    ``since`` is inclusive and ``until`` exclusive, both on the message's own
    Timestamp. ``address`` matches messages whose effects touched the address or
    whose body mentions it.
    """

    since: datetime | None = None
    until: datetime | None = None
    type: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Touch:
    """One history entry a message wrote for one address."""

    email: str
    action: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class RecordedMessage:
    """A stored SNS message, its raw body and what it did."""

    message_id: str
    type: str
    topic_arn: str
    sent_at: datetime
    received_at: datetime
    raw: str
    outcome: str
    touches: tuple[Touch, ...] = ()


class RecordedMessageStore(StoreBase):
    async def iter_selected(
        self, selection: MessageSelection, *, batch_size: int = 500
    ) -> AsyncIterator[RecordedMessage]:
        """The chosen messages, oldest first, each with its history entries.

        Read in keyset batches, so an export of any length keeps memory flat and
        holds no transaction open while the caller writes files.
        """
        key = tuple_(sns_messages.c.sent_at, sns_messages.c.message_id)
        after: tuple[datetime, str] | None = None
        while True:
            query = _selection_query(selection).limit(batch_size)
            if after is not None:
                query = query.where(key > after)
            async with self._read() as connection:
                rows = (await connection.execute(query)).all()
                touches = (
                    await _touches(connection, [row.message_id for row in rows])
                    if rows
                    else {}
                )

            for row in rows:
                yield _recorded(row, touches.get(row.message_id, ()))
            if len(rows) < batch_size:
                return
            after = (rows[-1].sent_at, rows[-1].message_id)

    async def select_messages(
        self, selection: MessageSelection, *, limit: int | None = None
    ) -> list[RecordedMessage]:
        """The first ``limit`` chosen messages (all without one), oldest first."""
        messages: list[RecordedMessage] = []
        async for message in self.iter_selected(selection):
            messages.append(message)
            if limit is not None and len(messages) >= limit:
                break
        return messages


async def _touches(
    connection: AsyncConnection, message_ids: list[str]
) -> dict[str, list[Touch]]:
    """The history entries each of ``message_ids`` wrote, in writing order."""
    rows = await connection.execute(
        select(
            history.c.sns_message_id,
            history.c.email,
            history.c.action,
            history.c.reason,
        )
        .where(history.c.sns_message_id.in_(message_ids))
        .order_by(history.c.id)
    )
    by_message: dict[str, list[Touch]] = {}
    for row in rows:
        by_message.setdefault(row.sns_message_id, []).append(
            Touch(row.email, row.action, row.reason)
        )
    return by_message


def _selection_query(selection: MessageSelection) -> Select[Any]:
    query = select(sns_messages).order_by(
        sns_messages.c.sent_at, sns_messages.c.message_id
    )
    if selection.since is not None:
        query = query.where(sns_messages.c.sent_at >= selection.since)
    if selection.until is not None:
        query = query.where(sns_messages.c.sent_at < selection.until)
    if selection.type is not None:
        query = query.where(sns_messages.c.type == selection.type)
    if selection.address is not None:
        email = normalise_email(selection.address)
        touched = select(history.c.sns_message_id).where(history.c.email == email)
        query = query.where(
            or_(
                sns_messages.c.message_id.in_(touched),
                func.lower(sns_messages.c.raw).contains(email, autoescape=True),
            )
        )
    return query


def _recorded(row: Row[Any], touches: Sequence[Touch]) -> RecordedMessage:
    return RecordedMessage(
        message_id=row.message_id,
        type=row.type,
        topic_arn=row.topic_arn,
        sent_at=row.sent_at,
        received_at=row.received_at,
        raw=row.raw,
        outcome=row.outcome,
        touches=tuple(touches),
    )

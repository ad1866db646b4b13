"""Writing verified SNS messages and their effects, exactly once.

A delivery is acknowledged only after the message row and every effect of it are
committed in one transaction. The message row's primary key makes a redelivered
MessageId a no-op, and ``feedback_seen`` makes an SES event that arrives twice
(for instance once in each dialect) count once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from snsreceiver.ses.records import FeedbackKind, FeedbackRecord
from snsreceiver.store.base import (
    SYSTEM_ACTOR,
    StoreBase,
    append_history,
    insert_ignoring_conflicts,
    lock_state,
    write_state,
)
from snsreceiver.store.models import (
    IncomingMessage,
    IngestResult,
    Policy,
    StoredMessage,
    SubscriptionInfo,
)
from snsreceiver.store.schema import (
    feedback_seen,
    signups,
    sns_messages,
    subscriptions,
)

logger = logging.getLogger(__name__)


class IngestStore(StoreBase):
    """The webhook's side of the store."""

    async def ingest(
        self,
        message: IncomingMessage,
        records: Sequence[FeedbackRecord],
        policy: Policy,
        *,
        outcome: str,
    ) -> IngestResult:
        """Stores ``message`` and applies each record's decision, all or nothing.

        A MessageId already stored gives ``IngestResult(duplicate=True)`` and
        changes nothing. Records are applied in address order (see _by_address),
        so ``actions`` follows that order. If the policy or the database fails,
        nothing of this message is kept and the error propagates, so SNS
        delivers it again.
        """
        async with self._write() as connection:
            now = self._now()
            if not await _insert_message(connection, message, outcome, now):
                return IngestResult(duplicate=True)

            applied, skipped, actions = 0, 0, []
            for record in sorted(records, key=_by_address):
                if not await _first_sighting(
                    connection, record, message.message_id, now
                ):
                    skipped += 1
                    continue
                action = await _apply(
                    connection, record, policy, message.message_id, now
                )
                applied += 1
                if action is not None:
                    actions.append(action)

        return IngestResult(
            duplicate=False,
            records_applied=applied,
            records_skipped=skipped,
            actions=actions,
        )

    async def record_subscription(
        self,
        message: IncomingMessage,
        *,
        subscribe_url: str | None,
        token: str | None,
        status: str,
    ) -> bool:
        """Stores a (un)subscription confirmation message and the topic's state.

        Returns False, changing nothing, when the MessageId was already stored.
        """
        async with self._write() as connection:
            now = self._now()
            if not await _insert_message(connection, message, status, now):
                return False

            values = {
                "status": status,
                "subscribe_url": subscribe_url,
                "token": token,
                "sns_message_id": message.message_id,
                "updated_at": now,
            }
            inserted = await connection.execute(
                insert_ignoring_conflicts(connection, subscriptions)
                .values(topic_arn=message.topic_arn, created_at=now, **values)
                .returning(subscriptions.c.topic_arn)
            )
            if inserted.first() is None:
                await connection.execute(
                    subscriptions.update()
                    .where(subscriptions.c.topic_arn == message.topic_arn)
                    .values(**values)
                )
        return True

    async def has_message(self, message_id: str) -> bool:
        """Whether a message with this MessageId is already stored."""
        async with self._read() as connection:
            found = await connection.scalar(
                select(sns_messages.c.message_id).where(
                    sns_messages.c.message_id == message_id
                )
            )
        return found is not None

    async def mark_subscription(self, topic_arn: str, status: str) -> None:
        """Sets the state of a topic's subscription, for instance once confirmed."""
        async with self._write() as connection:
            await connection.execute(
                subscriptions.update()
                .where(subscriptions.c.topic_arn == topic_arn)
                .values(status=status, updated_at=self._now())
            )

    async def iter_messages(
        self, *, since: datetime | None = None, batch_size: int = 500
    ) -> AsyncIterator[StoredMessage]:
        """Every stored SNS message received at or after ``since``, oldest first.

        Read in keyset batches, so a replay or export of any length keeps memory
        flat and holds no transaction open between batches.
        """
        key = tuple_(sns_messages.c.received_at, sns_messages.c.message_id)
        after: tuple[datetime, str] | None = None
        while True:
            query = select(sns_messages).order_by(*key.clauses).limit(batch_size)
            if since is not None:
                query = query.where(sns_messages.c.received_at >= since)
            if after is not None:
                query = query.where(key > after)
            async with self._read() as connection:
                batch = [
                    _stored_message(row) for row in await connection.execute(query)
                ]

            for stored in batch:
                yield stored
            if len(batch) < batch_size:
                return
            after = (batch[-1].received_at, batch[-1].message_id)

    async def list_subscriptions(self) -> list[SubscriptionInfo]:
        """Every topic's recorded subscription, by topic ARN."""
        query = select(
            subscriptions.c.topic_arn,
            subscriptions.c.status,
            subscriptions.c.subscribe_url,
            subscriptions.c.created_at,
            subscriptions.c.updated_at,
        ).order_by(subscriptions.c.topic_arn)
        async with self._read() as connection:
            rows = (await connection.execute(query)).all()
        return [
            SubscriptionInfo(
                topic_arn=row.topic_arn,
                status=row.status,
                subscribe_url=row.subscribe_url,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            for row in rows
        ]

    async def get_subscription_status(self, topic_arn: str) -> str | None:
        """The recorded state of a topic's subscription, or None if never seen."""
        async with self._read() as connection:
            status = await connection.scalar(
                select(subscriptions.c.status).where(
                    subscriptions.c.topic_arn == topic_arn
                )
            )
        return None if status is None else str(status)


def _stored_message(row: Any) -> StoredMessage:
    return StoredMessage(
        message_id=row.message_id,
        type=row.type,
        topic_arn=row.topic_arn,
        subject=row.subject,
        sent_at=row.sent_at,
        received_at=row.received_at,
        raw=row.raw,
        outcome=row.outcome,
    )


def _by_address(record: FeedbackRecord) -> str:
    """Locks are taken in address order, so two messages never deadlock.

    The sort is stable: records for one address keep their order.
    """
    return record.email


async def _insert_message(
    connection: AsyncConnection, message: IncomingMessage, outcome: str, now: datetime
) -> bool:
    """Inserts the message row; False when its MessageId is already stored."""
    inserted = await connection.execute(
        insert_ignoring_conflicts(connection, sns_messages)
        .values(
            message_id=message.message_id,
            type=message.type,
            topic_arn=message.topic_arn,
            subject=message.subject,
            sent_at=message.sent_at,
            received_at=now,
            raw=message.raw,
            outcome=outcome,
        )
        .returning(sns_messages.c.message_id)
    )
    return inserted.first() is not None


async def _first_sighting(
    connection: AsyncConnection,
    record: FeedbackRecord,
    sns_message_id: str,
    now: datetime,
) -> bool:
    """Remembers the record's SES event; False when it was seen before."""
    inserted = await connection.execute(
        insert_ignoring_conflicts(connection, feedback_seen)
        .values(dedup_key=record.dedup_key, sns_message_id=sns_message_id, seen_at=now)
        .returning(feedback_seen.c.dedup_key)
    )
    return inserted.first() is not None


async def _apply(
    connection: AsyncConnection,
    record: FeedbackRecord,
    policy: Policy,
    sns_message_id: str,
    now: datetime,
) -> str | None:
    """Asks the policy about one record under the address lock; writes its answer."""
    if record.kind is FeedbackKind.COMPLAINT:
        # A complaint may mark the signup unsubscribed. Its signup row is locked
        # before the suppression row, as signup writes lock it before the
        # mailability row their trigger writes, so the two never wait on each
        # other in a circle.
        await connection.execute(
            select(signups.c.email)
            .where(signups.c.email == record.email)
            .with_for_update()
        )
    state = await lock_state(connection, record.email, now)
    decision = policy.decide(state, record, sns_message_id=sns_message_id)

    await write_state(connection, record.email, decision.state, now)
    if decision.action is not None:
        reason = decision.state.reason
        await append_history(
            connection,
            email=record.email,
            at=now,
            action=decision.action,
            reason=str(reason) if reason else None,
            actor=SYSTEM_ACTOR,
            evidence=decision.evidence,
            sns_message_id=sns_message_id,
        )
    if decision.unsubscribe_signup:
        await connection.execute(
            signups.update()
            .where(signups.c.email == record.email, signups.c.status != "unsubscribed")
            .values(status="unsubscribed", updated_at=now)
        )
    return decision.action

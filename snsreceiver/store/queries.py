"""Reading suppressions: one address, a filtered page, a full export, a bulk check.

Listing pages by keyset on ``(since, email)``, which an index covers, so a page
deep into a million rows costs the same as the first, and rows added while an
operator pages never shift or repeat the ones already seen.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from snsreceiver.errors import InvalidRequest
from snsreceiver.moments import as_utc
from snsreceiver.ses.records import normalise_email
from snsreceiver.store.base import StoreBase, among, state_from_row
from snsreceiver.store.direct import DirectQuery
from snsreceiver.store.engine import unavailable_on_driver_error
from snsreceiver.store.models import (
    AddressStatus,
    CheckResult,
    HistoryEntry,
    Page,
    SignupInfo,
    SuppressionRow,
)
from snsreceiver.store.schema import history, mailability, signups, suppressions
from snsreceiver.suppression.state import SuppressionState

MAX_PAGE_SIZE: Final = 1000
EXPORT_BATCH_SIZE: Final = 1000


class QueryStore(StoreBase):
    """The operators' read side of the store."""

    async def get_status(self, email: str) -> AddressStatus:
        """Everything known about ``email``; a never-seen address is not suppressed."""
        email = normalise_email(email)
        async with self._read() as connection:
            row = (
                await connection.execute(
                    select(suppressions).where(suppressions.c.email == email)
                )
            ).first()
            signup = await fetch_signup(connection, email)
            entries = await _fetch_history(connection, email)

        state = SuppressionState(email) if row is None else state_from_row(row._mapping)
        return AddressStatus(
            email=email,
            suppressed=state.suppressed,
            reason=str(state.reason) if state.reason else None,
            since=state.since,
            first_event_at=state.first_event_at,
            last_event_at=state.last_event_at,
            soft_bounce_days=state.soft_bounce_days,
            ses_suppressed=state.ses_suppressed,
            signup=signup,
            history=entries,
        )

    async def list_suppressions(
        self,
        *,
        reason: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page:
        """One page of suppressed addresses, oldest suppression first.

        ``since`` is inclusive and ``until`` exclusive, both on the time the
        address was suppressed; a bound without an offset is taken as UTC. Pass
        a page's ``next_cursor`` back with the same filters for the next page.
        Raises InvalidRequest (``invalid_cursor``, ``invalid_limit``) for a
        cursor this store did not make or a bad limit.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidRequest(
                f"limit {limit} is outside 1 to {MAX_PAGE_SIZE}", code="invalid_limit"
            )
        after = decode_cursor(cursor) if cursor is not None else None

        query = _suppressed_query(reason, since, until, after).limit(limit + 1)
        async with self._read() as connection:
            rows = [_suppression_row(row) for row in await connection.execute(query)]

        if len(rows) <= limit:
            return Page(items=rows, next_cursor=None)
        items = rows[:limit]
        return Page(items=items, next_cursor=encode_cursor(items[-1]))

    async def iter_suppressions(
        self,
        *,
        reason: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        batch_size: int = EXPORT_BATCH_SIZE,
    ) -> AsyncIterator[SuppressionRow]:
        """Every matching suppressed address, fetched in keyset batches.

        Memory stays flat however many rows match, and no transaction is held
        open between batches, so an export never blocks the webhook.
        """
        after: tuple[datetime, str] | None = None
        while True:
            query = _suppressed_query(reason, since, until, after).limit(batch_size)
            async with self._read() as connection:
                batch = [
                    _suppression_row(row) for row in await connection.execute(query)
                ]

            for row in batch:
                yield row
            if len(batch) < batch_size:
                return
            after = (batch[-1].since, batch[-1].email)

    async def count_suppressions(self) -> dict[str, int]:
        """How many addresses are suppressed, by reason, for the metrics."""
        query = (
            select(suppressions.c.reason, func.count())
            .where(suppressions.c.suppressed.is_(True))
            .group_by(suppressions.c.reason)
        )
        async with self._read() as connection:
            rows = await connection.execute(query)
            return {str(reason): int(count) for reason, count in rows}

    async def check(self, emails: Sequence[str]) -> list[CheckResult]:
        """Answers for each address, in the order given, whether it is suppressed.

        Duplicates are answered each time. However many addresses are asked,
        this is one query that looks the distinct addresses up in
        ``mailability``, the table the database keeps with each known address's
        answer, so each address costs one search of one primary key that holds
        every column of the answer. Only the addresses the store knows come
        back; the others are answered here.

        The query runs on the driver itself (see :mod:`snsreceiver.store.direct`):
        at a thousand addresses SQLAlchemy's cursor and type handling cost about
        as much as the database's own work (docs/benchmarks.md).
        """
        wanted = [normalise_email(email) for email in emails]
        unique = sorted(set(wanted))

        listed = (
            unique if self._reader.dialect.name == "postgresql" else json.dumps(unique)
        )
        with unavailable_on_driver_error():
            rows = await CHECK_QUERY.fetch(self._reader, listed)
        known = _answers(rows, CHECK_QUERY.moment(self._reader))

        # An address the store does not know may be mailed.
        return [
            known.get(email) or CheckResult(email, False, None, None, False, None)
            for email in wanted
        ]


# The answers of the addresses the store knows; its one value is the list, an
# array on PostgreSQL and JSON text on SQLite (see among).
CHECK_QUERY = DirectQuery(
    lambda connection: select(
        mailability.c.email,
        mailability.c.suppressed,
        mailability.c.reason,
        mailability.c.since,
        mailability.c.ses_suppressed,
        mailability.c.signup_status,
    ).where(among(connection, mailability.c.email, []))
)


async def fetch_signup(connection: AsyncConnection, email: str) -> SignupInfo | None:
    """The signup row of ``email``, or None."""
    row = (
        await connection.execute(select(signups).where(signups.c.email == email))
    ).first()
    if row is None:
        return None
    return SignupInfo(
        email=row.email,
        status=row.status,
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _fetch_history(connection: AsyncConnection, email: str) -> list[HistoryEntry]:
    rows = await connection.execute(
        select(history).where(history.c.email == email).order_by(history.c.id)
    )
    return [
        HistoryEntry(
            id=row.id,
            at=row.at,
            action=row.action,
            reason=row.reason,
            actor=row.actor,
            note=row.note,
            evidence=dict(row.evidence),
            sns_message_id=row.sns_message_id,
        )
        for row in rows
    ]


def _suppressed_query(
    reason: str | None,
    since: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None,
) -> Select[Any]:
    """Suppressed rows matching the filters, after a keyset position, in key order."""
    since, until = as_utc(since), as_utc(until)
    # since IS NOT NULL is implied by suppressed; saying it lets SQLite, which
    # sorts NULLs first, seek past the never-suppressed rows in the index.
    query = select(suppressions).where(
        suppressions.c.suppressed.is_(True), suppressions.c.since.is_not(None)
    )
    if reason is not None:
        query = query.where(suppressions.c.reason == reason)
    if since is not None:
        query = query.where(suppressions.c.since >= since)
    if until is not None:
        query = query.where(suppressions.c.since < until)
    if after is not None:
        query = query.where(tuple_(suppressions.c.since, suppressions.c.email) > after)
    return query.order_by(suppressions.c.since, suppressions.c.email)


def _suppression_row(row: Any) -> SuppressionRow:
    return SuppressionRow(
        email=row.email,
        reason=row.reason,
        since=row.since,
        first_event_at=row.first_event_at,
        last_event_at=row.last_event_at,
        soft_bounce_count=len(row.soft_bounce_days),
        ses_suppressed=bool(row.ses_suppressed),
    )


def _answers(
    rows: Iterable[Sequence[Any]], moment: Callable[[Any], datetime]
) -> dict[str, CheckResult]:
    """The check's answers by address, from rows of ``mailability``.

    ``moment`` reads the driver's value of ``since``.
    """
    return {
        email: CheckResult(email, True, reason, moment(since), bool(ses), status)
        if suppressed
        else CheckResult(email, False, None, None, bool(ses), status)
        for email, suppressed, reason, since, ses, status in rows
    }


def encode_cursor(row: SuppressionRow) -> str:
    """An opaque token for the position just after ``row``."""
    payload = json.dumps([row.since.isoformat(), row.email]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The keyset position inside a cursor; InvalidRequest if it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        since, email = json.loads(base64.urlsafe_b64decode(padded))
        position = datetime.fromisoformat(since)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InvalidRequest(
            "the cursor is not one this service handed out", code="invalid_cursor"
        ) from exc
    if position.tzinfo is None or not isinstance(email, str):
        raise InvalidRequest(
            "the cursor is not one this service handed out", code="invalid_cursor"
        )
    return position, email

"""What every part of the store shares: transactions, upserts and the state row.

Each public store method runs in exactly one transaction opened here, inside the
driver-error boundary of :func:`~snsreceiver.store.engine.unavailable_on_driver_error`.
The suppression row of an address is always read through :func:`lock_state`, which
holds the row (PostgreSQL) or the database write lock (SQLite) until commit, so two
deliveries for one address never overwrite each other's changes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from snsreceiver.store.engine import reader, unavailable_on_driver_error
from snsreceiver.store.schema import history, suppressions
from snsreceiver.suppression.state import Reason, SuppressionState

Clock = Callable[[], datetime]

SYSTEM_ACTOR = "sns"


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """Holds the engine and opens transactions; the store's parts build on it."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self._reader = reader(engine)
        self._clock = clock

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that may write; commits when the block ends cleanly."""
        with unavailable_on_driver_error():
            async with self.engine.begin() as connection:
                yield connection

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that only reads and never waits for a writer."""
        with unavailable_on_driver_error():
            async with self._reader.begin() as connection:
                yield connection

    def _now(self) -> datetime:
        return self._clock()


def insert_ignoring_conflicts(connection: AsyncConnection, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def upsert(
    connection: AsyncConnection, table: Table, key: str, updated: Sequence[str]
) -> Any:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` of the ``updated`` columns."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: statement.excluded[name] for name in updated},
    )


def among(
    connection: AsyncConnection, column: ColumnElement[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """``column IN values`` bound as one parameter, however many values there are.

    A plain IN list binds one parameter per value, which SQLite caps and which
    costs SQLAlchemy time per value; an array (PostgreSQL) or a JSON list read
    by ``json_each`` (SQLite) keeps a check of thousands of addresses one query.
    """
    if connection.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=postgresql.ARRAY(String()))
        return column == any_(array)
    listed = func.json_each(bindparam(None, json.dumps(list(values)), type_=String()))
    return column.in_(select(literal_column("value")).select_from(listed))


async def lock_state(
    connection: AsyncConnection, email: str, now: datetime
) -> SuppressionState:
    """Loads the address's state, creating its row, and holds it until commit.

    The row is created first with ``ON CONFLICT DO NOTHING`` so that there is
    always a row to lock with ``SELECT ... FOR UPDATE``; SQLite renders no FOR
    UPDATE and relies on the write lock its ``BEGIN IMMEDIATE`` already holds.
    """
    await connection.execute(
        insert_ignoring_conflicts(connection, suppressions).values(
            email=email,
            suppressed=False,
            soft_bounce_days=[],
            ses_suppressed=False,
            updated_at=now,
        )
    )
    row = (
        await connection.execute(
            select(suppressions).where(suppressions.c.email == email).with_for_update()
        )
    ).one()
    return state_from_row(row._mapping)


def state_from_row(row: Any) -> SuppressionState:
    """A SuppressionState from a suppressions row mapping."""
    return SuppressionState(
        email=row["email"],
        suppressed=bool(row["suppressed"]),
        reason=Reason(row["reason"]) if row["reason"] else None,
        since=row["since"],
        first_event_at=row["first_event_at"],
        last_event_at=row["last_event_at"],
        soft_bounce_days=tuple(
            date.fromisoformat(day) for day in row["soft_bounce_days"]
        ),
        ses_suppressed=bool(row["ses_suppressed"]),
    )


async def write_state(
    connection: AsyncConnection, email: str, state: SuppressionState, now: datetime
) -> None:
    """Stores ``state`` as the address's row, which lock_state created and holds."""
    await connection.execute(
        suppressions.update()
        .where(suppressions.c.email == email)
        .values(
            suppressed=state.suppressed,
            reason=str(state.reason) if state.reason else None,
            since=state.since,
            first_event_at=state.first_event_at,
            last_event_at=state.last_event_at,
            soft_bounce_days=[day.isoformat() for day in state.soft_bounce_days],
            ses_suppressed=state.ses_suppressed,
            updated_at=now,
        )
    )


async def append_history(
    connection: AsyncConnection,
    *,
    email: str,
    at: datetime,
    action: str,
    reason: str | None,
    actor: str,
    note: str | None = None,
    evidence: dict[str, Any] | None = None,
    sns_message_id: str | None = None,
) -> None:
    """Adds one entry to the address's history; entries are never changed."""
    await connection.execute(
        history.insert().values(
            email=email,
            at=at,
            action=action,
            reason=reason,
            actor=actor,
            note=note,
            evidence=evidence or {},
            sns_message_id=sns_message_id,
        )
    )

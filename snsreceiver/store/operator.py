"""Operators' changes: manual suppressions, lifting them, and signups.

Every manual change is written under the same row lock as the webhook's and lands
in the history with the operator's note and the actor (a token name or ``cli``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from http import HTTPStatus
from itertools import islice
from typing import Final

from sqlalchemy import select

from snsreceiver.errors import InvalidRequest
from snsreceiver.ses.records import normalise_email
from snsreceiver.store.base import (
    among,
    append_history,
    insert_ignoring_conflicts,
    lock_state,
    upsert,
    write_state,
)
from snsreceiver.store.models import (
    SIGNUP_STATUSES,
    AddressStatus,
    ImportCounts,
    RejectedRow,
    SignupImportRow,
    SignupInfo,
)
from snsreceiver.store.queries import QueryStore, fetch_signup
from snsreceiver.store.schema import EMAIL_LENGTH, signups
from snsreceiver.suppression.state import Reason

IMPORT_BATCH_SIZE: Final = 1000


class OperatorStore(QueryStore):
    """Manual suppression and signup writes."""

    async def suppress_manually(
        self, email: str, *, note: str | None, actor: str
    ) -> AddressStatus:
        """Suppresses ``email`` with reason ``manual``; idempotent.

        An address already suppressed keeps its original reason and since (they
        carry the evidence); the operator's note is still added to its history as
        ``suppression_confirmed``.
        """
        email = valid_email(email)
        async with self._write() as connection:
            now = self._now()
            state = await lock_state(connection, email, now)
            if state.suppressed:
                action, reason = "suppression_confirmed", state.reason
            else:
                action, reason = "suppressed", Reason.MANUAL
                state = replace(state, suppressed=True, reason=reason, since=now)
                await write_state(connection, email, state, now)
            await append_history(
                connection,
                email=email,
                at=now,
                action=action,
                reason=str(reason) if reason else None,
                actor=actor,
                note=note,
            )
        return await self.get_status(email)

    async def unsuppress(
        self, email: str, *, note: str | None, actor: str
    ) -> AddressStatus:
        """Lifts the suppression of ``email`` and clears its soft bounce count.

        Whether SES itself suppresses the address is left as recorded: that list
        is SES's. A later hard bounce suppresses the address again. Raises
        InvalidRequest ``not_suppressed`` (409) for an address not suppressed, so
        an operator learns that the lift changed nothing.
        """
        email = normalise_email(email)
        async with self._write() as connection:
            now = self._now()
            state = await lock_state(connection, email, now)
            if not state.suppressed:
                raise InvalidRequest(
                    f"{email} is not suppressed",
                    code="not_suppressed",
                    status=HTTPStatus.CONFLICT,
                )
            lifted = replace(
                state, suppressed=False, reason=None, since=None, soft_bounce_days=()
            )
            await write_state(connection, email, lifted, now)
            await append_history(
                connection,
                email=email,
                at=now,
                action="unsuppressed",
                reason=str(state.reason) if state.reason else None,
                actor=actor,
                note=note,
            )
        return await self.get_status(email)

    async def upsert_signup(
        self, email: str, *, status: str = "subscribed", source: str | None = None
    ) -> bool:
        """Adds or updates a signup; True when it was added.

        Raises InvalidRequest ``invalid_email`` or ``invalid_signup_status``.
        """
        email = valid_email(email)
        valid_status(status)
        async with self._write() as connection:
            now = self._now()
            added = await connection.execute(
                insert_ignoring_conflicts(connection, signups)
                .values(
                    email=email,
                    status=status,
                    source=source,
                    created_at=now,
                    updated_at=now,
                )
                .returning(signups.c.email)
            )
            if added.first() is not None:
                return True
            await connection.execute(
                signups.update()
                .where(signups.c.email == email)
                .values(status=status, source=source, updated_at=now)
            )
        return False

    async def get_signup(self, email: str) -> SignupInfo | None:
        """The signup of ``email``, or None if it never signed up."""
        async with self._read() as connection:
            return await fetch_signup(connection, normalise_email(email))

    async def import_signups(
        self,
        rows: Iterable[SignupImportRow],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> ImportCounts:
        """Adds or updates many signups, a batch per transaction.

        Invalid rows are rejected with a reason and the rest still stored. A
        later row for the same address wins. ``on_progress`` is called after
        each batch with the number of rows read in it.
        """
        added = updated = 0
        rejected: list[RejectedRow] = []

        for batch in _batches(iter(rows), IMPORT_BATCH_SIZE):
            valid: dict[str, SignupImportRow] = {}
            for row in batch:
                problem = _import_problem(row)
                if problem is not None:
                    rejected.append(RejectedRow(row.line, row.email, problem))
                    continue
                email = normalise_email(row.email)
                if email in valid:
                    updated += 1
                valid[email] = row

            batch_added, batch_updated = await self._store_batch(valid)
            added += batch_added
            updated += batch_updated
            if on_progress is not None:
                on_progress(len(batch))

        return ImportCounts(added=added, updated=updated, rejected=rejected)

    async def _store_batch(self, rows: dict[str, SignupImportRow]) -> tuple[int, int]:
        """Inserts the new addresses and updates the known ones of one batch.

        One upsert in address order: rows are locked in the order the webhook
        locks them (see ``ingest``), so an import and a delivery never wait on
        each other in a circle.
        """
        if not rows:
            return 0, 0
        emails = sorted(rows)
        async with self._write() as connection:
            now = self._now()
            existing = set(
                await connection.scalars(
                    select(signups.c.email).where(
                        among(connection, signups.c.email, emails)
                    )
                )
            )
            await connection.execute(
                upsert(
                    connection,
                    signups,
                    "email",
                    ["status", "source", "updated_at"],
                ),
                [
                    {
                        "email": email,
                        "status": rows[email].status,
                        "source": rows[email].source,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for email in emails
                ],
            )
        return len(emails) - len(existing), len(existing)


def valid_email(email: str) -> str:
    """The normalised address; InvalidRequest ``invalid_email`` if it cannot be one."""
    normalised = normalise_email(email)
    local, at, domain = normalised.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(normalised) > EMAIL_LENGTH
        or any(char.isspace() for char in normalised)
    ):
        raise InvalidRequest(f"{email!r} is not an email address", code="invalid_email")
    return normalised


def valid_status(status: str) -> str:
    """``status`` if it is a signup status; InvalidRequest otherwise."""
    if status not in SIGNUP_STATUSES:
        raise InvalidRequest(
            f"signup status {status!r} is not one of {sorted(SIGNUP_STATUSES)}",
            code="invalid_signup_status",
        )
    return status


def _import_problem(row: SignupImportRow) -> str | None:
    """Why ``row`` cannot be imported, or None."""
    try:
        valid_email(row.email)
        valid_status(row.status)
    except InvalidRequest as exc:
        return exc.message
    return None


def _batches(
    rows: Iterator[SignupImportRow], size: int
) -> Iterator[list[SignupImportRow]]:
    while batch := list(islice(rows, size)):
        yield batch

"""Operators' changes: manual suppressions, lifting them, and signups."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from snsreceiver.errors import InvalidRequest
from snsreceiver.store import SignupImportRow, Store
from snsreceiver.store.schema import history
from tests.store.helpers import T0, CountingPolicy, bounce, days, message

ADDRESS = "someone@example.com"


class TestManualSuppression:
    async def test_suppress_records_note_and_actor(self, fresh_store: Store) -> None:
        """A manual suppression sets reason manual and lands in the history."""
        status = await fresh_store.suppress_manually(
            "SomeOne@example.com", note="asked by phone", actor="alice-token"
        )

        assert (status.email, status.suppressed, status.reason) == (
            ADDRESS,
            True,
            "manual",
        )
        assert status.since is not None
        (entry,) = status.history
        assert (entry.action, entry.actor, entry.note, entry.reason) == (
            "suppressed",
            "alice-token",
            "asked by phone",
            "manual",
        )

    async def test_suppressing_again_keeps_the_original_reason(
        self, fresh_store: Store
    ) -> None:
        """Suppressing a bounced address keeps reason bounce but notes the request."""
        await fresh_store.ingest(
            message(), [bounce(ADDRESS)], CountingPolicy(), outcome="ok"
        )

        status = await fresh_store.suppress_manually(ADDRESS, note="again", actor="ops")

        assert (status.reason, status.since) == ("bounce", T0)
        assert [e.action for e in status.history] == [
            "suppressed",
            "suppression_confirmed",
        ]

    async def test_invalid_address_is_refused(self, fresh_store: Store) -> None:
        """Something that is not an email address cannot be suppressed."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.suppress_manually(
                "not an address", note=None, actor="ops"
            )

        assert caught.value.code == "invalid_email"


class TestUnsuppress:
    async def test_lift_clears_state_and_keeps_history(
        self, fresh_store: Store
    ) -> None:
        """Lifting clears the suppression and soft days and appends to the history."""
        policy = CountingPolicy(soft_threshold=2)
        for day in range(2):
            record = bounce(ADDRESS, bounce_type="Transient", at=T0 + days(day))
            await fresh_store.ingest(message(), [record], policy, outcome="ok")

        status = await fresh_store.unsuppress(
            ADDRESS, note="fixed mailbox", actor="bob"
        )

        assert status.suppressed is False
        assert (status.reason, status.since, status.soft_bounce_count) == (
            None,
            None,
            0,
        )
        assert [e.action for e in status.history] == [
            "soft_bounce_counted",
            "soft_bounce_counted",
            "unsuppressed",
        ]
        assert (status.history[-1].reason, status.history[-1].note) == (
            "soft_bounce",
            "fixed mailbox",
        )

    async def test_later_hard_bounce_suppresses_again(self, fresh_store: Store) -> None:
        """After a lift, a new permanent bounce suppresses the address again."""
        await fresh_store.suppress_manually(ADDRESS, note=None, actor="ops")
        await fresh_store.unsuppress(ADDRESS, note=None, actor="ops")

        await fresh_store.ingest(
            message(),
            [bounce(ADDRESS, at=T0 + days(5))],
            CountingPolicy(),
            outcome="ok",
        )

        status = await fresh_store.get_status(ADDRESS)
        assert (status.suppressed, status.reason, status.since) == (
            True,
            "bounce",
            T0 + days(5),
        )

    async def test_lifting_an_unsuppressed_address_conflicts(
        self, fresh_store: Store
    ) -> None:
        """Lifting what is not suppressed is a 409 not_suppressed and writes nothing."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.unsuppress(ADDRESS, note=None, actor="ops")

        assert (caught.value.code, caught.value.status) == (
            "not_suppressed",
            HTTPStatus.CONFLICT,
        )
        assert (await fresh_store.get_status(ADDRESS)).history == []


class TestHistoryIsAppendOnly:
    async def test_database_refuses_rewrites(self, fresh_store: Store) -> None:
        """The database itself refuses to update or delete history entries."""
        await fresh_store.suppress_manually(ADDRESS, note="keep", actor="ops")

        for statement in (update(history).values(note="changed"), delete(history)):
            with pytest.raises(DBAPIError, match="append-only"):
                async with fresh_store.engine.begin() as connection:
                    await connection.execute(statement)

        (entry,) = (await fresh_store.get_status(ADDRESS)).history
        assert entry.note == "keep"


class TestSignups:
    async def test_upsert_adds_then_updates(self, fresh_store: Store) -> None:
        """The first upsert adds a signup; the next updates it and keeps created_at."""
        added = await fresh_store.upsert_signup(
            ADDRESS, status="subscribed", source="a"
        )
        first = await fresh_store.get_signup(ADDRESS)

        again = await fresh_store.upsert_signup(
            "SOMEONE@example.com", status="unsubscribed", source="b"
        )
        second = await fresh_store.get_signup(ADDRESS)

        assert (added, again) == (True, False)
        assert first is not None
        assert second is not None
        assert (second.status, second.source) == ("unsubscribed", "b")
        assert second.created_at == first.created_at
        assert second.updated_at >= first.updated_at

    async def test_bad_status_is_refused(self, fresh_store: Store) -> None:
        """Only subscribed and unsubscribed are signup statuses."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.upsert_signup(ADDRESS, status="maybe")

        assert caught.value.code == "invalid_signup_status"

    async def test_unknown_signup_is_none(self, fresh_store: Store) -> None:
        """An address that never signed up has no signup."""
        assert await fresh_store.get_signup(ADDRESS) is None

    async def test_import_counts_added_updated_rejected(
        self, fresh_store: Store
    ) -> None:
        """An import adds new rows, updates known ones, says why it rejected others."""
        await fresh_store.upsert_signup("known@example.com", status="subscribed")
        rows = [
            SignupImportRow("known@example.com", "unsubscribed", "csv", line=2),
            SignupImportRow("new@example.com", line=3),
            SignupImportRow("broken", line=4),
            SignupImportRow("odd@example.com", "pending", line=5),
            SignupImportRow("NEW@example.com", "unsubscribed", line=6),
        ]

        counts = await fresh_store.import_signups(rows)

        assert (counts.added, counts.updated) == (1, 2)
        assert [(r.line, r.email) for r in counts.rejected] == [
            (4, "broken"),
            (5, "odd@example.com"),
        ]
        assert "not an email address" in counts.rejected[0].reason
        known = await fresh_store.get_signup("known@example.com")
        new = await fresh_store.get_signup("new@example.com")
        assert known is not None
        assert (known.status, known.source) == ("unsubscribed", "csv")
        assert new is not None
        assert new.status == "unsubscribed"

    async def test_large_import_in_batches(self, fresh_store: Store) -> None:
        """Five thousand rows import in batches, reporting progress for each."""
        progress: list[int] = []
        rows = (SignupImportRow(f"user{i}@example.com", line=i) for i in range(5000))

        counts = await fresh_store.import_signups(rows, on_progress=progress.append)

        assert (counts.added, counts.updated, counts.rejected) == (5000, 0, [])
        assert progress == [1000] * 5
        results = await fresh_store.check(["user4999@example.com"])
        assert results[0].signup_status == "subscribed"

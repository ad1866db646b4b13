"""Reading suppressions: status, pages, the streamed export and the bulk check."""

from __future__ import annotations

from datetime import datetime

import pytest

from snsreceiver.errors import InvalidRequest
from snsreceiver.store import Store
from snsreceiver.store.models import SuppressionRow
from snsreceiver.store.queries import decode_cursor, encode_cursor
from tests.store.helpers import T0, CountingPolicy, bounce, complaint, days, message

POLICY = CountingPolicy()


async def suppress(
    store: Store, email: str, at: datetime, *, kind: str = "bounce"
) -> None:
    record = complaint(email, at=at) if kind == "complaint" else bounce(email, at=at)
    await store.ingest(message(), [record], POLICY, outcome="ok")


async def populate(store: Store, n: int) -> list[str]:
    """Suppresses n addresses: every third by complaint, several sharing a since."""
    emails = []
    records = []
    for i in range(n):
        email = f"user{i:04d}@example.com"
        at = T0 + days(i // 4)
        records.append(complaint(email, at=at) if i % 3 == 0 else bounce(email, at=at))
        emails.append(email)
    await store.ingest(message(), records, POLICY, outcome="ok")
    return emails


class TestStatus:
    async def test_never_seen_address_is_not_suppressed(
        self, fresh_store: Store
    ) -> None:
        """An unknown address answers not suppressed, with no history, and no error."""
        status = await fresh_store.get_status("Nobody@Example.com ")

        assert status.email == "nobody@example.com"
        assert status.suppressed is False
        assert (status.reason, status.since, status.signup) == (None, None, None)
        assert status.history == []

    async def test_lookup_is_case_insensitive(self, fresh_store: Store) -> None:
        """An address is found whatever its case and surrounding blanks."""
        await suppress(fresh_store, "someone@example.com", T0)

        status = await fresh_store.get_status("  SomeOne@EXAMPLE.com")

        assert status.suppressed is True

    async def test_history_is_oldest_first_with_signup(
        self, fresh_store: Store
    ) -> None:
        """The status lists the history in order and the signup beside it."""
        email = "someone@example.com"
        await fresh_store.upsert_signup(email, status="subscribed", source="form")
        await fresh_store.ingest(
            message(), [bounce(email, bounce_type="Transient")], POLICY, outcome="ok"
        )
        await suppress(fresh_store, email, T0 + days(1), kind="complaint")

        status = await fresh_store.get_status(email)

        assert [entry.action for entry in status.history] == [
            "soft_bounce_counted",
            "suppressed",
        ]
        assert status.history[0].id < status.history[1].id
        assert status.signup is not None
        assert status.signup.status == "unsubscribed"
        assert status.reason == "complaint"


class TestListing:
    async def test_pages_are_complete_and_stable(self, fresh_store: Store) -> None:
        """Paging with the cursor visits every suppression once, in order."""
        emails = await populate(fresh_store, 23)

        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = await fresh_store.list_suppressions(limit=5, cursor=cursor)
            seen.extend(item.email for item in page.items)
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor

        assert pages == 5
        assert seen == emails
        assert len(set(seen)) == 23

    async def test_rows_added_while_paging_do_not_shift(
        self, fresh_store: Store
    ) -> None:
        """A suppression added between pages neither repeats nor hides a row."""
        emails = await populate(fresh_store, 10)
        first = await fresh_store.list_suppressions(limit=4)

        await suppress(fresh_store, "aaa-early-name@example.com", T0 + days(100))
        rest = await fresh_store.list_suppressions(limit=100, cursor=first.next_cursor)

        listed = [item.email for item in first.items + rest.items]
        assert listed == [*emails, "aaa-early-name@example.com"]

    async def test_filters_by_reason_and_dates(self, fresh_store: Store) -> None:
        """Reason and a since/until range select the matching rows only."""
        emails = await populate(fresh_store, 12)

        page = await fresh_store.list_suppressions(
            reason="complaint", since=T0 + days(1), until=T0 + days(3)
        )

        expected = [e for i, e in enumerate(emails) if i % 3 == 0 and 4 <= i < 12]
        assert [item.email for item in page.items] == expected
        assert all(item.reason == "complaint" for item in page.items)
        assert page.next_cursor is None

    async def test_bounds_without_offset_are_utc(self, fresh_store: Store) -> None:
        """A since bound without an offset filters as if it were UTC."""
        emails = await populate(fresh_store, 8)

        page = await fresh_store.list_suppressions(
            since=(T0 + days(1)).replace(tzinfo=None)
        )

        assert [item.email for item in page.items] == emails[4:]

    async def test_lifted_suppressions_are_not_listed(self, fresh_store: Store) -> None:
        """An address whose suppression was lifted leaves the list."""
        emails = await populate(fresh_store, 3)

        await fresh_store.unsuppress(emails[1], note="asked", actor="ops")

        page = await fresh_store.list_suppressions()
        assert [item.email for item in page.items] == [emails[0], emails[2]]

    async def test_foreign_cursor_is_refused(self, fresh_store: Store) -> None:
        """A cursor this service did not make is an invalid request."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.list_suppressions(cursor="not-a-cursor")

        assert caught.value.code == "invalid_cursor"

    async def test_limit_is_bounded(self, fresh_store: Store) -> None:
        """A page size outside 1 to 1000 is an invalid request."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.list_suppressions(limit=0)

        assert caught.value.code == "invalid_limit"

    def test_cursor_round_trips(self) -> None:
        """A cursor carries the since and email of the last row, exactly."""
        row = SuppressionRow(
            email="a@example.com",
            reason="bounce",
            since=T0,
            first_event_at=None,
            last_event_at=None,
            soft_bounce_count=0,
            ses_suppressed=False,
        )

        assert decode_cursor(encode_cursor(row)) == (T0, "a@example.com")

    def test_well_formed_but_foreign_cursor_is_refused(self) -> None:
        """Valid base64 of the wrong shape is refused like any foreign cursor."""
        with pytest.raises(InvalidRequest):
            decode_cursor("W10")


class TestCounts:
    async def test_counts_suppressed_addresses_by_reason(
        self, fresh_store: Store
    ) -> None:
        """Counts cover suppressed addresses only, grouped by reason."""
        emails = await populate(fresh_store, 7)
        await fresh_store.unsuppress(emails[1], note=None, actor="ops")

        counts = await fresh_store.count_suppressions()

        assert counts == {"complaint": 3, "bounce": 3}

    async def test_empty_store_counts_nothing(self, fresh_store: Store) -> None:
        """An empty store has no suppressions to count."""
        assert await fresh_store.count_suppressions() == {}


class TestExport:
    async def test_streams_every_row_in_batches(self, fresh_store: Store) -> None:
        """The export yields every matching row once, across many small batches."""
        emails = await populate(fresh_store, 37)

        exported = [
            row.email async for row in fresh_store.iter_suppressions(batch_size=4)
        ]

        assert exported == emails

    async def test_export_applies_filters(self, fresh_store: Store) -> None:
        """The export honours the same filters as the list."""
        emails = await populate(fresh_store, 9)

        exported = [
            row.email
            async for row in fresh_store.iter_suppressions(
                reason="bounce", batch_size=2
            )
        ]

        assert exported == [e for i, e in enumerate(emails) if i % 3 != 0]

    async def test_export_matches_pages(self, fresh_store: Store) -> None:
        """The streamed rows equal the rows of the listing, field for field."""
        await populate(fresh_store, 8)

        page = await fresh_store.list_suppressions(limit=100)
        exported = [row async for row in fresh_store.iter_suppressions(batch_size=3)]

        assert exported == page.items


class TestCheck:
    async def test_answers_each_address_in_order(self, fresh_store: Store) -> None:
        """check answers every address asked, in order, duplicates included."""
        await suppress(fresh_store, "bad@example.com", T0)
        await fresh_store.upsert_signup("good@example.com", status="subscribed")

        results = await fresh_store.check(
            [
                "good@example.com",
                "BAD@example.com",
                "new@example.com",
                "bad@example.com",
            ]
        )

        assert [(r.email, r.suppressed) for r in results] == [
            ("good@example.com", False),
            ("bad@example.com", True),
            ("new@example.com", False),
            ("bad@example.com", True),
        ]
        assert results[1].reason == "bounce"
        assert results[1].since == T0
        assert results[0].signup_status == "subscribed"
        assert results[2].signup_status is None

    async def test_answers_agree_with_each_status(self, fresh_store: Store) -> None:
        """Every kind of address gets the fields its own status lookup shows."""
        await suppress(fresh_store, "bounced@example.com", T0)
        await suppress(
            fresh_store, "complained@example.com", T0 + days(1), kind="complaint"
        )
        await fresh_store.suppress_manually(
            "manual@example.com", note="asked", actor="t"
        )
        await suppress(fresh_store, "lifted@example.com", T0)
        await fresh_store.unsuppress("lifted@example.com", note="fixed", actor="t")
        await fresh_store.upsert_signup("bounced@example.com", status="subscribed")
        await fresh_store.upsert_signup("left@example.com", status="unsubscribed")
        asked = [
            "bounced@example.com",
            "complained@example.com",
            "manual@example.com",
            "lifted@example.com",
            "left@example.com",
            "stranger@example.com",
        ]

        results = await fresh_store.check(asked)

        for result in results:
            status = await fresh_store.get_status(result.email)
            signup = status.signup.status if status.signup else None
            assert (
                result.suppressed,
                result.reason,
                result.since,
                result.ses_suppressed,
                result.signup_status,
            ) == (
                status.suppressed,
                status.reason,
                status.since,
                status.ses_suppressed,
                signup,
            ), result.email
        assert [r.suppressed for r in results] == [
            True,
            True,
            True,
            False,
            False,
            False,
        ]
        assert results[1].since == T0 + days(1)
        assert results[1].since is not None
        assert results[1].since.utcoffset() == days(0)

    async def test_no_addresses_no_answers(self, fresh_store: Store) -> None:
        """Checking an empty list answers with an empty list."""
        assert await fresh_store.check([]) == []

    async def test_thousands_of_addresses(self, fresh_store: Store) -> None:
        """Three thousand addresses, past SQLite's parameter limit, are answered."""
        emails = await populate(fresh_store, 40)
        asked = [f"other{i}@example.com" for i in range(2960)] + emails

        results = await fresh_store.check(asked)

        assert len(results) == 3000
        assert sum(result.suppressed for result in results) == 40
        assert {r.email for r in results if r.suppressed} == set(emails)

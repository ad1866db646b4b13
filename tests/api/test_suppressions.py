"""``/v1/suppressions``: status, list, export, check, manual suppression and lift."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from snsreceiver.api.models import MAX_CHECK_EMAILS, CheckResponse
from snsreceiver.errors import StoreUnavailable
from snsreceiver.store import SuppressionRow
from snsreceiver.suppression.state import Reason
from tests.api.conftest import Operator, Webhook
from tests.store.helpers import T0

SES_FIXTURES = Path(__file__).parents[2] / "fixtures" / "ses"


class TestStatus:
    async def test_never_seen_address_is_not_suppressed(
        self, operator: Operator
    ) -> None:
        """An unknown address is an answer, not an error."""
        response = await operator.client.get(
            "/v1/suppressions/nobody@example.com", headers=operator.reader
        )

        assert response.status_code == 200
        document = response.json()
        assert document["email"] == "nobody@example.com"
        assert document["suppressed"] is False
        assert document["reason"] is None
        assert document["since"] is None
        assert document["history"] == []
        assert document["signup"] is None

    async def test_bounced_address_shows_reason_since_and_evidence(
        self, operator: Operator
    ) -> None:
        """A hard bounce answers suppressed, why, since when, and on what evidence."""
        await operator.bounce("jane@example.com", T0)

        response = await operator.client.get(
            "/v1/suppressions/jane@example.com", headers=operator.reader
        )

        document = response.json()
        assert document["suppressed"] is True
        assert document["reason"] == "bounce"
        assert document["since"] == "2026-11-01T09:30:00Z"
        assert document["soft_bounce_window_days"] == 14
        assert document["soft_bounce_threshold"] == 3
        [entry] = document["history"]
        assert entry["action"] == "suppressed"
        assert entry["actor"] == "sns"
        assert entry["sns_message_id"].startswith("msg-")
        assert entry["evidence"]["feedback_id"].startswith("fb-")

    async def test_address_in_path_is_normalised(self, operator: Operator) -> None:
        """Case and angle brackets in the path name the same address."""
        await operator.bounce("jane@example.com", T0)

        response = await operator.client.get(
            "/v1/suppressions/%3CJane@Example.COM%3E", headers=operator.reader
        )

        assert response.json()["email"] == "jane@example.com"
        assert response.json()["suppressed"] is True

    async def test_bad_address_is_422_in_the_error_shape(
        self, operator: Operator
    ) -> None:
        """Something that is no address is refused with invalid_request."""
        response = await operator.client.get(
            "/v1/suppressions/not-an-address", headers=operator.reader
        )

        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid_request"
        assert "path email" in error["message"]
        assert "not an email address" in error["message"]


class TestList:
    async def test_pages_follow_the_cursor_to_the_end(self, operator: Operator) -> None:
        """Pages of two cover every suppressed address once, oldest first."""
        emails = [f"user{i}@example.com" for i in range(5)]
        for i, email in enumerate(emails):
            await operator.bounce(email, T0 + timedelta(hours=i))

        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
            response = await operator.client.get(
                "/v1/suppressions", params=params, headers=operator.reader
            )
            assert response.status_code == 200
            page = response.json()
            seen += [item["email"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert seen == emails
        assert pages == 3

    async def test_filters_by_reason_and_date(self, operator: Operator) -> None:
        """reason, since (inclusive) and until (exclusive) narrow the list."""
        await operator.bounce("old@example.com", T0)
        await operator.bounce("new@example.com", T0 + timedelta(days=2))
        await operator.complain("angry@example.com", T0 + timedelta(days=2))

        bounces = await operator.client.get(
            "/v1/suppressions", params={"reason": "bounce"}, headers=operator.reader
        )
        recent = await operator.client.get(
            "/v1/suppressions",
            params={"since": "2026-11-02", "until": "2026-11-04T00:00:00Z"},
            headers=operator.reader,
        )

        assert [i["email"] for i in bounces.json()["items"]] == [
            "old@example.com",
            "new@example.com",
        ]
        assert {i["email"] for i in recent.json()["items"]} == {
            "new@example.com",
            "angry@example.com",
        }

    async def test_foreign_cursor_is_400(self, operator: Operator) -> None:
        """A cursor this service did not hand out is refused by code."""
        response = await operator.client.get(
            "/v1/suppressions", params={"cursor": "bm9wZQ"}, headers=operator.reader
        )

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_cursor"

    async def test_bad_parameters_are_422(self, operator: Operator) -> None:
        """An unknown reason, a limit out of range or a bad date is invalid_request."""
        for params in ({"reason": "spam"}, {"limit": "0"}, {"since": "yesterday"}):
            response = await operator.client.get(
                "/v1/suppressions", params=params, headers=operator.reader
            )

            assert response.status_code == 422, params
            assert response.json()["error"]["code"] == "invalid_request"


class TestExport:
    async def test_csv_export_streams_the_stores_rows(self, operator: Operator) -> None:
        """Every row of the CSV equals the store's row, header first."""
        await operator.bounce_many(
            (f"user{i:04d}@example.com", T0 + timedelta(minutes=i)) for i in range(1203)
        )
        stored = [row async for row in operator.store.iter_suppressions()]

        response = await operator.client.get(
            "/v1/suppressions", params={"format": "csv"}, headers=operator.reader
        )

        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == len(stored) == 1203
        for row, expected in zip(rows, stored, strict=True):
            assert row["email"] == expected.email
            assert row["reason"] == expected.reason
            assert row["since"] == expected.since.isoformat()
            assert row["ses_suppressed"] == "false"

    async def test_ndjson_export_applies_filters(self, operator: Operator) -> None:
        """NDJSON has one object per line and honours the reason filter."""
        await operator.bounce("bounced@example.com", T0)
        await operator.complain("angry@example.com", T0)

        response = await operator.client.get(
            "/v1/suppressions",
            params={"format": "ndjson", "reason": "complaint"},
            headers=operator.reader,
        )

        assert response.headers["content-type"] == "application/x-ndjson"
        lines = response.text.splitlines()
        assert [json.loads(line)["email"] for line in lines] == ["angry@example.com"]
        assert json.loads(lines[0])["reason"] == "complaint"

    async def test_unreadable_store_is_503_not_a_cut_off_file(
        self, operator: Operator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failure before the first rows answers in the error shape."""

        async def unavailable(**filters: object) -> AsyncIterator[SuppressionRow]:
            raise StoreUnavailable("the database is unavailable: disk I/O error")
            yield  # never reached; makes this an async generator

        monkeypatch.setattr(operator.store, "iter_suppressions", unavailable)

        response = await operator.client.get(
            "/v1/suppressions", params={"format": "csv"}, headers=operator.reader
        )

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "store_unavailable"

    async def test_empty_csv_export_is_just_the_header(
        self, operator: Operator
    ) -> None:
        """An empty list exports as a header line."""
        response = await operator.client.get(
            "/v1/suppressions", params={"format": "csv"}, headers=operator.reader
        )

        assert response.text.splitlines() == [
            "email,reason,since,first_event_at,last_event_at,soft_bounce_count,"
            "ses_suppressed"
        ]


class TestCheck:
    async def test_answers_each_address_in_order(self, operator: Operator) -> None:
        """Suppressed and unsubscribed addresses are not mailable; others are."""
        await operator.bounce("bounced@example.com", T0)
        await operator.store.upsert_signup("gone@example.com", status="unsubscribed")

        response = await operator.client.post(
            "/v1/suppressions/check",
            json={
                "emails": [
                    "fine@example.com",
                    "Bounced@Example.com",
                    "gone@example.com",
                ]
            },
            headers=operator.reader,
        )

        assert response.status_code == 200
        body = response.json()
        assert [r["email"] for r in body["results"]] == [
            "fine@example.com",
            "bounced@example.com",
            "gone@example.com",
        ]
        assert [r["mailable"] for r in body["results"]] == [True, False, False]
        assert body["results"][1]["reason"] == "bounce"
        assert body["results"][1]["since"] == "2026-11-01T09:30:00Z"
        assert body["results"][0]["since"] is None
        assert body["results"][2]["signup_status"] == "unsubscribed"
        assert body["not_mailable"] == 2

    async def test_answer_is_exactly_the_documented_model(
        self, operator: Operator
    ) -> None:
        """The answer, serialised without validation, is what CheckResponse gives."""
        await operator.bounce("bounced@example.com", T0)
        await operator.store.upsert_signup("gone@example.com", status="unsubscribed")

        response = await operator.client.post(
            "/v1/suppressions/check",
            json={"emails": ["bounced@example.com", "gone@example.com", "x@y.org"]},
            headers=operator.reader,
        )

        documented = CheckResponse.model_validate_json(response.content)
        assert documented.model_dump_json().encode() == response.content
        assert documented.results[0].reason is Reason.BOUNCE

    async def test_the_most_addresses_are_accepted(self, operator: Operator) -> None:
        """A check of exactly the limit is answered in full."""
        emails = [f"user{i}@example.com" for i in range(MAX_CHECK_EMAILS)]

        response = await operator.client.post(
            "/v1/suppressions/check", json={"emails": emails}, headers=operator.reader
        )

        assert response.status_code == 200
        assert len(response.json()["results"]) == MAX_CHECK_EMAILS

    async def test_too_many_addresses_is_413(self, operator: Operator) -> None:
        """One address over the limit is refused, saying the limit."""
        emails = [f"user{i}@example.com" for i in range(MAX_CHECK_EMAILS + 1)]

        response = await operator.client.post(
            "/v1/suppressions/check", json={"emails": emails}, headers=operator.reader
        )

        assert response.status_code == 413
        assert response.json()["error"] == {
            "code": "too_many_emails",
            "message": "The check takes at most 5000 addresses per request; "
            "this one has 5001.",
        }

    async def test_bad_address_in_body_is_422(self, operator: Operator) -> None:
        """The error names the position of the address that is none."""
        response = await operator.client.post(
            "/v1/suppressions/check",
            json={"emails": ["fine@example.com", "nope"]},
            headers=operator.reader,
        )

        assert response.status_code == 422
        assert "body emails 1" in response.json()["error"]["message"]


class TestManualChanges:
    async def test_put_suppresses_with_note_and_token_name(
        self, operator: Operator
    ) -> None:
        """A manual suppression lands in the history with its note and actor."""
        response = await operator.client.put(
            "/v1/suppressions/jane@example.com",
            json={"note": "asked by phone to stop"},
            headers=operator.writer,
        )

        assert response.status_code == 200
        document = response.json()
        assert document["suppressed"] is True
        assert document["reason"] == "manual"
        [entry] = document["history"]
        assert entry["action"] == "suppressed"
        assert entry["note"] == "asked by phone to stop"
        assert entry["actor"] == "token:writer"

    async def test_put_on_a_bounced_address_keeps_its_reason(
        self, operator: Operator
    ) -> None:
        """The original evidence stays; the note is still recorded."""
        await operator.bounce("jane@example.com", T0)

        response = await operator.client.put(
            "/v1/suppressions/jane@example.com",
            json={"note": "double sure"},
            headers=operator.writer,
        )

        document = response.json()
        assert document["reason"] == "bounce"
        assert document["history"][-1]["note"] == "double sure"

    async def test_delete_lifts_and_a_later_bounce_suppresses_again(
        self, operator: Operator
    ) -> None:
        """A lift is recorded, and a hard bounce afterwards suppresses once more."""
        await operator.bounce("jane@example.com", T0)

        lifted = await operator.client.request(
            "DELETE",
            "/v1/suppressions/jane@example.com",
            json={"note": "mailbox fixed"},
            headers=operator.writer,
        )
        await operator.bounce("jane@example.com", T0 + timedelta(days=1))
        again = await operator.client.get(
            "/v1/suppressions/jane@example.com", headers=operator.reader
        )

        assert lifted.status_code == 200
        assert lifted.json()["suppressed"] is False
        entry = lifted.json()["history"][-1]
        assert (entry["action"], entry["note"], entry["actor"]) == (
            "unsuppressed",
            "mailbox fixed",
            "token:writer",
        )
        assert again.json()["suppressed"] is True
        assert again.json()["reason"] == "bounce"

    async def test_delete_of_an_address_not_suppressed_is_409(
        self, operator: Operator
    ) -> None:
        """Lifting nothing says so instead of pretending to succeed."""
        response = await operator.client.request(
            "DELETE",
            "/v1/suppressions/jane@example.com",
            json={"note": "just in case"},
            headers=operator.writer,
        )

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "not_suppressed"

    async def test_a_note_is_required(self, operator: Operator) -> None:
        """PUT without a note, or with an empty one, is invalid_request."""
        for body in ({}, {"note": ""}):
            response = await operator.client.put(
                "/v1/suppressions/jane@example.com", json=body, headers=operator.writer
            )

            assert response.status_code == 422, body
            assert response.json()["error"]["code"] == "invalid_request"


class TestEndToEnd:
    async def test_a_signed_bounce_shows_in_the_status_with_its_evidence(
        self, webhook: Webhook
    ) -> None:
        """A bounce posted to /sns is what GET /v1/suppressions/{email} explains."""
        token = await webhook.services.store.create_token("reader", "read")
        body = webhook.notification(
            (SES_FIXTURES / "ses-notification_bounce_with-dsn.json").read_text()
        )

        posted = await webhook.post(body)
        response = await webhook.client.get(
            "/v1/suppressions/jane@example.com",
            headers={"Authorization": f"Bearer {token}"},
        )

        assert posted.status_code == 200
        document = response.json()
        assert document["suppressed"] is True
        assert document["reason"] == "bounce"
        [entry] = document["history"]
        assert entry["sns_message_id"] == json.loads(body)["MessageId"]
        assert entry["evidence"]["bounce_type"] == "Permanent"

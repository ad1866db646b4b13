"""Tests for snsreceiver.ses.feedback: both SES dialects into per-recipient records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from snsreceiver.errors import FeedbackInvalid, MessageRejected
from snsreceiver.ses.feedback import FeedbackDocument, parse_address, parse_feedback
from snsreceiver.ses.records import FeedbackKind, FeedbackRecord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ses"

EVENT_MAIL_ID = "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"
EVENT_FEEDBACK_ID = "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000"


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load_fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read_fixture(name))
    return document


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(
    kind: FeedbackKind, source_type: str, email: str, when: str
) -> FeedbackRecord:
    return FeedbackRecord(
        kind=kind,
        email=email,
        occurred_at=at(when),
        dialect="event",
        source_type=source_type,
        mail_message_id=EVENT_MAIL_ID,
    )


EXPECTED: dict[str, tuple[FeedbackKind, str, str, list[FeedbackRecord]]] = {
    "ses-event_bounce.json": (
        FeedbackKind.BOUNCE,
        "event",
        EVENT_MAIL_ID,
        [
            FeedbackRecord(
                kind=FeedbackKind.BOUNCE,
                email="recipient@example.com",
                occurred_at=at("2017-08-05T00:41:02.669"),
                dialect="event",
                source_type="Bounce",
                mail_message_id=EVENT_MAIL_ID,
                feedback_id=EVENT_FEEDBACK_ID,
                bounce_type="Permanent",
                bounce_subtype="General",
                status="5.1.1",
                action="failed",
                diagnostic_code="smtp; 550 5.1.1 user unknown",
            )
        ],
    ),
    "ses-event_complaint.json": (
        FeedbackKind.COMPLAINT,
        "event",
        EVENT_MAIL_ID,
        [
            FeedbackRecord(
                kind=FeedbackKind.COMPLAINT,
                email="recipient@example.com",
                occurred_at=at("2017-08-05T00:41:02.669"),
                dialect="event",
                source_type="Complaint",
                mail_message_id=EVENT_MAIL_ID,
                feedback_id=EVENT_FEEDBACK_ID,
                complaint_feedback_type="abuse",
            )
        ],
    ),
    "ses-event_delivery.json": (
        FeedbackKind.DELIVERY,
        "event",
        EVENT_MAIL_ID,
        [
            event(
                FeedbackKind.DELIVERY,
                "Delivery",
                "recipient@example.com",
                "2016-10-19T23:21:04.133",
            )
        ],
    ),
    "ses-event_delayed-delivery.json": (
        FeedbackKind.DELIVERY_DELAY,
        "event",
        EVENT_MAIL_ID,
        [
            FeedbackRecord(
                kind=FeedbackKind.DELIVERY_DELAY,
                email="recipient@example.com",
                occurred_at=at("2020-06-16T00:25:40.095"),
                dialect="event",
                source_type="DeliveryDelay",
                mail_message_id=EVENT_MAIL_ID,
                status="4.4.1",
                diagnostic_code="smtp; 421 4.4.1 Unable to connect to remote host",
            )
        ],
    ),
    "ses-event_send.json": (
        FeedbackKind.SEND,
        "event",
        EVENT_MAIL_ID,
        [
            event(
                FeedbackKind.SEND,
                "Send",
                "recipient@example.com",
                "2016-10-14T05:02:16.645",
            )
        ],
    ),
    "ses-event_reject.json": (
        FeedbackKind.REJECT,
        "event",
        EVENT_MAIL_ID,
        [
            event(
                FeedbackKind.REJECT,
                "Reject",
                "sender@example.com",
                "2016-10-14T17:38:15.211",
            )
        ],
    ),
    "ses-event_open.json": (
        FeedbackKind.OPEN,
        "event",
        EVENT_MAIL_ID,
        [
            event(
                FeedbackKind.OPEN,
                "Open",
                "recipient@example.com",
                "2017-08-09T22:00:19.652",
            )
        ],
    ),
    "ses-event_click.json": (
        FeedbackKind.CLICK,
        "event",
        EVENT_MAIL_ID,
        [
            event(
                FeedbackKind.CLICK,
                "Click",
                "recipient@example.com",
                "2017-08-09T23:51:25.570",
            )
        ],
    ),
    "ses-event_failure.json": (
        FeedbackKind.RENDERING_FAILURE,
        "event",
        EVENT_MAIL_ID,
        [
            event(
                FeedbackKind.RENDERING_FAILURE,
                "Rendering Failure",
                "recipient@example.com",
                "2018-01-22T18:43:06.197",
            )
        ],
    ),
    "ses-event_subscription.json": (
        FeedbackKind.SUBSCRIPTION,
        "event",
        "EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.SUBSCRIPTION,
                email="recipient@example.com",
                occurred_at=at("2022-01-12T01:00:17.910"),
                dialect="event",
                source_type="Subscription",
                mail_message_id=(
                    "EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000"
                ),
            )
        ],
    ),
    "ses-notification_bounce_no-dsn.json": (
        FeedbackKind.BOUNCE,
        "notification",
        "00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.BOUNCE,
                email=email,
                occurred_at=at("2016-01-27T14:59:38.237"),
                dialect="notification",
                source_type="Bounce",
                mail_message_id=(
                    "00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000"
                ),
                feedback_id=(
                    "00000137860315fd-869464a4-8680-4114-98d3-716fe35851f9-000000"
                ),
                bounce_type="Permanent",
                bounce_subtype="General",
            )
            for email in ("jane@example.com", "richard@example.com")
        ],
    ),
    "ses-notification_bounce_with-dsn.json": (
        FeedbackKind.BOUNCE,
        "notification",
        "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.BOUNCE,
                email="jane@example.com",
                occurred_at=at("2016-01-27T14:59:38.237"),
                dialect="notification",
                source_type="Bounce",
                mail_message_id=(
                    "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000"
                ),
                feedback_id=(
                    "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000"
                ),
                bounce_type="Permanent",
                bounce_subtype="General",
                status="5.1.1",
                action="failed",
                diagnostic_code="smtp; 550 5.1.1 <jane@example.com>... User",
            )
        ],
    ),
    "ses-notification_bounce_transient.json": (
        FeedbackKind.BOUNCE,
        "notification",
        "0000013786a1a0f1-0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.BOUNCE,
                email="mary@example.com",
                occurred_at=at("2016-01-28T09:12:44.015"),
                dialect="notification",
                source_type="Bounce",
                mail_message_id=(
                    "0000013786a1a0f1-0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e-000000"
                ),
                feedback_id=(
                    "0000013786a1b2c3-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000"
                ),
                bounce_type="Transient",
                bounce_subtype="MailboxFull",
                status="4.2.2",
                action="failed",
                diagnostic_code=(
                    "smtp; 452 4.2.2 The recipient's mailbox is over its storage limit"
                ),
            )
        ],
    ),
    "ses-notification_complaint_no-feedback-report.json": (
        FeedbackKind.COMPLAINT,
        "notification",
        "0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.COMPLAINT,
                email="richard@example.com",
                occurred_at=at("2016-01-27T14:59:38.237"),
                dialect="notification",
                source_type="Complaint",
                mail_message_id=(
                    "0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000"
                ),
                feedback_id=(
                    "0000013786031775-fea503bc-7497-49e1-881b-a0379bb037d3-000000"
                ),
            )
        ],
    ),
    "ses-notification_complaint_with-feedback-report.json": (
        FeedbackKind.COMPLAINT,
        "notification",
        "000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.COMPLAINT,
                email="richard@example.com",
                occurred_at=at("2016-01-27T14:59:38.237"),
                dialect="notification",
                source_type="Complaint",
                mail_message_id=(
                    "000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000"
                ),
                feedback_id=(
                    "000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000"
                ),
                complaint_feedback_type="abuse",
            )
        ],
    ),
    "ses-notification_delivery.json": (
        FeedbackKind.DELIVERY,
        "notification",
        "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
        [
            FeedbackRecord(
                kind=FeedbackKind.DELIVERY,
                email="jane@example.com",
                occurred_at=at("2016-01-27T14:59:38.237"),
                dialect="notification",
                source_type="Delivery",
                mail_message_id=(
                    "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000"
                ),
            )
        ],
    ),
}


class TestDocumentationFixtures:
    def test_every_fixture_has_an_expectation(self) -> None:
        """Each SES payload in fixtures/ses is checked by a test below."""
        assert sorted(path.name for path in FIXTURES.glob("*.json")) == sorted(EXPECTED)

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_fixture_parses_to_exact_records(self, name: str) -> None:
        """An AWS example becomes exactly the expected document and records."""
        kind, dialect, mail_message_id, records = EXPECTED[name]

        document = parse_feedback(read_fixture(name))

        assert document == FeedbackDocument(
            kind=kind,
            dialect=dialect,
            source_type=records[0].source_type,
            mail_message_id=mail_message_id,
            records=tuple(records),
        )
        assert document.is_feedback

    def test_timestamps_are_aware_utc(self) -> None:
        """Every record time carries a UTC offset of zero."""
        for name in EXPECTED:
            for record in parse_feedback(read_fixture(name)).records:
                assert record.occurred_at.utcoffset() is not None
                assert record.occurred_at.utcoffset() == UTC.utcoffset(None)

    def test_bounce_ignores_recipients_that_did_not_bounce(self) -> None:
        """mary@example.com is in mail.destination but never gets a bounce record."""
        document = parse_feedback(read_fixture("ses-notification_bounce_no-dsn.json"))

        assert "mary@example.com" not in {record.email for record in document.records}

    def test_complaint_ignores_recipients_that_did_not_complain(self) -> None:
        """Only the complained recipient gets a record, not all of mail.destination."""
        document = parse_feedback(
            read_fixture("ses-notification_complaint_with-feedback-report.json")
        )

        assert [record.email for record in document.records] == ["richard@example.com"]


class TestDialects:
    def test_both_dialects_of_one_bounce_share_a_dedup_key(self) -> None:
        """The same bounce as notification and as event deduplicates to one key."""
        event_form = load_fixture("ses-event_bounce.json")
        notification_form = dict(event_form)
        notification_form["notificationType"] = notification_form.pop("eventType")

        from_event = parse_feedback(json.dumps(event_form)).records
        from_notification = parse_feedback(json.dumps(notification_form)).records

        assert [record.dialect for record in from_event] == ["event"]
        assert [record.dialect for record in from_notification] == ["notification"]
        assert [record.dedup_key for record in from_event] == [
            record.dedup_key for record in from_notification
        ]
        assert from_event[0].dedup_key == (
            f"bounce:{EVENT_FEEDBACK_ID}:recipient@example.com"
        )

    def test_both_dialects_of_one_complaint_share_a_dedup_key(self) -> None:
        """The same complaint as notification and as event deduplicates to one key."""
        event_form = load_fixture("ses-event_complaint.json")
        notification_form = dict(event_form)
        notification_form["notificationType"] = notification_form.pop("eventType")

        from_event = parse_feedback(json.dumps(event_form)).records
        from_notification = parse_feedback(json.dumps(notification_form)).records

        assert from_event[0].dedup_key == from_notification[0].dedup_key

    def test_unknown_fields_are_ignored(self) -> None:
        """Fields SES adds later do not change the records."""
        document = load_fixture("ses-event_bounce.json")
        document["brandNewField"] = {"nested": [1, 2]}
        document["bounce"]["bouncedRecipients"][0]["extra"] = True

        parsed = parse_feedback(json.dumps(document))

        assert (
            parsed.records
            == parse_feedback(read_fixture("ses-event_bounce.json")).records
        )

    def test_complaint_subtype_is_kept(self) -> None:
        """complaintSubType OnAccountSuppressionList reaches the record."""
        document = load_fixture("ses-event_complaint.json")
        document["complaint"]["complaintSubType"] = "OnAccountSuppressionList"

        [record] = parse_feedback(json.dumps(document)).records

        assert record.complaint_subtype == "OnAccountSuppressionList"

    def test_null_complaint_subtype_is_none(self) -> None:
        """SES writes complaintSubType null for ordinary complaints."""
        document = load_fixture("ses-event_complaint.json")
        document["complaint"]["complaintSubType"] = None

        [record] = parse_feedback(json.dumps(document)).records

        assert record.complaint_subtype is None

    def test_event_time_falls_back_to_mail_timestamp(self) -> None:
        """A bounce without its own timestamp takes the time SES accepted the mail."""
        document = load_fixture("ses-event_bounce.json")
        del document["bounce"]["timestamp"]

        [record] = parse_feedback(json.dumps(document)).records

        assert record.occurred_at == at("2017-08-05T00:40:02.012")

    def test_offset_timestamps_are_converted_to_utc(self) -> None:
        """A timestamp with an offset is the same instant expressed in UTC."""
        document = load_fixture("ses-event_bounce.json")
        document["bounce"]["timestamp"] = "2017-08-05T02:41:02+02:00"

        [record] = parse_feedback(json.dumps(document)).records

        assert record.occurred_at == at("2017-08-05T00:41:02")
        assert record.occurred_at.tzinfo is UTC

    def test_repeated_recipient_gives_one_record(self) -> None:
        """One address listed twice in a bounce is one record."""
        document = load_fixture("ses-event_bounce.json")
        recipients = document["bounce"]["bouncedRecipients"]
        recipients.append({**recipients[0], "emailAddress": "RECIPIENT@example.com"})

        records = parse_feedback(json.dumps(document)).records

        assert [record.email for record in records] == ["recipient@example.com"]

    def test_destination_kinds_give_a_record_per_destination(self) -> None:
        """An Open sent to two addresses gives a record for each of them."""
        document = load_fixture("ses-event_open.json")
        document["mail"]["destination"] = ["a@example.com", '"Bee" <B@Example.com>']

        records = parse_feedback(json.dumps(document)).records

        assert [record.email for record in records] == [
            "a@example.com",
            "b@example.com",
        ]


class TestUnknownTypes:
    def test_unknown_event_type_has_no_records(self) -> None:
        """An event type SES adds later is kind UNKNOWN with no records."""
        document = load_fixture("ses-event_send.json")
        document["eventType"] = "Teleport"

        parsed = parse_feedback(json.dumps(document))

        assert parsed == FeedbackDocument(
            kind=FeedbackKind.UNKNOWN,
            dialect="event",
            source_type="Teleport",
            mail_message_id=EVENT_MAIL_ID,
        )
        assert parsed.is_feedback

    def test_unknown_notification_type_without_mail(self) -> None:
        """An unknown notification type needs no mail object."""
        parsed = parse_feedback(json.dumps({"notificationType": "Received"}))

        assert parsed.kind is FeedbackKind.UNKNOWN
        assert parsed.dialect == "notification"
        assert parsed.mail_message_id is None
        assert parsed.records == ()


class TestNotFeedback:
    def test_validation_notice_is_a_no_op(self) -> None:
        """SES's plain-text topic validation notice is a no-op, not an error."""
        parsed = parse_feedback(
            "Successfully validated SNS topic for Amazon SES event publishing."
        )

        assert parsed == FeedbackDocument(
            kind=None, non_feedback="ses_topic_validation"
        )
        assert not parsed.is_feedback

    def test_subscription_notice_is_a_no_op(self) -> None:
        """SES's AmazonSnsSubscriptionSucceeded notice is not feedback."""
        message = json.dumps(
            {
                "notificationType": "AmazonSnsSubscriptionSucceeded",
                "message": "You have successfully subscribed your topic.",
            }
        )

        parsed = parse_feedback(message)

        assert parsed.kind is None
        assert parsed.non_feedback == "ses_subscription_notice"

    @pytest.mark.parametrize(
        ("message", "why"),
        [
            ("hello from another publisher", "not_json"),
            ("", "not_json"),
            ('{"greeting": "hello"}', "not_ses_feedback"),
            ("[1, 2, 3]", "not_ses_feedback"),
            ("42", "not_ses_feedback"),
        ],
    )
    def test_other_messages_are_not_feedback(self, message: str, why: str) -> None:
        """Text or JSON without a type key is reported as non-feedback, not raised."""
        parsed = parse_feedback(message)

        assert parsed == FeedbackDocument(kind=None, non_feedback=why)


def broken(name: str, change: Any) -> str:
    document = load_fixture(name)
    change(document)
    return json.dumps(document)


MALFORMED: dict[str, str] = {
    "bounce without recipients list": broken(
        "ses-event_bounce.json", lambda d: d["bounce"].pop("bouncedRecipients")
    ),
    "bounce with empty recipients list": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"].update(bouncedRecipients=[]),
    ),
    "bounce recipients not a list": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"].update(bouncedRecipients="recipient@example.com"),
    ),
    "bounce address not a string": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"]["bouncedRecipients"][0].update(emailAddress=42),
    ),
    "bounce address without @": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"]["bouncedRecipients"][0].update(emailAddress="nobody"),
    ),
    "bounce without bounceType": broken(
        "ses-event_bounce.json", lambda d: d["bounce"].pop("bounceType")
    ),
    "bounce status not a string": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"]["bouncedRecipients"][0].update(status=511),
    ),
    "bounce section missing": broken(
        "ses-event_bounce.json", lambda d: d.pop("bounce")
    ),
    "bounce section not an object": broken(
        "ses-event_bounce.json", lambda d: d.update(bounce=["x"])
    ),
    "complaint without recipients list": broken(
        "ses-event_complaint.json",
        lambda d: d["complaint"].pop("complainedRecipients"),
    ),
    "complaint address null": broken(
        "ses-event_complaint.json",
        lambda d: d["complaint"]["complainedRecipients"][0].update(emailAddress=None),
    ),
    "delivery recipient not a string": broken(
        "ses-event_delivery.json",
        lambda d: d["delivery"].update(recipients=[{"emailAddress": "a@b.c"}]),
    ),
    "delay without recipients": broken(
        "ses-event_delayed-delivery.json",
        lambda d: d["deliveryDelay"].pop("delayedRecipients"),
    ),
    "mail missing": broken("ses-event_send.json", lambda d: d.pop("mail")),
    "mail without messageId": broken(
        "ses-event_send.json", lambda d: d["mail"].pop("messageId")
    ),
    "timestamp not a time": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"].update(timestamp="yesterday afternoon"),
    ),
    "timestamp without offset": broken(
        "ses-event_bounce.json",
        lambda d: d["bounce"].update(timestamp="2017-08-05T00:41:02"),
    ),
    "type not a string": json.dumps({"eventType": 7, "mail": {}}),
    "both type keys": json.dumps({"eventType": "Send", "notificationType": "Send"}),
}


class TestMalformedFeedback:
    @pytest.mark.parametrize("case", sorted(MALFORMED))
    def test_malformed_feedback_raises_feedback_invalid(self, case: str) -> None:
        """SES feedback that breaks the field reference is rejected with its code."""
        with pytest.raises(FeedbackInvalid) as caught:
            parse_feedback(MALFORMED[case])

        assert caught.value.code == "feedback_invalid"
        assert isinstance(caught.value, MessageRejected)
        assert "\n" not in caught.value.message

    def test_message_names_the_bad_field(self) -> None:
        """The error sentence names the offending field path."""
        with pytest.raises(
            FeedbackInvalid, match=r"bounce\.bouncedRecipients\.0\.emailAddress"
        ):
            parse_feedback(MALFORMED["bounce address not a string"])


class TestParseAddress:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("jane@example.com", "jane@example.com"),
            ("  Jane@Example.COM ", "jane@example.com"),
            ("<jane@example.com>", "jane@example.com"),
            ('"Jane Doe" <Jane@example.com>', "jane@example.com"),
            ("Jane Doe <jane@example.com>", "jane@example.com"),
        ],
    )
    def test_addresses_are_normalised(self, value: str, expected: str) -> None:
        """Case, whitespace, brackets and display names are removed."""
        assert parse_address(value) == expected

    @pytest.mark.parametrize("value", ["", "jane", "@example.com", "jane@", "Jane <>"])
    def test_non_addresses_are_rejected(self, value: str) -> None:
        """A value without a local part and a domain is not an address."""
        with pytest.raises(FeedbackInvalid) as caught:
            parse_address(value)

        assert "local@domain" in caught.value.message

    def test_refusal_does_not_repeat_the_value(self) -> None:
        """The sentence, which is logged, carries no part of the recipient."""
        with pytest.raises(FeedbackInvalid) as caught:
            parse_address("Jane Doe <jane.doe-at-example.com>")

        assert "jane" not in caught.value.message.lower()

"""POST /sns end to end: signed messages in, suppression state and statuses out.

Every test runs against SQLite and PostgreSQL. Messages are signed by the test
signer whose certificate is pinned, and SES payloads are the AWS documentation's
examples kept in fixtures/ses/.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings
from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN, TestSigner
from tests.api.conftest import AwsDouble, Webhook

SES_FIXTURES = Path(__file__).parents[2] / "fixtures" / "ses"
VALIDATION_NOTICE = "Successfully validated SNS topic for Amazon SES event publishing."


def ses_document(name: str, **changes: Any) -> dict[str, Any]:
    """An SES documentation example, parsed, with top-level sections replaced."""
    document: dict[str, Any] = json.loads((SES_FIXTURES / name).read_text())
    for section, values in changes.items():
        document[section] = {**document[section], **values}
    return document


def soft_bounce(email: str, when: datetime, feedback_id: str) -> str:
    """A Transient (MailboxFull) bounce of ``email`` at ``when``."""
    stamp = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    document = ses_document(
        "ses-notification_bounce_transient.json",
        bounce={
            "bounceType": "Transient",
            "bounceSubType": "General",
            "timestamp": stamp,
            "feedbackId": feedback_id,
            "bouncedRecipients": [{"emailAddress": email, "status": "4.2.2"}],
        },
    )
    return json.dumps(document)


def delay(email: str, number: int) -> str:
    document = ses_document("ses-event_delayed-delivery.json")
    document["deliveryDelay"]["delayedRecipients"] = [
        {"emailAddress": email, "status": "4.4.1", "diagnosticCode": "smtp; 421"}
    ]
    document["mail"]["messageId"] = f"delayed-mail-{number}"
    return json.dumps(document)


def headers_for(body: bytes) -> dict[str, str]:
    message = json.loads(body)
    return {
        "x-amz-sns-message-type": message["Type"],
        "x-amz-sns-message-id": message["MessageId"],
        "x-amz-sns-topic-arn": message["TopicArn"],
    }


async def history_actions(webhook: Webhook, email: str) -> list[str]:
    status = await webhook.services.store.get_status(email)
    return [entry.action for entry in status.history]


class TestFeedback:
    """Verified SES feedback becomes suppression state."""

    async def test_hard_bounce_suppresses_the_bounced_recipient(
        self, webhook: Webhook
    ) -> None:
        """A permanent bounce suppresses jane@example.com with its evidence."""
        body = webhook.notification(
            (SES_FIXTURES / "ses-notification_bounce_with-dsn.json").read_text()
        )

        response = await webhook.post(body, headers_for(body))

        assert response.status_code == 200
        assert response.json()["status"] == "accepted"
        status = await webhook.services.store.get_status("Jane@Example.com")
        assert status.suppressed is True
        assert status.reason == "bounce"
        [entry] = status.history
        assert entry.action == "suppressed"
        assert entry.sns_message_id == json.loads(body)["MessageId"]
        assert entry.evidence["bounce_type"] == "Permanent"
        assert entry.evidence["feedback_id"] == (
            "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000"
        )

    async def test_complaint_suppresses_and_unsubscribes_the_signup(
        self, webhook: Webhook
    ) -> None:
        """A complaint suppresses with reason complaint and ends the signup."""
        document = ses_document("ses-notification_complaint_with-feedback-report.json")
        email = document["complaint"]["complainedRecipients"][0]["emailAddress"]
        await webhook.services.store.upsert_signup(
            email, status="subscribed", source="test"
        )

        response = await webhook.post(webhook.notification(json.dumps(document)))

        assert response.status_code == 200
        status = await webhook.services.store.get_status(email)
        assert (status.suppressed, status.reason) == (True, "complaint")
        assert status.signup is not None
        assert status.signup.status == "unsubscribed"

    async def test_not_spam_complaint_does_not_suppress(self, webhook: Webhook) -> None:
        """Feedback type not-spam is recorded and leaves the address mailable."""
        document = ses_document(
            "ses-notification_complaint_with-feedback-report.json",
            complaint={"complaintFeedbackType": "not-spam"},
        )
        email = document["complaint"]["complainedRecipients"][0]["emailAddress"]

        response = await webhook.post(webhook.notification(json.dumps(document)))

        assert response.status_code == 200
        status = await webhook.services.store.get_status(email)
        assert status.suppressed is False
        assert [entry.action for entry in status.history] == ["complaint_recorded"]

    async def test_soft_bounces_on_three_days_suppress_and_delivery_heals(
        self, webhook: Webhook
    ) -> None:
        """Two soft bounces are healed by a delivery; three more days suppress."""
        email = "soft@example.com"
        start = datetime(2026, 11, 1, 9, tzinfo=UTC)
        for day in range(2):
            body = webhook.notification(
                soft_bounce(email, start + timedelta(days=day), f"soft-{day}")
            )
            assert (await webhook.post(body)).status_code == 200
        assert (await webhook.services.store.get_status(email)).soft_bounce_count == 2

        delivery = ses_document(
            "ses-notification_delivery.json",
            delivery={
                "timestamp": "2026-11-02T18:00:00.000Z",
                "recipients": [email],
            },
        )
        assert (
            await webhook.post(webhook.notification(json.dumps(delivery)))
        ).is_success
        healed = await webhook.services.store.get_status(email)
        assert (healed.soft_bounce_count, healed.suppressed) == (0, False)

        for day in range(3, 6):
            body = webhook.notification(
                soft_bounce(email, start + timedelta(days=day), f"soft-{day}")
            )
            assert (await webhook.post(body)).status_code == 200

        status = await webhook.services.store.get_status(email)
        assert (status.suppressed, status.reason) == (True, "soft_bounce")
        assert await history_actions(webhook, email) == [
            "soft_bounce_counted",
            "soft_bounce_counted",
            "soft_bounces_healed",
            "soft_bounce_counted",
            "soft_bounce_counted",
            "suppressed",
        ]

    @pytest.mark.parametrize(
        ("bounce", "suppressed", "ses_suppressed", "actions"),
        [
            (
                {
                    "bounceType": "Permanent",
                    "bounceSubType": "OnAccountSuppressionList",
                },
                False,
                True,
                ["ses_suppression_seen"],
            ),
            (
                {"bounceType": "Transient", "bounceSubType": "General"},
                True,
                False,
                ["suppressed"],
            ),
            (
                {"bounceType": "Transient", "bounceSubType": "ContentRejected"},
                False,
                False,
                ["content_bounce_recorded"],
            ),
        ],
        ids=["ses-account-list", "transient-with-5xx", "content-rejected"],
    )
    async def test_bounce_subtypes_follow_the_policy(
        self,
        webhook: Webhook,
        bounce: dict[str, str],
        suppressed: bool,
        ses_suppressed: bool,
        actions: list[str],
    ) -> None:
        """Each bounce subtype, with status 5.1.1, ends in the state the policy says."""
        document = ses_document("ses-notification_bounce_with-dsn.json", bounce=bounce)

        response = await webhook.post(webhook.notification(json.dumps(document)))

        assert response.status_code == 200
        status = await webhook.services.store.get_status("jane@example.com")
        assert (status.suppressed, status.ses_suppressed) == (
            suppressed,
            ses_suppressed,
        )
        assert [entry.action for entry in status.history] == actions

    @pytest.mark.parametrize(
        "content_type",
        ["application/json", "application/x-www-form-urlencoded", "", None],
        ids=["json", "form", "empty", "absent"],
    )
    async def test_the_content_type_never_matters(
        self, content_type: str | None, webhook: Webhook
    ) -> None:
        """SNS sends its JSON as text/plain; the body is read as JSON whatever
        the Content-Type says, and without one."""
        body = webhook.notification(
            (SES_FIXTURES / "ses-notification_bounce_with-dsn.json").read_text()
        )
        headers = headers_for(body)
        if content_type is not None:
            headers["content-type"] = content_type

        response = await webhook.client.post("/sns", content=body, headers=headers)

        assert response.status_code == 200, response.text
        status = await webhook.services.store.get_status("jane@example.com")
        assert status.suppressed is True

    async def test_delivery_delay_is_recorded_without_suppressing(
        self, webhook: Webhook
    ) -> None:
        """A DeliveryDelay event lands in the history only."""
        response = await webhook.post(
            webhook.notification(delay("late@example.com", 1))
        )

        assert response.status_code == 200
        status = await webhook.services.store.get_status("late@example.com")
        assert status.suppressed is False
        assert [entry.action for entry in status.history] == ["delay_recorded"]

    async def test_ses_validation_notice_is_acknowledged_as_a_no_op(
        self, webhook: Webhook
    ) -> None:
        """SES's first, non-JSON message on a topic is accepted and ignored."""
        response = await webhook.post(webhook.notification(VALIDATION_NOTICE))

        assert response.status_code == 200
        assert response.json()["status"] == "ignored"


class TestExactlyOnce:
    """However often SNS delivers, each message and each SES event counts once."""

    async def test_the_same_message_twice_changes_nothing_the_second_time(
        self, webhook: Webhook
    ) -> None:
        """A redelivered MessageId answers duplicate and writes no history."""
        body = webhook.notification(delay("twice@example.com", 1))

        first = await webhook.post(body)
        second = await webhook.post(body)

        assert first.json()["status"] == "accepted"
        assert second.status_code == 200
        assert second.json()["status"] == "duplicate"
        assert await history_actions(webhook, "twice@example.com") == ["delay_recorded"]

    async def test_one_bounce_in_both_dialects_counts_once(
        self, webhook: Webhook
    ) -> None:
        """The same feedbackId and recipient from both dialects is one event."""
        notification = (
            SES_FIXTURES / "ses-notification_bounce_no-dsn.json"
        ).read_text()
        event = ses_document("ses-event_bounce.json")
        notice = json.loads(notification)
        event["bounce"] = notice["bounce"]
        event["mail"]["messageId"] = notice["mail"]["messageId"]
        email = notice["bounce"]["bouncedRecipients"][0]["emailAddress"]

        await webhook.post(webhook.notification(notification))
        await webhook.post(webhook.notification(json.dumps(event)))

        assert await history_actions(webhook, email) == ["suppressed"]

    async def test_simultaneous_deliveries_for_one_address_lose_no_update(
        self, webhook: Webhook
    ) -> None:
        """Forty delays for one address at once give forty history entries."""
        email = "busy@example.com"
        bodies = [webhook.notification(delay(email, n)) for n in range(40)]

        responses = await asyncio.gather(*(webhook.post(body) for body in bodies))

        assert [r.status_code for r in responses] == [200] * 40
        assert await history_actions(webhook, email) == ["delay_recorded"] * 40

    async def test_simultaneous_redeliveries_are_accepted_exactly_once(
        self, webhook: Webhook
    ) -> None:
        """Twenty copies of one message at once: one accepted, the rest duplicates."""
        body = webhook.notification(delay("copies@example.com", 1))

        responses = await asyncio.gather(*(webhook.post(body) for _ in range(20)))

        outcomes = sorted(r.json()["status"] for r in responses)
        assert outcomes == ["accepted"] + ["duplicate"] * 19
        assert await history_actions(webhook, "copies@example.com") == [
            "delay_recorded"
        ]


class TestSubscriptions:
    """SubscriptionConfirmation and UnsubscribeConfirmation messages."""

    async def test_confirmation_visits_subscribe_url_once(
        self, webhook: Webhook
    ) -> None:
        """An allowed topic is confirmed by one GET of its SubscribeURL."""
        body = webhook.signer.envelope(type="SubscriptionConfirmation")

        first = await webhook.post(body)
        again = await webhook.post(body)

        assert first.json()["status"] == "confirmed"
        assert again.json()["status"] == "duplicate"
        [visit] = webhook.aws.requests
        assert visit.method == "GET"
        assert visit.url.params["Action"] == "ConfirmSubscription"
        assert visit.url.params["TopicArn"] == DEFAULT_TOPIC_ARN

    async def test_a_subscribe_url_off_the_allow_list_is_never_visited(
        self, webhook: Webhook
    ) -> None:
        """A signed confirmation pointing elsewhere is refused with no request."""
        evil = (
            "https://sns.us-east-1.amazonaws.com.evil.example/"
            f"?Action=ConfirmSubscription&TopicArn={DEFAULT_TOPIC_ARN}&Token=t"
        )
        body = webhook.signer.envelope(
            type="SubscriptionConfirmation", SubscribeURL=evil
        )

        response = await webhook.post(body)

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "subscribe_url_refused"
        assert webhook.aws.requests == []

    async def test_manual_mode_records_without_visiting(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """With manual confirmation the subscription waits for an operator."""
        webhook = await start_webhook(subscription_confirmation="manual")

        response = await webhook.post(
            webhook.signer.envelope(type="SubscriptionConfirmation")
        )

        assert response.json()["status"] == "pending"
        assert webhook.aws.requests == []

    async def test_failed_confirmation_asks_sns_to_retry(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """AWS answering 500 to the confirmation gives 503, nothing recorded."""
        webhook = await start_webhook(aws=AwsDouble(confirm_status=500))
        body = webhook.signer.envelope(type="SubscriptionConfirmation")

        response = await webhook.post(body)
        webhook.aws.confirm_status = 200
        retried = await webhook.post(body)

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "subscription_confirm_failed"
        assert retried.json()["status"] == "confirmed"

    async def test_a_slow_confirmation_is_cut_short_with_a_503(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """Past SNSRECEIVER_DELIVERY_TIMEOUT the answer is 503, so SNS retries."""
        webhook = await start_webhook(aws=AwsDouble(delay=30), delivery_timeout=0.2)

        response = await webhook.post(
            webhook.signer.envelope(type="SubscriptionConfirmation")
        )

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "delivery_timed_out"

    async def test_unsubscribe_confirmation_is_recorded_and_fetches_nothing(
        self, webhook: Webhook
    ) -> None:
        """UnsubscribeConfirmation never visits any URL."""
        response = await webhook.post(
            webhook.signer.envelope(type="UnsubscribeConfirmation")
        )

        assert response.json()["status"] == "unsubscribed"
        assert webhook.aws.requests == []


class TestRefusals:
    """Messages that can never succeed get 4xx; retryable failures get 503."""

    async def test_a_changed_signed_field_is_refused(self, webhook: Webhook) -> None:
        """One changed character in Message breaks the signature: 403."""
        body = webhook.notification(delay("x@example.com", 1))
        tampered = body.replace(b"x@example.com", b"y@example.com")

        response = await webhook.post(tampered)

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "signature_invalid"
        status = await webhook.services.store.get_status("y@example.com")
        assert status.history == []

    async def test_a_topic_off_the_allow_list_is_refused(
        self, webhook: Webhook
    ) -> None:
        """A valid signature from another topic still gets 403."""
        other = "arn:aws:sns:us-east-1:123456789012:someone-else"
        body = webhook.signer.envelope(message="{}", topic_arn=other)

        response = await webhook.post(body)

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "topic_not_allowed"

    async def test_no_allow_list_refuses_every_message(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """Without SNSRECEIVER_TOPIC_ARNS the service starts and refuses all."""
        webhook = await start_webhook(topic_arns=())

        response = await webhook.post(webhook.signer.envelope(message="{}"))

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "topic_not_allowed"
        assert "SNSRECEIVER_TOPIC_ARNS" in response.json()["error"]["message"]
        assert "no topic is" in response.json()["error"]["message"]

    async def test_a_stale_message_is_refused(self, webhook: Webhook) -> None:
        """A Timestamp two hours old is past SNS's retry period: 400."""
        old = datetime.now(UTC) - timedelta(hours=2)

        response = await webhook.post(webhook.signer.envelope(timestamp=old))

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "stale_message"

    async def test_an_oversized_body_is_refused_unread(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """A body over SNSRECEIVER_MAX_BODY_BYTES gets 413."""
        webhook = await start_webhook(max_body_bytes=2048)

        response = await webhook.post(b"{" + b" " * 4096 + b"}")

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "message_too_large"

    async def test_malformed_json_is_refused(self, webhook: Webhook) -> None:
        """A body that is not JSON gets 400 with a stable code."""
        response = await webhook.post(b"not json at all")

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_json"

    async def test_raw_delivery_is_refused_with_advice(self, webhook: Webhook) -> None:
        """x-amz-sns-rawdelivery: true is unsigned, so it is refused."""
        body = webhook.notification(delay("raw@example.com", 1))

        response = await webhook.post(body, {"x-amz-sns-rawdelivery": "true"})

        assert response.status_code == 400
        assert "raw" in response.json()["error"]["message"].lower()

    async def test_header_and_body_must_agree(self, webhook: Webhook) -> None:
        """x-amz-sns-message-type differing from Type gets 400."""
        body = webhook.notification(delay("hdr@example.com", 1))
        headers = headers_for(body) | {"x-amz-sns-message-type": "Notification2"}

        response = await webhook.post(body, headers)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "header_mismatch"

    async def test_header_names_are_compared_in_any_case(
        self, webhook: Webhook
    ) -> None:
        """SNS headers count however their names are spelt on the wire."""
        body = webhook.notification(delay("case@example.com", 1))

        mismatched = await webhook.post(
            body, {"X-Amz-Sns-Message-Id": "another-message-id"}
        )
        raw = await webhook.post(body, {"X-AMZ-SNS-RAWDELIVERY": "true"})

        assert mismatched.status_code == 400
        assert mismatched.json()["error"]["code"] == "header_mismatch"
        assert raw.json()["error"]["code"] == "raw_delivery"

    @pytest.mark.parametrize(
        ("name", "valid_days", "key_size", "code"),
        [
            ("example.com", 30, 2048, "certificate_name_mismatch"),
            ("sns.amazonaws.com", -1, 2048, "certificate_expired"),
            ("sns.amazonaws.com", 30, 1024, "certificate_weak_key"),
        ],
        ids=["wrong-name", "expired", "weak-key"],
    )
    async def test_a_certificate_that_cannot_sign_is_a_permanent_refusal(
        self,
        name: str,
        valid_days: int,
        key_size: int,
        code: str,
        webhook: Webhook,
        pinned_cert_dir: Path,
    ) -> None:
        """A bad certificate will be just as bad at the next delivery: 403."""
        now = datetime.now(UTC)
        signer = TestSigner(
            name=name,
            not_before=now - timedelta(days=60),
            not_after=now + timedelta(days=valid_days),
            key_size=key_size,
        )
        signer.pin(pinned_cert_dir)

        response = await webhook.post(signer.envelope(message="{}"))

        assert response.status_code == 403
        assert response.json()["error"]["code"] == code
        assert webhook.aws.requests == []

    async def test_unfetchable_certificate_asks_sns_to_retry(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """A certificate that is neither pinned nor fetchable gives 503."""
        webhook = await start_webhook(aws=AwsDouble(other_status=500))
        stranger = TestSigner()

        response = await webhook.post(stranger.envelope(message="{}"))

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "certificate_unavailable"
        [fetch] = webhook.aws.requests
        assert fetch.url.path == f"/{stranger.file_name}"


class TestDeliveryRecord:
    """Each delivery leaves one log line and its counts, whatever became of it."""

    async def test_an_accepted_message_is_logged_with_its_facts(
        self, webhook: Webhook, caplog: pytest.LogCaptureFixture
    ) -> None:
        body = webhook.notification(delay("logged@example.com", 1))
        message_id = json.loads(body)["MessageId"]

        with caplog.at_level("INFO", logger="snsreceiver.delivery"):
            response = await webhook.post(body, headers_for(body))

        assert response.status_code == 200
        [line] = [r for r in caplog.records if r.name == "snsreceiver.delivery"]
        fields = {
            name: getattr(line, name)
            for name in ("sns_message_id", "topic_arn", "message_type", "status")
        }
        assert fields == {
            "sns_message_id": message_id,
            "topic_arn": DEFAULT_TOPIC_ARN,
            "message_type": "Notification",
            "status": 200,
        }
        assert line.outcome == response.json()["status"]
        assert line.verified is True
        assert line.getMessage().startswith(f"sns message={message_id} topic=")
        assert line.duration_ms >= 0

    async def test_an_unexpected_failure_is_a_500_that_sns_retries(
        self,
        webhook: Webhook,
        caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A bug or an unforeseen error never acknowledges the message."""

        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("an unforeseen failure")

        monkeypatch.setattr(webhook.services.deliveries, "handle", broken)
        body = webhook.notification(delay("broken@example.com", 1))
        message_id = json.loads(body)["MessageId"]
        registry = webhook.services.metrics.registry
        errors = (
            "snsreceiver_messages_total",
            {"type": "Notification", "outcome": "error"},
        )
        before = registry.get_sample_value(*errors) or 0.0

        with caplog.at_level("INFO", logger="snsreceiver"):
            response = await webhook.post(body, headers_for(body))

        assert response.status_code == 500
        assert response.json()["error"]["code"] == "internal_error"
        assert "unforeseen" not in response.text
        failure = next(r for r in caplog.records if r.levelname == "ERROR")
        assert failure.getMessage() == f"failed to handle SNS message {message_id}"
        assert failure.exc_info is not None
        [line] = [r for r in caplog.records if r.name == "snsreceiver.delivery"]
        assert (line.outcome, line.status, line.verified) == ("error", 500, False)
        assert registry.get_sample_value(*errors) == before + 1
        status = await webhook.services.store.get_status("broken@example.com")
        assert status.history == []


class TestBasicAuth:
    """Optional HTTP Basic credentials in front of the webhook."""

    async def test_missing_credentials_get_a_basic_challenge(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """Without credentials SNS is challenged, as it expects, with 401."""
        webhook = await start_webhook(webhook_username="sns", webhook_password="s3cret")

        response = await webhook.post(webhook.notification(delay("b@example.com", 1)))

        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic")

    async def test_right_credentials_are_let_through(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """With the configured user and password the message is handled."""
        webhook = await start_webhook(webhook_username="sns", webhook_password="s3cret")
        credentials = base64.b64encode(b"sns:s3cret").decode()

        response = await webhook.post(
            webhook.notification(delay("b@example.com", 1)),
            {"authorization": f"Basic {credentials}"},
        )

        assert response.status_code == 200


async def test_an_unreachable_database_asks_sns_to_retry(
    pinned_cert_dir: Path, test_signer: TestSigner
) -> None:
    """When the store cannot be reached the answer is 503, so SNS retries."""
    settings = Settings(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
        migrate_on_start=False,
        cert_dir=pinned_cert_dir,
        topic_arns=(DEFAULT_TOPIC_ARN,),
    )
    app = create_app(settings)

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as http:
            response = await http.post(
                "/sns", content=test_signer.envelope(message=delay("d@example.com", 1))
            )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"


class TestReplicas:
    """Several replicas on one database behave as one."""

    async def test_two_replicas_sharing_a_store_count_each_event_once(
        self, start_webhook: Callable[..., Any]
    ) -> None:
        """Deliveries spread over two apps give the same history as one app."""
        first = await start_webhook()
        second = await start_webhook()
        email = "shared@example.com"
        bodies = [first.notification(delay(email, n)) for n in range(20)]

        # Every message goes to both replicas at once, as SNS retries might.
        responses = await asyncio.gather(
            *(replica.post(body) for body in bodies for replica in (first, second))
        )

        outcomes = sorted(response.json()["status"] for response in responses)
        assert outcomes == ["accepted"] * 20 + ["duplicate"] * 20
        assert await history_actions(first, email) == ["delay_recorded"] * 20
        assert await history_actions(second, email) == ["delay_recorded"] * 20

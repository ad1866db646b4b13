"""The verifier: every check, in order, on real AWS messages and test-signed ones."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from snsreceiver.errors import (
    CertificateRejected,
    CertificateUnavailable,
    CertificateUrlRefused,
    DeliveryMismatch,
    MalformedMessage,
    MessageRejected,
    SignatureInvalid,
    StaleMessage,
    TemporaryFailure,
    TopicNotAllowed,
)
from snsreceiver.settings import Settings, load_settings
from snsreceiver.sns.certificates import CertificateStore
from snsreceiver.sns.message import parse_message
from snsreceiver.sns.testkit import TestSigner
from snsreceiver.sns.verifier import DeliveryHeaders, MessageVerifier
from tests.sns.support import NOW, REAL_AWS, TOPIC, CertServer, Clock

REAL_MESSAGES = [
    pytest.param(path.read_bytes(), id=path.stem)
    for path in sorted(REAL_AWS.glob("*.json"))
]
SIGNED_FIELDS = (
    "Message",
    "MessageId",
    "Subject",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
)


def _flip(value: str) -> str:
    """The same string with its last significant character changed by one."""
    index = len(value) - 1
    if value.endswith("Z"):
        index -= 1
    replacement = "1" if value[index] == "0" else "0"
    if value[index].isalpha():
        replacement = "b" if value[index] == "a" else "a"
    return value[:index] + replacement + value[index + 1 :]


@pytest.fixture
def real_verifier(http_client: httpx.AsyncClient, clock: Clock) -> MessageVerifier:
    """A verifier for any topic with the real AWS certificates pinned."""
    settings = load_settings(cert_dir=REAL_AWS)
    store = CertificateStore.from_settings(settings, http_client, clock=clock)
    return MessageVerifier(settings, store, clock=clock, any_topic=True)


async def _verify_real(verifier: MessageVerifier, body: bytes | str) -> None:
    sent_at = json.loads(body)["Timestamp"]
    await verifier.verify(body, at=datetime.fromisoformat(sent_at))


class TestRealAwsMessages:
    @pytest.mark.parametrize("body", REAL_MESSAGES)
    async def test_verifies_at_the_time_it_was_sent(
        self, body: bytes, real_verifier: MessageVerifier, cert_server: CertServer
    ) -> None:
        """Every AWS-signed fixture verifies against its pinned certificate."""
        message = await real_verifier.verify(body, at=parse_message(body).timestamp)

        assert message.raw == body
        assert cert_server.requests == []

    @pytest.mark.parametrize("body", REAL_MESSAGES)
    async def test_any_signed_field_changed_by_one_character_fails(
        self, body: bytes, real_verifier: MessageVerifier
    ) -> None:
        """One changed character in any signed field breaks the signature."""
        document = json.loads(body)
        changed = [
            field for field in SIGNED_FIELDS if isinstance(document.get(field), str)
        ]
        assert len(changed) >= 4

        for field in changed:
            tampered = dict(document, **{field: _flip(document[field])})
            with pytest.raises(MessageRejected) as caught:
                await _verify_real(real_verifier, json.dumps(tampered))
            # A confirmation's SubscribeURL names its topic and Token, so that
            # check fires first when either side of the pair changes.
            expected = "signature_invalid"
            if document["Type"] != "Notification" and field in (
                "TopicArn",
                "Token",
                "SubscribeURL",
            ):
                expected = "subscribe_url_refused"
            assert caught.value.code == expected, field

    @pytest.mark.parametrize(
        "body",
        [
            param
            for param in REAL_MESSAGES
            if json.loads(param.values[0])["Type"] != "Notification"
        ],
    )
    async def test_subscribe_url_is_covered_by_the_signature(
        self, body: bytes, real_verifier: MessageVerifier
    ) -> None:
        """A SubscribeURL that still passes its own checks must still be signed."""
        document = json.loads(body)
        key = "SubscribeURL" if "SubscribeURL" in document else "SubscribeUrl"
        document[key] += "&Extra=1"

        with pytest.raises(MessageRejected) as caught:
            await _verify_real(real_verifier, json.dumps(document))

        assert caught.value.code == "signature_invalid"

    @pytest.mark.parametrize("body", REAL_MESSAGES[:3])
    async def test_changed_type_fails(
        self, body: bytes, real_verifier: MessageVerifier
    ) -> None:
        """Type is signed too; a one-letter change is refused."""
        document = json.loads(body)
        document["Type"] = _flip(document["Type"])

        with pytest.raises(MessageRejected):
            await _verify_real(real_verifier, json.dumps(document))

    @pytest.mark.parametrize("body", REAL_MESSAGES)
    async def test_unsigned_fields_can_change(
        self, body: bytes, real_verifier: MessageVerifier
    ) -> None:
        """UnsubscribeURL and MessageAttributes are not signed."""
        document = json.loads(body)
        for key in ("UnsubscribeURL", "UnsubscribeUrl"):
            if key in document:
                document[key] = _flip(document[key])
        document["MessageAttributes"] = {"added": {"Type": "String", "Value": "x"}}

        await _verify_real(real_verifier, json.dumps(document, indent=4))

    @pytest.mark.parametrize("body", REAL_MESSAGES)
    async def test_disallowed_certificate_url_is_refused_before_fetch(
        self, body: bytes, real_verifier: MessageVerifier, cert_server: CertServer
    ) -> None:
        """SigningCertURL is unsigned, so the allow-list must catch a swap."""
        document = json.loads(body)
        key = "SigningCertURL" if "SigningCertURL" in document else "SigningCertUrl"
        name = document[key].rsplit("/", 1)[1]
        document[key] = f"https://attacker.example/{name}"

        with pytest.raises(CertificateUrlRefused):
            await _verify_real(real_verifier, json.dumps(document))

        assert cert_server.requests == []

    async def test_real_message_is_refused_today(
        self, http_client: httpx.AsyncClient
    ) -> None:
        """Judged at the current time, a recorded message is stale."""
        settings = load_settings(cert_dir=REAL_AWS)
        store = CertificateStore.from_settings(settings, http_client)
        verifier = MessageVerifier(settings, store, any_topic=True)

        with pytest.raises(StaleMessage):
            await verifier.verify(REAL_MESSAGES[0].values[0])  # type: ignore[arg-type]


class TestAcceptance:
    @pytest.mark.parametrize("version", ["1", "2"])
    @pytest.mark.parametrize(
        "kind", ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]
    )
    async def test_test_signed_message_verifies(
        self,
        kind: Any,
        version: Any,
        test_signer: TestSigner,
        verifier: MessageVerifier,
    ) -> None:
        """Each type in each signature version verifies end to end."""
        body = test_signer.envelope(type=kind, version=version, timestamp=NOW)

        message = await verifier.verify(body)

        assert message.type == kind
        assert message.signature_version == version

    async def test_subject_and_unicode_are_signed_as_utf8(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """Non-ASCII text in Subject and Message verifies."""
        body = test_signer.envelope(
            subject="Rückläufer ✉", message='{"x": "Ünïcödé"}', timestamp=NOW
        )

        message = await verifier.verify(body.decode())

        assert message.subject == "Rückläufer ✉"

    async def test_lambda_casing_verifies(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """A Lambda-style record with SigningCertUrl and a null Subject verifies."""
        document = json.loads(test_signer.envelope(timestamp=NOW))
        document["SigningCertUrl"] = document.pop("SigningCertURL")
        document["UnsubscribeUrl"] = document.pop("UnsubscribeURL")
        document["Subject"] = None

        message = await verifier.verify(json.dumps(document))

        assert message.subject is None

    async def test_matching_headers_in_any_case_are_accepted(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """Headers that agree with the body pass, whatever their case."""
        body = test_signer.envelope(timestamp=NOW, message_id="id-1")
        headers = {
            "X-Amz-Sns-Message-Type": "Notification",
            "x-amz-sns-message-id": "id-1",
            "X-AMZ-SNS-TOPIC-ARN": TOPIC,
            "x-amz-sns-rawdelivery": "false",
            "Content-Type": "text/plain; charset=UTF-8",
        }

        message = await verifier.verify(body, headers)

        assert message.message_id == "id-1"

    async def test_at_replaces_the_clock(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """A message from a day ago verifies when judged a day ago."""
        then = NOW - timedelta(days=1)
        body = test_signer.envelope(timestamp=then)

        with pytest.raises(StaleMessage):
            await verifier.verify(body)
        await verifier.verify(body, at=then)

    async def test_second_message_hits_the_cache(
        self,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        store: CertificateStore,
        cert_server: CertServer,
    ) -> None:
        """Two messages signed with one certificate make one fetch."""
        await verifier.verify(test_signer.envelope(timestamp=NOW))
        await verifier.verify(test_signer.envelope(timestamp=NOW))

        assert len(cert_server.requests) == 1
        assert store.hits == 1


class TestDelivery:
    async def test_raw_delivery_is_refused_before_parsing(
        self, verifier: MessageVerifier
    ) -> None:
        """Raw delivery is unsigned; the message says to turn it off."""
        with pytest.raises(DeliveryMismatch) as caught:
            await verifier.verify(b"free text", {"x-amz-sns-rawdelivery": "true"})

        assert caught.value.code == "raw_delivery"
        assert "unsigned" in caught.value.message
        assert "RawMessageDelivery off" in caught.value.message

    @pytest.mark.parametrize(
        ("header", "value"),
        [
            ("x-amz-sns-message-type", "SubscriptionConfirmation"),
            ("x-amz-sns-message-id", "another-id"),
            ("x-amz-sns-topic-arn", "arn:aws:sns:us-east-1:123456789012:other"),
        ],
    )
    async def test_header_disagreeing_with_body_is_refused(
        self,
        header: str,
        value: str,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """Each SNS header must equal its body field."""
        body = test_signer.envelope(timestamp=NOW)

        with pytest.raises(DeliveryMismatch) as caught:
            await verifier.verify(body, {header: value})

        assert caught.value.code == "header_mismatch"
        assert header in caught.value.message
        assert cert_server.requests == []

    def test_delivery_headers_keep_only_the_sns_ones(self) -> None:
        """from_asgi keeps the x-amz-sns-* pairs of an ASGI header list, decoded,
        with their names in lower case even if the server left them mixed."""
        headers = DeliveryHeaders.from_asgi(
            [
                (b"content-type", b"text/plain; charset=UTF-8"),
                (b"x-amz-sns-message-id", b"id-1"),
                (b"X-Amz-Sns-Topic-Arn", TOPIC.encode()),
                (b"user-agent", b"Amazon Simple Notification Service Agent"),
            ]
        )

        assert headers == {
            "x-amz-sns-message-id": "id-1",
            "x-amz-sns-topic-arn": TOPIC,
        }

    @pytest.mark.parametrize(
        ("pair", "code"),
        [
            ((b"x-amz-sns-message-id", b"another-id"), "header_mismatch"),
            ((b"X-Amz-Sns-Message-Id", b"another-id"), "header_mismatch"),
            ((b"x-amz-sns-rawdelivery", b"true"), "raw_delivery"),
            ((b"x-amz-sns-rawdelivery", b"TRUE "), "raw_delivery"),
        ],
    )
    async def test_delivery_headers_are_checked_as_they_come(
        self,
        pair: tuple[bytes, bytes],
        code: str,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """Headers the webhook hands over unchanged are held to the body too."""
        body = test_signer.envelope(timestamp=NOW, message_id="id-1")

        with pytest.raises(DeliveryMismatch) as caught:
            await verifier.verify(body, DeliveryHeaders.from_asgi([pair]))

        assert caught.value.code == code
        assert cert_server.requests == []


class TestPolicy:
    async def test_topic_off_the_allow_list_is_refused_before_fetch(
        self,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """A valid signature from another topic is still refused."""
        body = test_signer.envelope(
            topic_arn="arn:aws:sns:us-east-1:999999999999:other", timestamp=NOW
        )

        with pytest.raises(TopicNotAllowed) as caught:
            await verifier.verify(body)

        assert caught.value.code == "topic_not_allowed"
        assert cert_server.requests == []

    @pytest.mark.parametrize(
        "kind", ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]
    )
    async def test_empty_allow_list_refuses_everything(
        self, kind: Any, test_signer: TestSigner, store: CertificateStore, clock: Clock
    ) -> None:
        """With no topics configured every message is refused, confirmations too."""
        verifier = MessageVerifier(load_settings(), store, clock=clock)

        with pytest.raises(TopicNotAllowed):
            await verifier.verify(test_signer.envelope(type=kind, timestamp=NOW))

    async def test_any_topic_accepts_every_topic(
        self, test_signer: TestSigner, store: CertificateStore, clock: Clock
    ) -> None:
        """any_topic drops the allow-list for offline verification."""
        verifier = MessageVerifier(load_settings(), store, clock=clock, any_topic=True)
        body = test_signer.envelope(
            topic_arn="arn:aws:sns:eu-west-1:999999999999:other", timestamp=NOW
        )

        message = await verifier.verify(body)

        assert message.region == "eu-west-1"

    async def test_operator_can_require_version_two(
        self,
        test_signer: TestSigner,
        store: CertificateStore,
        clock: Clock,
        cert_server: CertServer,
    ) -> None:
        """With signature_versions={"2"} a version 1 message is refused, and
        refused before its certificate is looked for."""
        settings = load_settings(topic_arns=[TOPIC], signature_versions=["2"])
        verifier = MessageVerifier(settings, store, clock=clock)

        with pytest.raises(MalformedMessage) as caught:
            await verifier.verify(test_signer.envelope(version="1", timestamp=NOW))
        assert cert_server.requests == []
        assert store.misses == 0
        await verifier.verify(test_signer.envelope(version="2", timestamp=NOW))

        assert caught.value.code == "unsupported_signature_version"

    async def test_unknown_version_is_refused(
        self,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """SignatureVersion 3 does not exist; nothing is fetched for it."""
        document = json.loads(test_signer.envelope(timestamp=NOW))
        document["SignatureVersion"] = "3"

        with pytest.raises(MalformedMessage) as caught:
            await verifier.verify(json.dumps(document))

        assert caught.value.code == "unsupported_signature_version"
        assert cert_server.requests == []

    @pytest.mark.parametrize(
        ("offset", "code"),
        [(3901, "stale_message"), (-301, "future_message")],
        ids=["too-old", "too-far-ahead"],
    )
    async def test_timestamp_outside_the_window(
        self,
        offset: int,
        code: str,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """Old or future timestamps are refused both ways, before any fetch."""
        body = test_signer.envelope(timestamp=NOW - timedelta(seconds=offset))

        with pytest.raises(StaleMessage) as caught:
            await verifier.verify(body)

        assert caught.value.code == code
        assert cert_server.requests == []

    @pytest.mark.parametrize("offset", [3899, -299], ids=["old", "ahead"])
    async def test_timestamp_inside_the_window(
        self, offset: int, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """Clock skew within the limits is tolerated both ways."""
        body = test_signer.envelope(timestamp=NOW - timedelta(seconds=offset))

        await verifier.verify(body)

    async def test_window_comes_from_settings(
        self, test_signer: TestSigner, store: CertificateStore, clock: Clock
    ) -> None:
        """max_message_age narrows the accepted window."""
        settings = load_settings(topic_arns=[TOPIC], max_message_age=60)
        verifier = MessageVerifier(settings, store, clock=clock)

        with pytest.raises(StaleMessage):
            await verifier.verify(
                test_signer.envelope(timestamp=NOW - timedelta(minutes=2))
            )

    async def test_subscribe_url_for_another_topic_is_refused(
        self,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """A confirmation may only point at its own topic's ConfirmSubscription."""
        body = test_signer.envelope(
            type="SubscriptionConfirmation",
            timestamp=NOW,
            SubscribeURL="https://evil.example/?Action=ConfirmSubscription",
        )

        with pytest.raises(CertificateUrlRefused) as caught:
            await verifier.verify(body)

        assert caught.value.code == "subscribe_url_refused"
        assert cert_server.requests == []

    async def test_certificate_url_of_another_region_is_refused(
        self,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """A us-east-1 topic cannot name a certificate on the eu-west-1 host."""
        body = test_signer.envelope(
            timestamp=NOW, SigningCertURL=test_signer.cert_url("eu-west-1")
        )

        with pytest.raises(CertificateUrlRefused):
            await verifier.verify(body)

        assert cert_server.requests == []

    async def test_stale_message_with_bad_url_reports_staleness(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """The cheaper timestamp check runs before the URL check."""
        body = test_signer.envelope(
            timestamp=NOW - timedelta(days=1), SigningCertURL="https://evil.example/x"
        )

        with pytest.raises(StaleMessage):
            await verifier.verify(body)


class TestCertificateAndSignature:
    async def test_signature_by_another_key_is_refused(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """A message signed with a key other than the certificate's fails."""
        impostor = TestSigner(key_size=2048)
        body = impostor.envelope(
            timestamp=NOW, SigningCertURL=test_signer.cert_url("us-east-1")
        )

        with pytest.raises(SignatureInvalid) as caught:
            await verifier.verify(body)

        assert caught.value.code == "signature_invalid"

    async def test_signature_that_is_not_base64_is_refused(
        self, test_signer: TestSigner, verifier: MessageVerifier
    ) -> None:
        """A Signature that does not decode is its own error."""
        document = json.loads(test_signer.envelope(timestamp=NOW))
        document["Signature"] = "not base64 at all!"

        with pytest.raises(SignatureInvalid) as caught:
            await verifier.verify(json.dumps(document))

        assert caught.value.code == "signature_malformed"

    async def test_unavailable_certificate_is_temporary(
        self,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """A failed fetch asks SNS to retry rather than give up."""
        cert_server.respond = lambda request: httpx.Response(503)

        with pytest.raises(CertificateUnavailable) as caught:
            await verifier.verify(test_signer.envelope(timestamp=NOW))

        assert isinstance(caught.value, TemporaryFailure)
        assert not isinstance(caught.value, MessageRejected)

    @pytest.mark.parametrize(
        ("signer_options", "code"),
        [
            ({"name": "sns.amazonaws.com.evil.example"}, "certificate_name_mismatch"),
            (
                {
                    "not_before": NOW - timedelta(days=30),
                    "not_after": NOW - timedelta(days=1),
                },
                "certificate_expired",
            ),
            ({"key_size": 1024}, "certificate_weak_key"),
        ],
        ids=["name", "expired", "weak-key"],
    )
    async def test_bad_certificate_is_refused(
        self,
        signer_options: dict[str, Any],
        code: str,
        signing_key: rsa.RSAPrivateKey,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """Name, validity and key size of the certificate are all checked."""
        if "key_size" not in signer_options:
            signer_options["key"] = signing_key
        signer = TestSigner(**signer_options)
        cert_server.pem = signer.certificate_pem

        with pytest.raises(CertificateRejected) as caught:
            await verifier.verify(signer.envelope(timestamp=NOW))

        assert caught.value.code == code


def test_verifier_reads_its_policy_from_settings(store: CertificateStore) -> None:
    """Topics, versions and window are taken from the settings object."""
    settings: Settings = load_settings(
        topic_arns=[TOPIC], signature_versions=["2"], max_clock_skew=10
    )

    verifier = MessageVerifier(settings, store)

    assert verifier._topics == {TOPIC}
    assert verifier._versions == {"2"}
    assert verifier._max_skew == timedelta(seconds=10)

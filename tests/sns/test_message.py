"""Strict parsing of SNS message bodies."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import jiter
import pytest

from snsreceiver.errors import MalformedMessage
from snsreceiver.sns.message import (
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    _decode_strictly,
    parse_message,
)
from tests.sns.support import REAL_AWS


def _body(**changes: Any) -> bytes:
    document: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": "5f7b6a0e-0000-4000-8000-000000000001",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback",
        "Subject": "Amazon SES Email Event Notification",
        "Message": '{"notificationType":"Bounce"}',
        "Timestamp": "2026-06-01T11:59:00.000Z",
        "SignatureVersion": "1",
        "Signature": "c2lnbmF0dXJl",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    for key, value in changes.items():
        if value is ...:
            document.pop(key)
        else:
            document[key] = value
    return json.dumps(document).encode()


def _code(body: bytes | str) -> str:
    with pytest.raises(MalformedMessage) as caught:
        parse_message(body)
    return caught.value.code


class TestFields:
    def test_http_delivery_is_read_into_snake_case_fields(self) -> None:
        """Every AWS field lands in its snake_case attribute."""
        message = parse_message(_body())

        assert message.type == "Notification"
        assert message.message_id == "5f7b6a0e-0000-4000-8000-000000000001"
        assert message.topic_arn == "arn:aws:sns:us-east-1:123456789012:ses-feedback"
        assert message.subject == "Amazon SES Email Event Notification"
        assert message.message == '{"notificationType":"Bounce"}'
        assert message.timestamp == datetime(2026, 6, 1, 11, 59, tzinfo=UTC)
        assert message.timestamp_text == "2026-06-01T11:59:00.000Z"
        assert message.signature_version == "1"
        assert message.signing_cert_url.endswith("abcdef.pem")
        assert message.unsubscribe_url is not None
        assert message.subscribe_url is None
        assert message.token is None
        assert message.region == "us-east-1"

    def test_raw_keeps_the_body_bytes(self) -> None:
        """The body is available exactly as received, also when given as text."""
        body = _body()

        assert parse_message(body).raw == body
        assert parse_message(body.decode()).raw == body

    def test_lambda_casing_reads_like_http_casing(self) -> None:
        """SigningCertUrl/UnsubscribeUrl and a null Subject parse like HTTP keys."""
        http = parse_message(
            (
                REAL_AWS / "aws-php-sns-message-validator_http_no-subject.json"
            ).read_bytes()
        )
        lambda_ = parse_message(
            (
                REAL_AWS / "aws-php-sns-message-validator_lambda_null-subject.json"
            ).read_bytes()
        )

        assert lambda_.subject is None
        assert lambda_.signing_cert_url == http.signing_cert_url
        assert lambda_.unsubscribe_url is not None
        assert lambda_.message_id == http.message_id

    def test_unknown_fields_such_as_message_attributes_are_ignored(self) -> None:
        """Unsigned extras (MessageAttributes) do not stop parsing."""
        message = parse_message(_body(MessageAttributes={"a": {"Type": "String"}}))

        assert message.type == "Notification"

    def test_fifo_and_china_topics_are_topic_arns(self) -> None:
        """FIFO topic names and the aws-cn partition are valid ARNs."""
        fifo = parse_message(
            _body(TopicArn="arn:aws:sns:us-east-1:123456789012:t.fifo")
        )
        china = parse_message(
            _body(TopicArn="arn:aws-cn:sns:cn-north-1:123456789012:t")
        )

        govcloud = parse_message(
            _body(TopicArn="arn:aws-us-gov:sns:us-gov-west-1:123456789012:t")
        )

        assert fifo.topic_arn.endswith(".fifo")
        assert china.region == "cn-north-1"
        assert govcloud.region == "us-gov-west-1"

    def test_body_cannot_forge_the_raw_bytes(self) -> None:
        """A "raw" key in the body never replaces the received bytes."""
        body = _body(raw="forged")

        assert parse_message(body).raw == body

    def test_lone_surrogate_escape_is_read_as_before(self) -> None:
        """Valid JSON the fast parser declines, a lone surrogate, is still read."""
        message = parse_message(_body()[:-1] + b', "note": "\\udc00"}')

        assert message.message_id == "5f7b6a0e-0000-4000-8000-000000000001"

    def test_deep_but_valid_nesting_is_read_as_before(self) -> None:
        """Nesting of 300 levels, beyond the fast parser's limit, is still read."""
        nested = b"[" * 300 + b"]" * 300

        message = parse_message(_body()[:-1] + b', "deep": ' + nested + b"}")

        assert message.topic_arn == "arn:aws:sns:us-east-1:123456789012:ses-feedback"

    def test_message_is_frozen(self) -> None:
        """A parsed message cannot be changed after verification."""
        message = parse_message(_body())

        with pytest.raises(AttributeError):
            message.message = "changed"  # type: ignore[misc]

    def test_confirmation_carries_token_and_subscribe_url(self) -> None:
        """A SubscriptionConfirmation exposes its Token and SubscribeURL."""
        message = parse_message(
            (
                REAL_AWS / "aws-sdk-java-v2_test-subscription-confirmation.json"
            ).read_bytes()
        )

        assert message.type == "SubscriptionConfirmation"
        assert message.token is not None
        assert message.subscribe_url is not None
        assert message.region == "us-west-2"


class TestRejections:
    @pytest.mark.parametrize(
        "body",
        [b"", b"not json", b"{", b"\xff\xfe{}", b"[1, 2]", b'"text"', b"null"],
    )
    def test_bodies_that_are_not_a_json_object(self, body: bytes) -> None:
        """Anything but one UTF-8 JSON object is invalid_json."""
        assert _code(body) == "invalid_json"

    def test_deeply_nested_body(self) -> None:
        """Nesting deep enough to exhaust the parser is invalid_json, not a crash."""
        assert _code(b'{"a":' * 100_000) == "invalid_json"

    def test_duplicate_top_level_key(self) -> None:
        """A repeated key could be read two ways, so it is refused."""
        body = _body()[:-1] + b', "Message": "other"}'

        assert _code(body) == "duplicate_key"

    def test_duplicate_nested_key(self) -> None:
        """Duplicates are refused inside nested objects too."""
        body = _body()[:-1] + b', "MessageAttributes": {"a": 1, "a": 2}}'

        assert _code(body) == "duplicate_key"

    @pytest.mark.parametrize(
        "tail",
        [
            b', "Message": "other"}',
            b', "\\u004dessage": "escaped spelling"}',
            b', "MessageAttributes": {"a": {"b": 1, "b": 2}}}',
            b', "list": [1, {"x": null}, {"y": 1, "y": 1}]}',
        ],
    )
    def test_duplicate_key_message_names_the_key(self, tail: bytes) -> None:
        """The refusal names the repeated key, top-level, escaped or deep inside."""
        with pytest.raises(MalformedMessage) as caught:
            parse_message(_body()[:-1] + tail)

        assert caught.value.code == "duplicate_key"
        assert caught.value.message.startswith("The message body repeats the key ")
        assert caught.value.message.split("'")[1] in {"Message", "b", "y"}

    def test_duplicate_key_in_a_str_body(self) -> None:
        """A body given as text is checked for repeated keys like bytes are."""
        body = _body()[:-1].decode() + ', "Subject": "two"}'

        assert _code(body) == "duplicate_key"

    def test_duplicate_key_beyond_the_fast_parsers_depth(self) -> None:
        """Repeats nested deeper than the fast parser goes are still refused."""
        nested = b"[" * 300 + b'{"k": 1, "k": 2}' + b"]" * 300
        body = _body()[:-1] + b', "deep": ' + nested + b"}"

        assert _code(body) == "duplicate_key"

    def test_duplicate_key_after_a_lone_surrogate(self) -> None:
        """A lone surrogate escape does not hide a repeated key behind it."""
        body = _body()[:-1] + b', "note": "\\ud800", "note": "x"}'

        assert _code(body) == "duplicate_key"

    @pytest.mark.parametrize(
        "body",
        [b'{"a": 1}\x00', b'{"a": "\x01"}', b'{"a": "\xed\xa0\x80"}', b"{} {}"],
    )
    def test_json_faults_are_invalid_json(self, body: bytes) -> None:
        """Trailing bytes, raw control characters and bad UTF-8 are invalid_json."""
        assert _code(body) == "invalid_json"

    def test_both_casings_of_one_key(self) -> None:
        """SigningCertURL and SigningCertUrl together are ambiguous."""
        url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem"

        assert _code(_body(SigningCertUrl=url)) == "duplicate_key"

    @pytest.mark.parametrize("kind", ["Bounce", "notification", "", None, 1])
    def test_unknown_type(self, kind: object) -> None:
        """Type must be one of the three SNS message types."""
        assert _code(_body(Type=kind)) == "unknown_message_type"

    def test_missing_type(self) -> None:
        """A body without Type is refused as an unknown type."""
        assert _code(_body(Type=...)) == "unknown_message_type"

    @pytest.mark.parametrize(
        "field",
        [
            "MessageId",
            "TopicArn",
            "Message",
            "Timestamp",
            "Signature",
            "SigningCertURL",
        ],
    )
    def test_missing_required_field(self, field: str) -> None:
        """Each field SNS always sends is required."""
        assert _code(_body(**{field: ...})) == "missing_field"

    @pytest.mark.parametrize("field", ["Token", "SubscribeURL"])
    def test_confirmation_without_its_fields(self, field: str) -> None:
        """A SubscriptionConfirmation needs Token and SubscribeURL."""
        body = _body(
            Type="SubscriptionConfirmation",
            Token="abc",
            SubscribeURL="https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        )
        document = json.loads(body)
        del document[field]

        assert _code(json.dumps(document)) == "missing_field"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("MessageId", 123),
            ("Message", {"nested": True}),
            ("Message", None),
            ("Subject", 5),
            ("SignatureVersion", 1),
            ("Signature", ""),
            ("TopicArn", "arn:aws:sqs:us-east-1:123456789012:queue"),
            ("TopicArn", "arn:aws:sns:us-east-1:1234:short-account"),
            ("TopicArn", "arn:aws:sns:us-east-1:١٢٣٤٥٦٧٨٩٠١٢:arabic-digits"),
            ("TopicArn", "arn:aws:sns:us-east-1:123456789012:spaced name"),
            ("TopicArn", "arn:aws:sns:cn-north-1:123456789012:china-in-aws"),
            ("TopicArn", "arn:aws-cn:sns:us-east-1:123456789012:virginia-in-cn"),
            ("TopicArn", "arn:aws:sns:us-gov-west-1:123456789012:govcloud-in-aws"),
            ("TopicArn", "arn:aws-us-gov:sns:eu-west-1:123456789012:ireland-in-gov"),
            ("Timestamp", "2026-06-01T11:59:00"),
            ("Timestamp", "yesterday"),
            ("Timestamp", "2026-06-01"),
            ("Timestamp", 1780000000),
        ],
    )
    def test_fields_of_the_wrong_kind(self, field: str, value: object) -> None:
        """Signed fields must be strings of the expected shape."""
        assert _code(_body(**{field: value})) == "invalid_field"

    @pytest.mark.parametrize(
        ("field", "casing"),
        [(field, "http") for field in REQUIRED_FIELDS + OPTIONAL_FIELDS]
        + [("SigningCertUrl", "lambda"), ("SubscribeUrl", "lambda")],
    )
    def test_every_field_is_held_to_text(self, field: str, casing: str) -> None:
        """A number in any field is refused, naming that field: the quick chain
        of type tests and the search for the culprit cover the same fields."""
        document = json.loads(_body())
        if casing == "lambda":
            document["SigningCertUrl"] = document.pop("SigningCertURL")
        document[field] = 7

        with pytest.raises(MalformedMessage) as caught:
            parse_message(json.dumps(document))

        named = field.replace("Url", "URL")
        assert caught.value.message.startswith(f"Field {named} is invalid: ")
        assert caught.value.message.endswith("not a number.")

    @pytest.mark.parametrize(
        ("field", "value", "sentence"),
        [
            ("MessageId", 123, "expected a string, not a number"),
            ("Message", None, "expected a string, not null"),
            ("Signature", "", "it is empty"),
            ("Subject", [1], "expected a string or null, not an array"),
            (
                "Timestamp",
                "2026-13-01T00:00:00Z",
                "'2026-13-01T00:00:00Z' is not an ISO-8601 date and time",
            ),
            (
                "Timestamp",
                "2026-06-01T11:59:00",
                "'2026-06-01T11:59:00' has no time zone",
            ),
        ],
    )
    def test_sentence_says_what_was_wrong(
        self, field: str, value: object, sentence: str
    ) -> None:
        """The field, what it held and what was expected, for a person to read."""
        with pytest.raises(MalformedMessage) as caught:
            parse_message(_body(**{field: value}))

        assert caught.value.message == f"Field {field} is invalid: {sentence}."

    def test_sentence_names_the_field(self) -> None:
        """The error message says which field was wrong."""
        with pytest.raises(MalformedMessage) as caught:
            parse_message(_body(MessageId=123))

        assert "MessageId" in caught.value.message


class TestFastParser:
    """jiter may only accept what the standard library parser accepts, unchanged."""

    def test_mutated_bodies_read_alike_or_go_to_the_strict_parser(self) -> None:
        """Any body jiter accepts is accepted by the strict parser as the same value."""
        rng = random.Random(20261203)
        alphabet = b'{}[]",:\\u0123456789eE.+-tfnal \t\n\x00\x7f\xff\xc3\xa9'
        seed = _body(MessageAttributes={"a": [1, -2.5e3, True, None, {"b": "\u00e9"}]})
        accepted = 0

        for _ in range(3000):
            body = bytearray(seed)
            for _ in range(rng.randint(1, 3)):
                spot = rng.randrange(len(body))
                body[spot : spot + rng.randint(0, 1)] = bytes([rng.choice(alphabet)])
            try:
                fast = jiter.from_json(
                    bytes(body), catch_duplicate_keys=True, cache_mode="keys"
                )
            except ValueError:
                continue
            accepted += 1

            assert repr(_decode_strictly(bytes(body))) == repr(fast)

        assert accepted > 100

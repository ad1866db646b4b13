"""Strict parsing of an SNS message body into :class:`SnsMessage`.

SNS posts its JSON as ``text/plain``, so the body is parsed whatever the content
type says. Parsing is deliberately narrow: one JSON object, no duplicate keys
(two parsers could otherwise read two different messages out of one body), every
signed field a string, and ``Type`` one of the three kinds SNS sends. Both key
casings AWS uses are accepted: ``SigningCertURL`` in HTTP deliveries and
``SigningCertUrl`` (with ``"Subject": null``) in the SNS record of a Lambda event.

Bodies are first read by jiter (the Rust parser inside pydantic) with its duplicate
key check, which is several times faster than the standard library. Whenever
jiter refuses a body, the standard library's parser reads it again and has the
last word: it names the repeated key or the JSON fault, and it still accepts the
few valid bodies jiter declines (lone surrogate escapes, nesting deeper than 200).

See https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import jiter

from snsreceiver.errors import MalformedMessage

MessageType = Literal[
    "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"
]

MESSAGE_TYPES: tuple[MessageType, ...] = (
    "Notification",
    "SubscriptionConfirmation",
    "UnsubscribeConfirmation",
)

# Topic names are letters, digits, - and _ (at most 256), FIFO topics end in .fifo.
TOPIC_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:sns:[a-z]{2}(?:-[a-z]+)+-[0-9]+:[0-9]{12}"
    r":[A-Za-z0-9_-]{1,256}(?:\.fifo)?"
)

# Partitions whose regions share a prefix, and only theirs.
_TIED_PARTITIONS = (("aws-cn", "cn-"), ("aws-us-gov", "us-gov-"))

# The fields every message carries, in the order _field_error checks them
# (_build's chain of type tests must cover the same ones); MessageId and
# Signature may not be empty.
REQUIRED_FIELDS = (
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
)
# Fields that may be absent or null, in the order _field_error checks them.
OPTIONAL_FIELDS = ("Subject", "SubscribeURL", "UnsubscribeURL", "Token")
# Stands for a required key the body lacks, which null does not.
_ABSENT = object()

# Keys whose two spellings (HTTP delivery, Lambda record) may not both appear.
_CASINGS = (
    ("SigningCertURL", "SigningCertUrl"),
    ("SubscribeURL", "SubscribeUrl"),
    ("UnsubscribeURL", "UnsubscribeUrl"),
)
_LAMBDA_KEYS = frozenset(lambda_key for _, lambda_key in _CASINGS)


class SnsMessage(NamedTuple):
    """One SNS message as it was signed, with snake_case fields.

    ``subject`` is None when the key is absent or null; confirmations carry
    ``subscribe_url`` and ``token``. ``timestamp`` is ``timestamp_text`` read as
    an aware datetime, ``region`` the topic's region (``us-east-1``), and ``raw``
    the body bytes as received.

    A named tuple, so it cannot change once parsed and costs little to make
    (this runs for every delivery; a frozen dataclass took 1.5 µs longer).
    """

    type: MessageType
    message_id: str
    topic_arn: str
    subject: str | None
    message: str
    timestamp_text: str
    timestamp: datetime
    signature_version: str
    signature: str
    signing_cert_url: str
    subscribe_url: str | None
    unsubscribe_url: str | None
    token: str | None
    region: str
    raw: bytes

    def __repr__(self) -> str:
        return (
            f"SnsMessage(type={self.type!r}, message_id={self.message_id!r}, "
            f"topic_arn={self.topic_arn!r})"
        )


def parse_message(body: bytes | str) -> SnsMessage:
    """Parses one SNS message body, raising MalformedMessage on anything odd."""
    raw = body.encode() if isinstance(body, str) else body

    try:
        document = jiter.from_json(raw, catch_duplicate_keys=True, cache_mode="keys")
    except ValueError:
        document = _decode_strictly(raw)

    if not isinstance(document, dict):
        raise MalformedMessage(
            "The message body must be a JSON object.", code="invalid_json"
        )
    return _build(document, raw)


def _build(document: dict[str, Any], raw: bytes) -> SnsMessage:
    """Checks the fields of a parsed body and makes the message of them.

    Written out by hand rather than as a pydantic model: this runs for every
    delivery before the RSA check, and reading the Timestamp and region once
    here, with no model around them, made parsing about 1.2 µs cheaper per
    message than the model it replaced (docs/benchmarks.md).
    """
    get = document.get
    kind = get("Type")
    if kind not in MESSAGE_TYPES:
        raise MalformedMessage(
            f"Type is {kind!r}; expected one of {', '.join(MESSAGE_TYPES)}.",
            code="unknown_message_type",
        )
    if _LAMBDA_KEYS.isdisjoint(document):
        cert_url = get("SigningCertURL", _ABSENT)
        subscribe_url = get("SubscribeURL")
        unsubscribe_url = get("UnsubscribeURL")
    else:
        cert_url, subscribe_url, unsubscribe_url = _lambda_urls(document)
    message_id = get("MessageId", _ABSENT)
    topic_arn = get("TopicArn", _ABSENT)
    text = get("Message", _ABSENT)
    timestamp_text = get("Timestamp", _ABSENT)
    version = get("SignatureVersion", _ABSENT)
    signature = get("Signature", _ABSENT)
    subject = get("Subject")
    token = get("Token")

    # One chain of identity tests, so that a well-formed body builds no
    # container and makes no call here; _field_error finds the culprit.
    if not (
        type(message_id) is str
        and type(topic_arn) is str
        and type(text) is str
        and type(timestamp_text) is str
        and type(version) is str
        and type(signature) is str
        and type(cert_url) is str
        and message_id
        and signature
        and (subject is None or type(subject) is str)
        and (subscribe_url is None or type(subscribe_url) is str)
        and (unsubscribe_url is None or type(unsubscribe_url) is str)
        and (token is None or type(token) is str)
    ):
        raise _field_error(
            kind,
            (message_id, topic_arn, text, timestamp_text, version, signature, cert_url),
            (subject, subscribe_url, unsubscribe_url, token),
        )

    region = topic_region(topic_arn)
    if region is None:
        raise _invalid(
            "TopicArn",
            "expected arn:<partition>:sns:<region>:<account>:<topic>, with the "
            "partition of the region",
        )
    try:
        timestamp = _parse_timestamp(timestamp_text)
    except ValueError as exc:
        raise _invalid("Timestamp", str(exc)) from None
    if kind != "Notification":
        _check_confirmation_fields(kind, subscribe_url, token)

    # Positional, in the order of the fields: the named tuple's keyword call
    # cost 0.5 µs more for fifteen fields.
    return SnsMessage(
        kind,
        message_id,
        topic_arn,
        subject,
        text,
        timestamp_text,
        timestamp,
        version,
        signature,
        cert_url,
        subscribe_url,
        unsubscribe_url,
        token,
        region,
        raw,
    )


def _lambda_urls(document: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The three URL fields of a body that uses a Lambda record's casing.

    Each URL may be spelled either way, but not both ways in one body.
    """
    for http_key, lambda_key in _CASINGS:
        if http_key in document and lambda_key in document:
            raise MalformedMessage(
                f"The message has both {http_key} and {lambda_key}; expected one.",
                code="duplicate_key",
            )
    get = document.get
    return (
        get("SigningCertURL", get("SigningCertUrl", _ABSENT)),
        get("SubscribeURL", get("SubscribeUrl")),
        get("UnsubscribeURL", get("UnsubscribeUrl")),
    )


@lru_cache(maxsize=128)
def topic_region(topic_arn: str) -> str | None:
    """The region of a well-formed SNS topic ARN, None for anything else.

    The partition must agree with the region where AWS ties them: ``aws-cn``
    with the ``cn-`` regions, ``aws-us-gov`` with the ``us-gov-`` ones, since
    the region alone later chooses the certificate's host. A receiver sees a
    handful of topics, so the answers are remembered.
    """
    if not TOPIC_ARN.fullmatch(topic_arn):
        return None
    _, partition, _, region, _ = topic_arn.split(":", 4)
    for tied_partition, region_prefix in _TIED_PARTITIONS:
        if (partition == tied_partition) != region.startswith(region_prefix):
            return None
    return region


def _field_error(
    kind: str, required: tuple[Any, ...], optional: tuple[Any, ...]
) -> MalformedMessage:
    """The error for the first required field that is missing, empty or not text."""
    for name, value in zip(REQUIRED_FIELDS, required, strict=True):
        if value is _ABSENT:
            return _missing(kind, name)
        if type(value) is not str:
            return _invalid(name, f"expected a string, not {_json_kind(value)}")
        if not value and name in ("MessageId", "Signature"):
            return _invalid(name, "it is empty")
    for name, value in zip(OPTIONAL_FIELDS, optional, strict=True):
        if value is not None and type(value) is not str:
            return _invalid(name, f"expected a string or null, not {_json_kind(value)}")
    raise AssertionError("every field is well formed")


def _check_confirmation_fields(
    kind: str, subscribe_url: str | None, token: str | None
) -> None:
    for value, name in ((subscribe_url, "SubscribeURL"), (token, "Token")):
        if value is None:
            raise _missing(kind, name)


def _missing(kind: str, name: str) -> MalformedMessage:
    return MalformedMessage(
        f"The {kind} has no {name} field, which SNS always sends.",
        code="missing_field",
    )


def _invalid(name: str, detail: str) -> MalformedMessage:
    return MalformedMessage(f"Field {name} is invalid: {detail}.", code="invalid_field")


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _decode_strictly(raw: bytes) -> Any:
    """Parses ``raw`` with the standard library, naming what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage(
            "The message body is not UTF-8 text.", code="invalid_json"
        ) from exc

    try:
        return _DECODER.decode(text)
    except _DuplicateKey as exc:
        raise MalformedMessage(
            f"The message body repeats the key {exc.key!r}; each key may appear once.",
            code="duplicate_key",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise MalformedMessage(
            "The message body is not valid JSON.", code="invalid_json"
        ) from exc


def _parse_timestamp(value: str) -> datetime:
    """Reads SNS's ISO-8601 Timestamp; a zone (normally ``Z``) is required."""
    if "T" not in value:
        raise ValueError(f"{value!r} is not an ISO-8601 date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date and time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKey(key)
        document[key] = value
    return document


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)

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
from typing import Any, Literal

import jiter
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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

# The key under which parsing hands the body bytes to the model; whatever a body
# puts under this key is overwritten.
RAW_KEY = "raw"

# Keys whose two spellings (HTTP delivery, Lambda record) may not both appear.
_CASINGS = (
    ("SigningCertURL", "SigningCertUrl"),
    ("SubscribeURL", "SubscribeUrl"),
    ("UnsubscribeURL", "UnsubscribeUrl"),
)


class SnsMessage(BaseModel):
    """One SNS message as it was signed, with snake_case fields.

    ``subject`` is None when the key is absent or null; confirmations carry
    ``subscribe_url`` and ``token``. ``raw`` holds the body bytes as received.
    """

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    type: MessageType = Field(alias="Type")
    message_id: str = Field(alias="MessageId", min_length=1)
    topic_arn: str = Field(alias="TopicArn")
    subject: str | None = Field(default=None, alias="Subject")
    message: str = Field(alias="Message")
    timestamp_text: str = Field(alias="Timestamp")
    signature_version: str = Field(alias="SignatureVersion")
    signature: str = Field(alias="Signature", min_length=1)
    signing_cert_url: str = Field(
        validation_alias=AliasChoices("SigningCertURL", "SigningCertUrl")
    )
    subscribe_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SubscribeURL", "SubscribeUrl")
    )
    unsubscribe_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("UnsubscribeURL", "UnsubscribeUrl"),
    )
    token: str | None = Field(default=None, alias="Token")
    raw: bytes = Field(default=b"", alias=RAW_KEY, exclude=True, repr=False)

    @field_validator("topic_arn")
    @classmethod
    def _check_topic_arn(cls, value: str) -> str:
        if not TOPIC_ARN.fullmatch(value):
            raise ValueError("expected arn:aws:sns:<region>:<account>:<topic>")
        return value

    @field_validator("timestamp_text")
    @classmethod
    def _check_timestamp(cls, value: str) -> str:
        _parse_timestamp(value)
        return value

    @model_validator(mode="after")
    def _check_confirmation_fields(self) -> SnsMessage:
        if self.type == "Notification":
            return self
        for value, field in (
            (self.subscribe_url, "SubscribeURL"),
            (self.token, "Token"),
        ):
            if value is None:
                raise MalformedMessage(
                    f"The {self.type} has no {field} field, which SNS always sends.",
                    code="missing_field",
                )
        return self

    @property
    def timestamp(self) -> datetime:
        """The moment SNS sent the message, as an aware datetime."""
        return _parse_timestamp(self.timestamp_text)

    @property
    def region(self) -> str:
        """The AWS region of the topic, e.g. ``us-east-1``."""
        return self.topic_arn.split(":")[3]


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

    _check_casings(document)
    document[RAW_KEY] = raw
    return _validate(document)


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


def _validate(document: dict[str, Any]) -> SnsMessage:
    """Runs the model, turning pydantic's report into one sentence."""
    kind = document.get("Type")
    if kind not in MESSAGE_TYPES:
        raise MalformedMessage(
            f"Type is {kind!r}; expected one of {', '.join(MESSAGE_TYPES)}.",
            code="unknown_message_type",
        )

    try:
        return SnsMessage.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "the message"
        if error["type"] == "missing":
            raise MalformedMessage(
                f"The {kind} has no {field} field, which SNS always sends.",
                code="missing_field",
            ) from exc
        detail = error["msg"].removeprefix("Value error, ")
        raise MalformedMessage(
            f"Field {field} is invalid: {detail}.", code="invalid_field"
        ) from exc


def _check_casings(document: dict[str, Any]) -> None:
    for http_key, lambda_key in _CASINGS:
        if http_key in document and lambda_key in document:
            raise MalformedMessage(
                f"The message has both {http_key} and {lambda_key}; expected one.",
                code="duplicate_key",
            )


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

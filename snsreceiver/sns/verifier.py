"""Decides whether an SNS message really comes from AWS for one of our topics.

The checks run cheapest first, so a message that fails a local check never causes
a certificate fetch:

1. raw delivery header (raw messages carry no signature at all),
2. strict parsing of the body,
3. delivery headers against the body,
4. accepted SignatureVersion,
5. TopicArn on the allow-list,
6. Timestamp inside the accepted window,
7. SigningCertURL (and SubscribeURL) on the allow-list,
8. the certificate: cache, pinned directory or fetch; name, validity, key size,
9. the RSA signature over the string to sign.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from snsreceiver.errors import (
    DeliveryMismatch,
    MalformedMessage,
    StaleMessage,
    TopicNotAllowed,
)
from snsreceiver.sns.certificates import CertificateStore, utc_now
from snsreceiver.sns.message import SnsMessage, parse_message
from snsreceiver.sns.signature import check_signature
from snsreceiver.sns.urls import check_certificate_url, check_subscribe_url

if TYPE_CHECKING:
    from snsreceiver.settings import Settings

# Delivery headers SNS sets and the body field each must equal.
HEADER_FIELDS = (
    ("x-amz-sns-message-type", "type", "Type"),
    ("x-amz-sns-message-id", "message_id", "MessageId"),
    ("x-amz-sns-topic-arn", "topic_arn", "TopicArn"),
)


class DeliveryHeaders(dict[str, str]):
    """The ``x-amz-sns-*`` headers of one delivery, names in lower case.

    :meth:`MessageVerifier.verify` accepts headers in any case and copies a
    mapping to lower its names; one of these it takes as it is. Make them with
    ``from_asgi`` only, which lowers the names it keeps: the verifier trusts
    the type, not the contents.
    """

    __slots__ = ()

    @classmethod
    def from_asgi(cls, raw: Iterable[tuple[bytes, bytes]]) -> DeliveryHeaders:
        """The SNS headers out of an ASGI scope's list of (name, value) pairs."""
        headers = cls()
        for name, value in raw:
            # ASGI servers lower the names; lowering again costs little for the
            # few kept and holds even for a server that does not.
            if name[:10].lower() == b"x-amz-sns-":
                headers[name.lower().decode("latin-1")] = value.decode("latin-1")
        return headers


class MessageVerifier:
    """Verifies SNS message bodies against the settings' policy.

    ``any_topic=True`` drops the topic allow-list (the offline ``verify`` command
    without one); otherwise an empty ``settings.topic_arns`` refuses every message.
    """

    def __init__(
        self,
        settings: Settings,
        certificates: CertificateStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        any_topic: bool = False,
    ) -> None:
        self._certificates = certificates
        self._clock = clock
        self._topics: Collection[str] | None = (
            None if any_topic else frozenset(settings.topic_arns)
        )
        self._versions = frozenset(settings.signature_versions)
        self._max_age = timedelta(seconds=settings.max_message_age)
        self._max_skew = timedelta(seconds=settings.max_clock_skew)
        self._min_age = -self._max_skew

    async def verify(
        self,
        body: bytes | str,
        headers: Mapping[str, str] | None = None,
        *,
        at: datetime | None = None,
    ) -> SnsMessage:
        """Returns the message when it is authentic and allowed.

        Raises a MessageRejected subclass when it can never be accepted, and
        CertificateUnavailable when the certificate could not be fetched.
        ``at`` replaces the clock for the timestamp and certificate checks.
        """
        if headers:
            if type(headers) is not DeliveryHeaders:
                headers = {name.lower(): value for name, value in headers.items()}
            if "x-amz-sns-rawdelivery" in headers:
                check_raw_delivery(headers)

        message = parse_message(body)
        if headers:
            check_headers(message, headers)
        if message.signature_version not in self._versions:
            raise self._version_refused(message)
        if self._topics is not None and message.topic_arn not in self._topics:
            raise self._topic_refused(message)

        moment = at if at is not None else self._clock()
        age = moment - message.timestamp
        if not self._min_age <= age <= self._max_age:
            raise self._timestamp_refused(message, age)

        region = message.region
        check_certificate_url(message.signing_cert_url, region)
        if message.type != "Notification" and message.subscribe_url is not None:
            check_subscribe_url(
                message.subscribe_url, message.topic_arn, token=message.token
            )

        certificate = self._certificates.cached(
            message.signing_cert_url, region=region, at=moment
        ) or await self._certificates.load(
            message.signing_cert_url, region=region, at=moment
        )
        check_signature(message, certificate.public_key)
        return message

    def _version_refused(self, message: SnsMessage) -> MalformedMessage:
        accepted = " or ".join(sorted(self._versions))
        return MalformedMessage(
            f"SignatureVersion is {message.signature_version!r}; this receiver "
            f"accepts {accepted}.",
            code="unsupported_signature_version",
        )

    def _topic_refused(self, message: SnsMessage) -> TopicNotAllowed:
        if not self._topics:
            return TopicNotAllowed(
                f"TopicArn {message.topic_arn} is not allowed: no topic is, until "
                "SNSRECEIVER_TOPIC_ARNS lists the topics this receiver serves.",
                code="topic_not_allowed",
            )
        return TopicNotAllowed(
            f"TopicArn {message.topic_arn} is not on the allow-list "
            "(SNSRECEIVER_TOPIC_ARNS).",
            code="topic_not_allowed",
        )

    def _timestamp_refused(self, message: SnsMessage, age: timedelta) -> StaleMessage:
        if age > self._max_age:
            return StaleMessage(
                f"Timestamp {message.timestamp_text} is {age.total_seconds():.0f} s "
                f"old; at most {self._max_age.total_seconds():.0f} s are accepted.",
                code="stale_message",
            )
        return StaleMessage(
            f"Timestamp {message.timestamp_text} is "
            f"{-age.total_seconds():.0f} s in the future; at most "
            f"{self._max_skew.total_seconds():.0f} s of clock skew are accepted.",
            code="future_message",
        )


def check_raw_delivery(headers: Mapping[str, str]) -> None:
    """Refuses raw message delivery, which SNS sends without any signature."""
    if headers.get("x-amz-sns-rawdelivery", "").strip().lower() == "true":
        raise DeliveryMismatch(
            "The subscription uses raw message delivery, which is unsigned; turn "
            "RawMessageDelivery off for this endpoint.",
            code="raw_delivery",
        )


def check_headers(message: SnsMessage, headers: Mapping[str, str]) -> None:
    """Each SNS delivery header present (lower-cased keys) must equal its field."""
    get = headers.get
    if (
        get("x-amz-sns-message-type", message.type) == message.type
        and get("x-amz-sns-message-id", message.message_id) == message.message_id
        and get("x-amz-sns-topic-arn", message.topic_arn) == message.topic_arn
    ):
        return

    for header, attribute, field in HEADER_FIELDS:
        sent = headers.get(header)
        value = getattr(message, attribute)
        if sent is not None and sent != value:
            raise DeliveryMismatch(
                f"Header {header} is {sent!r} but the body's {field} is {value!r}.",
                code="header_mismatch",
            )

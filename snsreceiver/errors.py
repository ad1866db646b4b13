"""The errors snsreceiver raises, in one tree.

::

    SnsReceiverError               code + one-sentence message
    ├── MessageRejected            can never succeed, SNS should give up (4xx)
    │   ├── MalformedMessage       not a well-formed SNS message (400)
    │   ├── DeliveryMismatch       headers disagree with body, raw delivery (400)
    │   ├── MessageTooLarge        body over the configured cap (413)
    │   ├── TopicNotAllowed        TopicArn not on the allow-list (403)
    │   ├── StaleMessage           Timestamp outside the accepted window (400)
    │   ├── CertificateUrlRefused  SigningCertURL/SubscribeURL off the list (403)
    │   ├── CertificateRejected    not a valid SNS signing certificate (403)
    │   ├── SignatureInvalid       signature does not match the message (403)
    │   └── FeedbackInvalid        SES feedback inside Message is malformed (400)
    ├── TemporaryFailure           a retry may succeed, SNS should retry (503)
    │   ├── CertificateUnavailable the signing certificate could not be fetched
    │   ├── StoreUnavailable       the database could not be reached or committed
    │   └── DeliveryTimedOut       handling took longer than the delivery timeout
    ├── AuthenticationRequired     no valid credentials were presented (401)
    ├── PermissionDenied           the credentials may not do this (403)
    ├── InvalidRequest             an operator request that is wrong (400/404/409)
    └── ConfigurationError         settings that cannot work; raised at start-up

Every error carries ``code``, a short stable identifier clients can match, and
``message``, one sentence a person can act on. The codes of the two families SNS
sees are listed in docs/authentication.md ("Errors"), and a test keeps that
table in step with the code. Errors from httpx, cryptography and
the database drivers are converted into these at one boundary each and chained
(``raise ... from exc``), so callers never need to catch foreign exceptions.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar


class SnsReceiverError(Exception):
    """Base of every error snsreceiver raises on purpose."""

    status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    default_code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message


class MessageRejected(SnsReceiverError):
    """A message that can never be accepted, however often it is delivered."""

    status = HTTPStatus.BAD_REQUEST
    default_code = "message_rejected"


class MalformedMessage(MessageRejected):
    status = HTTPStatus.BAD_REQUEST
    default_code = "malformed_message"


class DeliveryMismatch(MessageRejected):
    status = HTTPStatus.BAD_REQUEST
    default_code = "header_mismatch"


class MessageTooLarge(MessageRejected):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_code = "message_too_large"


class TopicNotAllowed(MessageRejected):
    status = HTTPStatus.FORBIDDEN
    default_code = "topic_not_allowed"


class StaleMessage(MessageRejected):
    status = HTTPStatus.BAD_REQUEST
    default_code = "stale_message"


class CertificateUrlRefused(MessageRejected):
    status = HTTPStatus.FORBIDDEN
    default_code = "certificate_url_refused"


class CertificateRejected(MessageRejected):
    status = HTTPStatus.FORBIDDEN
    default_code = "certificate_rejected"


class SignatureInvalid(MessageRejected):
    status = HTTPStatus.FORBIDDEN
    default_code = "signature_invalid"


class FeedbackInvalid(MessageRejected):
    """An authentic SNS message whose SES feedback document is malformed."""

    status = HTTPStatus.BAD_REQUEST
    default_code = "feedback_invalid"


class TemporaryFailure(SnsReceiverError):
    """A failure a later delivery of the same message may not meet."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    default_code = "temporary_failure"


class CertificateUnavailable(TemporaryFailure):
    default_code = "certificate_unavailable"


class StoreUnavailable(TemporaryFailure):
    default_code = "store_unavailable"


class DeliveryTimedOut(TemporaryFailure):
    default_code = "delivery_timed_out"


class AuthenticationRequired(SnsReceiverError):
    """A request without valid credentials for the endpoint it asked for."""

    status = HTTPStatus.UNAUTHORIZED
    default_code = "unauthorized"


class PermissionDenied(SnsReceiverError):
    """Valid credentials that do not allow the request."""

    status = HTTPStatus.FORBIDDEN
    default_code = "forbidden"


class InvalidRequest(SnsReceiverError):
    """An operator request that is wrong as sent; the code says how."""

    status = HTTPStatus.BAD_REQUEST
    default_code = "invalid_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: HTTPStatus | None = None,
    ) -> None:
        super().__init__(message, code=code)
        if status is not None:
            self.status = status  # type: ignore[misc]  # per-instance refinement


class ConfigurationError(SnsReceiverError):
    """Settings that cannot work; reported once at start-up."""

    default_code = "configuration_error"

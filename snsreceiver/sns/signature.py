"""The string SNS signs and the RSA check of its signature.

The string to sign lists selected fields, sorted by name, each as
``Name\\nValue\\n`` in UTF-8, built from the decoded JSON values. A Notification
signs Subject only when the key is present and not null.
SignatureVersion 1 is RSA PKCS#1 v1.5 with SHA-1, version 2 the same with SHA-256.

See https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
"""

from __future__ import annotations

import pybase64
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from snsreceiver.errors import MalformedMessage, SignatureInvalid
from snsreceiver.sns.message import SnsMessage

HASHES: dict[str, hashes.HashAlgorithm] = {
    "1": hashes.SHA1(),  # noqa: S303  # SignatureVersion 1 is SHA-1, as AWS defines it
    "2": hashes.SHA256(),
}
PADDING = padding.PKCS1v15()


def string_to_sign(message: SnsMessage) -> bytes:
    """The exact bytes SNS signed for ``message``."""
    if message.type == "Notification":
        subject = message.subject
        return (
            f"Message\n{message.message}\n"
            f"MessageId\n{message.message_id}\n"
            + ("" if subject is None else f"Subject\n{subject}\n")
            + f"Timestamp\n{message.timestamp_text}\n"
            f"TopicArn\n{message.topic_arn}\n"
            f"Type\n{message.type}\n"
        ).encode()

    return (
        f"Message\n{message.message}\n"
        f"MessageId\n{message.message_id}\n"
        f"SubscribeURL\n{message.subscribe_url}\n"
        f"Timestamp\n{message.timestamp_text}\n"
        f"Token\n{message.token}\n"
        f"TopicArn\n{message.topic_arn}\n"
        f"Type\n{message.type}\n"
    ).encode()


def check_signature(message: SnsMessage, public_key: RSAPublicKey) -> None:
    """Raises SignatureInvalid unless ``public_key`` signed ``message``."""
    algorithm = HASHES.get(message.signature_version)
    if algorithm is None:
        raise MalformedMessage(
            f"SignatureVersion is {message.signature_version!r}; expected 1 or 2.",
            code="unsupported_signature_version",
        )

    # pybase64 decodes with SIMD; validate=True refuses what the standard
    # library's strict mode refuses, and a stray trailing "=" as well.
    try:
        signature = pybase64.b64decode(message.signature, validate=True)
    except ValueError:
        raise SignatureInvalid(
            "Signature is not valid base64.", code="signature_malformed"
        ) from None

    try:
        signed = string_to_sign(message)
    except UnicodeEncodeError:
        raise MalformedMessage(
            f"A signed field of message {message.message_id} holds a lone surrogate "
            "escape, which is not text AWS can sign.",
            code="invalid_field",
        ) from None

    try:
        public_key.verify(signature, signed, PADDING, algorithm)
    except InvalidSignature:
        raise SignatureInvalid(
            f"Signature of message {message.message_id} does not match its signed "
            "fields and certificate.",
            code="signature_invalid",
        ) from None

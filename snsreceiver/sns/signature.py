"""The string SNS signs and the RSA check of its signature.

The string to sign lists selected fields, sorted by name, each as
``Name\\nValue\\n`` in UTF-8, built from the decoded JSON values. A Notification
signs Subject only when the key is present and not null.
SignatureVersion 1 is RSA PKCS#1 v1.5 with SHA-1, version 2 the same with SHA-256.

See https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
"""

from __future__ import annotations

import binascii
from base64 import b64decode

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
        fields: tuple[tuple[str, str | None], ...] = (
            ("Message", message.message),
            ("MessageId", message.message_id),
            ("Subject", message.subject),
            ("Timestamp", message.timestamp_text),
            ("TopicArn", message.topic_arn),
            ("Type", message.type),
        )
    else:
        fields = (
            ("Message", message.message),
            ("MessageId", message.message_id),
            ("SubscribeURL", message.subscribe_url),
            ("Timestamp", message.timestamp_text),
            ("Token", message.token),
            ("TopicArn", message.topic_arn),
            ("Type", message.type),
        )

    lines = [f"{name}\n{value}\n" for name, value in fields if value is not None]
    return "".join(lines).encode("utf-8")


def check_signature(message: SnsMessage, public_key: RSAPublicKey) -> None:
    """Raises SignatureInvalid unless ``public_key`` signed ``message``."""
    algorithm = HASHES.get(message.signature_version)
    if algorithm is None:
        raise MalformedMessage(
            f"SignatureVersion is {message.signature_version!r}; expected 1 or 2.",
            code="unsupported_signature_version",
        )

    try:
        signature = b64decode(message.signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid(
            "Signature is not valid base64.", code="signature_malformed"
        ) from None

    try:
        public_key.verify(signature, string_to_sign(message), PADDING, algorithm)
    except InvalidSignature:
        raise SignatureInvalid(
            f"Signature of message {message.message_id} does not match its signed "
            "fields and certificate.",
            code="signature_invalid",
        ) from None

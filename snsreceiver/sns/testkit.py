"""A stand-in for SNS: a test key, its certificate, and signed messages.

Real AWS-signed messages cover only what AWS happened to send. :class:`TestSigner`
makes everything else: it holds an RSA key and a self-signed certificate for
``sns.amazonaws.com`` (or another name), pins that certificate into a directory
under an SNS-style file name, and signs SNS envelopes exactly as SNS does. Tests
use it, and so does the fixture export that re-signs masked messages.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from base64 import b64encode
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
)
from cryptography.x509.oid import NameOID

from snsreceiver.sns.message import MessageType, parse_message
from snsreceiver.sns.signature import HASHES, string_to_sign
from snsreceiver.sns.urls import sns_host

DEFAULT_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


def envelope_fields(
    *,
    type: str,  # the SNS field's name
    message: str,
    topic_arn: str,
    subject: str | None,
    timestamp: datetime,
    message_id: str,
    token: str,
    subscription_id: str,
) -> dict[str, Any]:
    """The unsigned fields of an SNS message, in the order SNS writes them.

    A Notification gets Subject (when given) and an UnsubscribeURL for
    ``subscription_id``; the confirmations get Token and a SubscribeURL carrying
    it.
    """
    fields: dict[str, Any] = {
        "Type": type,
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Message": message,
        "Timestamp": timestamp.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    host = sns_host(topic_arn.split(":")[3])
    if type == "Notification":
        if subject is not None:
            fields["Subject"] = subject
        fields["UnsubscribeURL"] = (
            f"https://{host}/?Action=Unsubscribe"
            f"&SubscriptionArn={topic_arn}:{subscription_id}"
        )
    else:
        fields["Token"] = token
        fields["SubscribeURL"] = (
            f"https://{host}/?Action=ConfirmSubscription"
            f"&TopicArn={topic_arn}&Token={token}"
        )
    return fields


def self_signed_certificate(
    key: CertificateIssuerPrivateKeyTypes,
    name: str,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """A certificate for ``name`` (subject CN and SAN) signed by its own key.

    Ed25519 and Ed448 keys sign without a separate hash; the others use SHA-256.
    """
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    algorithm = (
        None
        if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)
        else hashes.SHA256()
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
        )
        .sign(key, algorithm)
    )


class TestSigner:
    """Signs SNS messages with a throw-away key and certificate."""

    __test__ = False  # a helper, not a pytest test class

    def __init__(
        self,
        *,
        name: str = "sns.amazonaws.com",
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        key: rsa.RSAPrivateKey | None = None,
        key_size: int = 2048,
    ) -> None:
        now = datetime.now(UTC)
        self.key = key or rsa.generate_private_key(
            public_exponent=65537, key_size=key_size
        )
        self.not_before = not_before or now - timedelta(days=365)
        self.not_after = not_after or now + timedelta(days=365)
        self.certificate = self_signed_certificate(
            self.key, name, self.not_before, self.not_after
        )
        self.certificate_pem = self.certificate.public_bytes(serialization.Encoding.PEM)
        digest = hashlib.sha256(self.certificate_pem).hexdigest()[:32]
        self.file_name = f"SimpleNotificationService-{digest}.pem"

    def cert_url(self, region: str = "us-east-1") -> str:
        """The SigningCertURL under which SNS would serve this certificate."""
        return f"https://{sns_host(region)}/{self.file_name}"

    def pin(self, directory: Path) -> Path:
        """Writes the certificate into ``directory`` as a pinned certificate."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / self.file_name
        path.write_bytes(self.certificate_pem)
        return path

    def sign(
        self, fields: dict[str, Any], version: Literal["1", "2"] = "1"
    ) -> dict[str, Any]:
        """Returns ``fields`` with SignatureVersion, Signature and SigningCertURL.

        A SigningCertURL (or SigningCertUrl) already present is kept.
        """
        signed = dict(fields)
        signed["SignatureVersion"] = version
        if "SigningCertURL" not in signed and "SigningCertUrl" not in signed:
            region = str(signed["TopicArn"]).split(":")[3]
            signed["SigningCertURL"] = self.cert_url(region)
        signed["Signature"] = "placeholder"

        message = parse_message(json.dumps(signed))
        signature = self.key.sign(
            string_to_sign(message), padding.PKCS1v15(), HASHES[version]
        )
        signed["Signature"] = b64encode(signature).decode("ascii")
        return signed

    def envelope(
        self,
        *,
        type: MessageType = "Notification",  # the SNS field's name
        message: str = "{}",
        topic_arn: str = DEFAULT_TOPIC_ARN,
        subject: str | None = None,
        timestamp: datetime | None = None,
        message_id: str | None = None,
        token: str = "test-token",  # noqa: S107  # a test token, not a secret
        version: Literal["1", "2"] = "1",
        **extra: Any,
    ) -> bytes:
        """A complete signed SNS JSON body, as SNS would POST it."""
        fields = envelope_fields(
            type=type,
            message=message,
            topic_arn=topic_arn,
            subject=subject,
            timestamp=timestamp or datetime.now(UTC),
            message_id=message_id or str(uuid.uuid4()),
            token=token,
            subscription_id=str(uuid.uuid4()),
        )
        fields.update(extra)
        return json.dumps(self.sign(fields, version)).encode("utf-8")

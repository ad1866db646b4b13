"""The string to sign and the RSA signature check."""

from __future__ import annotations

import json
from base64 import b64encode
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from snsreceiver.errors import MalformedMessage, SignatureInvalid
from snsreceiver.sns.message import SnsMessage, parse_message
from snsreceiver.sns.signature import check_signature, string_to_sign
from snsreceiver.sns.testkit import TestSigner
from tests.sns.support import REAL_AWS

CERT_URL = (
    "https://sns.us-east-1.amazonaws.com/"
    "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
)


def _message(**fields: Any) -> SnsMessage:
    return parse_message(json.dumps(_message_document(**fields)))


def _message_document(**fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": "m-1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
        "Message": "hello",
        "Timestamp": "2026-06-01T12:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "AAAA",
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    document.update(fields)
    return document


class TestStringToSign:
    def test_notification_without_subject(self) -> None:
        """A Notification signs Message, MessageId, Timestamp, TopicArn, Type."""
        assert string_to_sign(_message()) == (
            b"Message\nhello\n"
            b"MessageId\nm-1\n"
            b"Timestamp\n2026-06-01T12:00:00.000Z\n"
            b"TopicArn\narn:aws:sns:us-east-1:123456789012:t\n"
            b"Type\nNotification\n"
        )

    def test_notification_with_subject(self) -> None:
        """A present Subject is signed between MessageId and Timestamp."""
        signed = string_to_sign(_message(Subject="Hi"))

        assert b"MessageId\nm-1\nSubject\nHi\nTimestamp\n" in signed

    def test_null_subject_is_left_out(self) -> None:
        """A null Subject (Lambda records) is not signed."""
        assert string_to_sign(_message(Subject=None)) == string_to_sign(_message())

    def test_empty_subject_is_signed(self) -> None:
        """An empty but present Subject is still part of the string."""
        assert b"Subject\n\n" in string_to_sign(_message(Subject=""))

    def test_unsigned_fields_are_left_out(self) -> None:
        """UnsubscribeURL, SigningCertURL and extras do not enter the string."""
        signed = string_to_sign(_message(MessageAttributes={"a": 1}))

        assert b"Unsubscribe" not in signed
        assert b"SigningCert" not in signed
        assert b"MessageAttributes" not in signed

    def test_confirmation_fields(self) -> None:
        """Confirmations sign SubscribeURL and Token, never Subject."""
        message = _message(
            Type="SubscriptionConfirmation",
            Subject="ignored",
            Token="tok",
            SubscribeURL="https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        )

        assert string_to_sign(message) == (
            b"Message\nhello\n"
            b"MessageId\nm-1\n"
            b"SubscribeURL\nhttps://sns.us-east-1.amazonaws.com/"
            b"?Action=ConfirmSubscription\n"
            b"Timestamp\n2026-06-01T12:00:00.000Z\n"
            b"Token\ntok\n"
            b"TopicArn\narn:aws:sns:us-east-1:123456789012:t\n"
            b"Type\nSubscriptionConfirmation\n"
        )

    def test_values_are_decoded_json_in_utf8(self) -> None:
        """JSON escapes are decoded and the result encoded as UTF-8."""
        body = json.dumps(
            {
                "Type": "Notification",
                "MessageId": "m-1",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                "Message": 'café\n"x"',
                "Timestamp": "2026-06-01T12:00:00.000Z",
                "SignatureVersion": "1",
                "Signature": "AAAA",
                "SigningCertURL": CERT_URL,
            }
        )
        assert "\\u00e9" in body
        message = parse_message(body)

        assert string_to_sign(message).startswith(b'Message\ncaf\xc3\xa9\n"x"\n')


class TestCheckSignature:
    @pytest.mark.parametrize(
        ("version", "algorithm"),
        [
            ("1", hashes.SHA1()),  # noqa: S303  # SNS SignatureVersion 1 is SHA-1
            ("2", hashes.SHA256()),
        ],
    )
    def test_version_selects_the_hash(
        self,
        version: str,
        algorithm: hashes.HashAlgorithm,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """Version 1 is SHA-1 and version 2 is SHA-256, both PKCS#1 v1.5."""
        unsigned = _message(SignatureVersion=version)
        signature = signing_key.sign(
            string_to_sign(unsigned), padding.PKCS1v15(), algorithm
        )
        message = _message(
            SignatureVersion=version, Signature=b64encode(signature).decode()
        )

        check_signature(message, signing_key.public_key())

        other = "2" if version == "1" else "1"
        swapped = _message(
            SignatureVersion=other, Signature=b64encode(signature).decode()
        )
        with pytest.raises(SignatureInvalid):
            check_signature(swapped, signing_key.public_key())

    def test_real_aws_signature_checks_against_its_certificate(self) -> None:
        """A real AWS message passes with the key of its certificate."""
        pem = (
            REAL_AWS / "SimpleNotificationService-b95095beb82e8f6a046b3aafc7f4149a.pem"
        ).read_bytes()
        key = x509.load_pem_x509_certificate(pem).public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        body = (
            REAL_AWS / "aws-php-sns-message-validator_http_with-subject.json"
        ).read_bytes()

        check_signature(parse_message(body), key)

    def test_wrong_key_is_invalid(self, test_signer: TestSigner) -> None:
        """A signature made with another key is refused."""
        message = parse_message(test_signer.envelope())
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

        with pytest.raises(SignatureInvalid) as caught:
            check_signature(message, other.public_key())

        assert caught.value.code == "signature_invalid"
        assert message.message_id in caught.value.message

    @pytest.mark.parametrize(
        "signature",
        [
            "***",
            "AAA",
            "QUJD\nREVG",
            "é",
            "QUJD=QUJD",
            "=QUJD",
            "QUJD=",
            "QUI==",
            "Q===",
        ],
    )
    def test_signature_not_base64(
        self, signature: str, signing_key: rsa.RSAPrivateKey
    ) -> None:
        """Signatures that do not decode strictly are malformed."""
        with pytest.raises(SignatureInvalid) as caught:
            check_signature(_message(Signature=signature), signing_key.public_key())

        assert caught.value.code == "signature_malformed"

    def test_lone_surrogate_in_a_signed_field(
        self, signing_key: rsa.RSAPrivateKey
    ) -> None:
        """JSON may escape a lone surrogate, but no UTF-8 signature can cover it."""
        message = parse_message(
            json.dumps(_message_document()).replace('"hello"', '"he\\ud800llo"')
        )

        with pytest.raises(MalformedMessage) as caught:
            check_signature(message, signing_key.public_key())

        assert caught.value.code == "invalid_field"
        assert "surrogate" in caught.value.message

    def test_unknown_version(self, signing_key: rsa.RSAPrivateKey) -> None:
        """A version outside 1 and 2 is refused before any RSA work."""
        with pytest.raises(MalformedMessage) as caught:
            check_signature(_message(SignatureVersion="3"), signing_key.public_key())

        assert caught.value.code == "unsupported_signature_version"

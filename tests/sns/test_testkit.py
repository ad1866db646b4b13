"""The test signing kit that stands in for SNS."""

from __future__ import annotations

import json
import re
from pathlib import Path

from snsreceiver.sns.message import parse_message
from snsreceiver.sns.signature import check_signature
from snsreceiver.sns.testkit import TestSigner
from snsreceiver.sns.urls import check_certificate_url


def test_certificate_url_passes_the_allow_list(test_signer: TestSigner) -> None:
    """The signer's URL has the shape SNS uses, for any region."""
    for region in ("us-east-1", "eu-central-1", "cn-northwest-1"):
        url = test_signer.cert_url(region)

        assert check_certificate_url(url, region) == test_signer.file_name
    assert re.fullmatch(
        r"SimpleNotificationService-[0-9a-f]{32}\.pem", test_signer.file_name
    )


def test_pin_writes_the_certificate_under_its_file_name(
    test_signer: TestSigner, tmp_path: Path
) -> None:
    """pin() puts the PEM where a pinned lookup finds it."""
    path = test_signer.pin(tmp_path / "certs")

    assert path == tmp_path / "certs" / test_signer.file_name
    assert path.read_bytes() == test_signer.certificate_pem


def test_envelope_is_a_complete_signed_body(test_signer: TestSigner) -> None:
    """envelope() yields a body whose signature checks with the signer's key."""
    body = test_signer.envelope(subject="S", message="M", version="2")

    message = parse_message(body)
    check_signature(message, test_signer.key.public_key())
    assert (message.subject, message.message, message.signature_version) == (
        "S",
        "M",
        "2",
    )


def test_confirmation_envelope_has_token_and_subscribe_url(
    test_signer: TestSigner,
) -> None:
    """A confirmation carries the token inside a ConfirmSubscription URL."""
    message = parse_message(
        test_signer.envelope(type="SubscriptionConfirmation", token="tok")
    )

    assert message.token == "tok"
    assert message.subscribe_url is not None
    assert "Action=ConfirmSubscription" in message.subscribe_url
    assert message.subscribe_url.endswith("&Token=tok")


def test_sign_keeps_a_given_signing_cert_url(test_signer: TestSigner) -> None:
    """sign() keeps an existing SigningCertUrl (Lambda casing) as it is."""
    fields = json.loads(test_signer.envelope())
    fields.pop("SigningCertURL")
    fields["SigningCertUrl"] = test_signer.cert_url("us-east-1")

    signed = test_signer.sign(fields, "1")

    assert "SigningCertURL" not in signed
    check_signature(parse_message(json.dumps(signed)), test_signer.key.public_key())

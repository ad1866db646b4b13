"""The optional issuer-chain check of signing certificates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from snsreceiver.errors import CertificateRejected
from snsreceiver.sns.certificates import SigningCertificate, parse_certificate
from snsreceiver.sns.chain import INTERMEDIATES_FILE, ChainChecker

START = datetime(2026, 1, 1, tzinfo=UTC)
AT = datetime(2026, 6, 1, tzinfo=UTC)
URL = (
    "https://sns.us-east-1.amazonaws.com/"
    "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
)


def _ca(
    name: str, key: rsa.RSAPrivateKey, issuer: tuple[x509.Name, rsa.RSAPrivateKey]
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0] or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
        .sign(issuer[1], hashes.SHA256())
    )


class Pki:
    """A root, an intermediate and an SNS leaf signed through them."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root")])
        self.root = _ca("Test Root", key, (root_name, key))
        self.intermediate = _ca("Test Intermediate", key, (self.root.subject, key))
        leaf = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")]
                )
            )
            .issuer_name(self.intermediate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(START)
            .not_valid_after(START + timedelta(days=365))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName("sns.amazonaws.com")]),
                critical=False,
            )
            .add_extension(
                x509.BasicConstraints(ca=False, path_length=None), critical=True
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        self.leaf: SigningCertificate = parse_certificate(
            leaf.public_bytes(serialization.Encoding.PEM), URL, "pinned"
        )

    def write_intermediates(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / INTERMEDIATES_FILE
        path.write_bytes(self.intermediate.public_bytes(serialization.Encoding.PEM))
        return directory


@pytest.fixture(scope="module")
def pki() -> Pki:
    """A small PKI of our own standing in for Amazon's."""
    return Pki(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def test_chain_to_a_trusted_root_passes(pki: Pki, tmp_path: Path) -> None:
    """Leaf, pinned intermediate and trusted root form a valid chain."""
    checker = ChainChecker(pki.write_intermediates(tmp_path), roots=[pki.root])

    checker.check(pki.leaf, "sns.amazonaws.com", AT)


def test_untrusted_root_is_refused(pki: Pki, tmp_path: Path) -> None:
    """Without our root in the store the chain fails."""
    checker = ChainChecker(pki.write_intermediates(tmp_path))

    with pytest.raises(CertificateRejected) as caught:
        checker.check(pki.leaf, "sns.amazonaws.com", AT)

    assert caught.value.code == "certificate_untrusted"


def test_missing_intermediate_is_refused(pki: Pki, tmp_path: Path) -> None:
    """SNS serves no intermediates, so without the file there is no chain."""
    checker = ChainChecker(tmp_path, roots=[pki.root])

    with pytest.raises(CertificateRejected):
        checker.check(pki.leaf, "sns.amazonaws.com", AT)


def test_chain_is_judged_at_the_given_time(pki: Pki, tmp_path: Path) -> None:
    """A chain valid in 2026 is refused when judged after the leaf expired."""
    checker = ChainChecker(pki.write_intermediates(tmp_path), roots=[pki.root])

    with pytest.raises(CertificateRejected):
        checker.check(pki.leaf, "sns.amazonaws.com", AT + timedelta(days=400))


def test_a_valid_chain_is_remembered_within_its_span(pki: Pki, tmp_path: Path) -> None:
    """The same certificate and name inside the chain's span is not rebuilt."""
    checker = ChainChecker(pki.write_intermediates(tmp_path), roots=[pki.root])

    checker.check(pki.leaf, "sns.amazonaws.com", AT)
    checker.check(pki.leaf, "sns.amazonaws.com", AT + timedelta(days=30))

    assert checker.verifications == 1


def test_outside_the_span_the_chain_is_judged_again(pki: Pki, tmp_path: Path) -> None:
    """A remembered chain does not carry a message past the leaf's expiry."""
    checker = ChainChecker(pki.write_intermediates(tmp_path), roots=[pki.root])
    checker.check(pki.leaf, "sns.amazonaws.com", AT)

    with pytest.raises(CertificateRejected):
        checker.check(pki.leaf, "sns.amazonaws.com", AT + timedelta(days=400))

    assert checker.verifications == 2


def test_another_name_or_a_refusal_is_not_taken_from_memory(
    pki: Pki, tmp_path: Path
) -> None:
    """The memory is per name, and a refused chain is judged every time."""
    checker = ChainChecker(pki.write_intermediates(tmp_path), roots=[pki.root])
    checker.check(pki.leaf, "sns.amazonaws.com", AT)

    for _ in range(2):
        with pytest.raises(CertificateRejected):
            checker.check(pki.leaf, "sns.us-gov-west-1.amazonaws.com", AT)

    assert checker.verifications == 3

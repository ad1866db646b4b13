"""The optional check of a signing certificate's issuer chain.

SNS serves the signing certificate alone, without its intermediates, so the chain
can only be built when the intermediates are at hand: they are read from
``intermediates.pem`` in the pinned certificate directory (Amazon publishes them at
https://www.amazontrust.com/repository/). The roots are the Mozilla bundle that
ships with certifi. Off by default (``SNSRECEIVER_CERT_VERIFY_CHAIN``); the
signature, name, validity and URL checks do not depend on it.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import certifi
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from snsreceiver.errors import CertificateRejected

if TYPE_CHECKING:
    from snsreceiver.sns.certificates import SigningCertificate

INTERMEDIATES_FILE = "intermediates.pem"


class ChainChecker:
    """Checks that a certificate chains up to a trusted root at a given time."""

    def __init__(
        self,
        cert_dir: Path | None,
        *,
        roots: list[x509.Certificate] | None = None,
    ) -> None:
        if roots is None:
            roots = _mozilla_roots()
        self._store = Store(roots)
        self._intermediates: list[x509.Certificate] = []
        if cert_dir is not None and (cert_dir / INTERMEDIATES_FILE).is_file():
            pem = (cert_dir / INTERMEDIATES_FILE).read_bytes()
            self._intermediates = x509.load_pem_x509_certificates(pem)

    def check(self, certificate: SigningCertificate, name: str, at: datetime) -> None:
        """Raises CertificateRejected unless the chain to a root holds at ``at``."""
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(at)
            .build_server_verifier(DNSName(name))
        )
        try:
            verifier.verify(certificate.certificate, self._intermediates)
        except VerificationError as exc:
            raise CertificateRejected(
                f"The certificate at {certificate.url} does not chain to a trusted "
                f"root: {exc}.",
                code="certificate_untrusted",
            ) from exc


def _mozilla_roots() -> list[x509.Certificate]:
    """The roots certifi ships; a few old ones have serials RFC 5280 disallows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())

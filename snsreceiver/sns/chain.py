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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import certifi
from cachetools import LRUCache
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from snsreceiver.errors import CertificateRejected

if TYPE_CHECKING:
    from snsreceiver.sns.certificates import SigningCertificate

INTERMEDIATES_FILE = "intermediates.pem"


class ChainChecker:
    """Checks that a certificate chains up to a trusted root at a given time.

    Building and verifying a chain costs about three RSA checks (some 70 µs),
    so a chain found valid is remembered with the time span in which all its
    certificates are valid: later messages signed with the same certificate,
    for the same name and inside that span, are not checked again. Refusals
    are never remembered.
    """

    def __init__(
        self,
        cert_dir: Path | None,
        *,
        roots: list[x509.Certificate] | None = None,
        remembered: int = 64,
    ) -> None:
        if roots is None:
            roots = _mozilla_roots()
        self._store = Store(roots)
        self._intermediates: list[x509.Certificate] = []
        if cert_dir is not None and (cert_dir / INTERMEDIATES_FILE).is_file():
            pem = (cert_dir / INTERMEDIATES_FILE).read_bytes()
            self._intermediates = x509.load_pem_x509_certificates(pem)
        self._valid: LRUCache[tuple[str, str], _ValidChain] = LRUCache(remembered)
        self.verifications = 0

    def check(self, certificate: SigningCertificate, name: str, at: datetime) -> None:
        """Raises CertificateRejected unless the chain to a root holds at ``at``."""
        known = self._valid.get((certificate.url, name))
        if (
            known is not None
            and known.leaf is certificate.certificate
            and known.not_before <= at <= known.not_after
        ):
            return

        chain = self._verify(certificate, name, at)
        self._valid[(certificate.url, name)] = _ValidChain(
            leaf=certificate.certificate,
            not_before=max(link.not_valid_before_utc for link in chain),
            not_after=min(link.not_valid_after_utc for link in chain),
        )

    def _verify(
        self, certificate: SigningCertificate, name: str, at: datetime
    ) -> list[x509.Certificate]:
        self.verifications += 1
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(at)
            .build_server_verifier(DNSName(name))
        )
        try:
            return verifier.verify(certificate.certificate, self._intermediates)
        except VerificationError as exc:
            raise CertificateRejected(
                f"The certificate at {certificate.url} does not chain to a trusted "
                f"root: {exc}.",
                code="certificate_untrusted",
            ) from exc


@dataclass(frozen=True, slots=True)
class _ValidChain:
    leaf: x509.Certificate
    not_before: datetime
    not_after: datetime


def _mozilla_roots() -> list[x509.Certificate]:
    """The roots certifi ships; a few old ones have serials RFC 5280 disallows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())

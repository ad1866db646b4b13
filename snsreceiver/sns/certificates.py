"""SNS signing certificates: found, fetched, checked and cached.

A certificate is looked up by its SigningCertURL, which must already be on the
allow-list (see :mod:`snsreceiver.sns.urls`). The pinned directory is consulted
first; otherwise the certificate is fetched with the injected ``httpx.AsyncClient``
(no redirects, short timeouts, a few KB at most, exactly one PEM certificate).

The cache is a cachetools ``TLRUCache``: bounded in size, and each entry expires
after ``ttl`` seconds or at the certificate's own expiry, whichever comes first.
A failed lookup is remembered for only ``failure_ttl`` seconds. Concurrent misses
on one URL share a single fetch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx
from cachetools import TLRUCache
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.dsa import DSAPublicKey
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from snsreceiver.errors import (
    CertificateRejected,
    CertificateUnavailable,
    CertificateUrlRefused,
    MessageRejected,
)
from snsreceiver.sns.chain import ChainChecker
from snsreceiver.sns.signing_names import signing_name
from snsreceiver.sns.urls import check_certificate_url

if TYPE_CHECKING:
    from snsreceiver.settings import Settings

logger = logging.getLogger(__name__)

MAX_CERTIFICATE_BYTES = 8192
MIN_KEY_BITS = 2048
PEM_BEGIN = b"-----BEGIN "


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    """A parsed SNS signing certificate and where it came from."""

    url: str
    certificate: x509.Certificate
    public_key: RSAPublicKey
    names: frozenset[str]
    not_before: datetime
    not_after: datetime
    source: Literal["pinned", "fetched"]

    def check_name(self, region: str) -> None:
        """Raises CertificateRejected unless this is issued to ``region``'s name."""
        expected = signing_name(region)
        if expected not in self.names:
            raise CertificateRejected(
                f"The certificate at {self.url} is issued to "
                f"{', '.join(sorted(self.names)) or 'no name'}; messages from "
                f"{region} must be signed by {expected}.",
                code="certificate_name_mismatch",
            )

    def refusal_at(self, at: datetime) -> CertificateRejected:
        """The error for a message signed at ``at``, outside the validity window."""
        return CertificateRejected(
            f"The certificate at {self.url} is valid from "
            f"{self.not_before.isoformat()} to {self.not_after.isoformat()}, "
            f"not at {at.isoformat()}.",
            code="certificate_expired",
        )


def parse_certificate(
    pem: bytes, url: str, source: Literal["pinned", "fetched"]
) -> SigningCertificate:
    """Reads exactly one PEM certificate with an RSA key of 2048 bits or more."""
    if pem.count(PEM_BEGIN) != 1:
        raise CertificateRejected(
            f"{url} must hold exactly one PEM certificate, found "
            f"{pem.count(PEM_BEGIN)} PEM blocks.",
            code="certificate_malformed",
        )
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise CertificateRejected(
            f"{url} does not hold a readable PEM certificate.",
            code="certificate_malformed",
        ) from exc

    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey) or key.key_size < MIN_KEY_BITS:
        raise CertificateRejected(
            f"The certificate at {url} has {_describe_key(key)}; a signing "
            f"certificate must have an RSA key of at least {MIN_KEY_BITS} bits.",
            code="certificate_weak_key",
        )

    return SigningCertificate(
        url=url,
        certificate=certificate,
        public_key=key,
        names=_names(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        source=source,
    )


def _describe_key(key: PublicKeyTypes) -> str:
    """What a refused key is: ``a 1024-bit RSA key``, ``an EC key on curve
    secp256r1``."""
    if isinstance(key, RSAPublicKey):
        return f"a {key.key_size}-bit RSA key"
    if isinstance(key, EllipticCurvePublicKey):
        return f"an EC key on curve {key.curve.name}"
    if isinstance(key, Ed25519PublicKey | Ed448PublicKey):
        return "an EdDSA key"
    if isinstance(key, DSAPublicKey):
        return f"a {key.key_size}-bit DSA key"
    return "a key of another kind"


def _names(certificate: x509.Certificate) -> frozenset[str]:
    """The DNS names in the SAN, or the subject CN when there is no SAN."""
    try:
        san = certificate.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        )
    except x509.ExtensionNotFound:
        common = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return frozenset(str(attribute.value) for attribute in common)
    return frozenset(san.value.get_values_for_type(x509.DNSName))


@dataclass(frozen=True, slots=True)
class _Entry:
    region: str
    expires: float
    certificate: SigningCertificate | None = None
    error: MessageRejected | CertificateUnavailable | None = None


class CertificateStore:
    """Finds SNS signing certificates: cache, then pinned directory, then HTTPS."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        cert_dir: Path | None,
        max_size: int,
        ttl: float,
        failure_ttl: float,
        fetch_timeout: float,
        verify_chain: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._cert_dir = cert_dir
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._fetch_timeout = fetch_timeout
        self._chain = ChainChecker(cert_dir) if verify_chain else None
        self._clock = clock
        # The wall clock itself when no clock is injected: the cache reads it
        # on every lookup.
        self._timer: Callable[[], float] = time.time if clock is utc_now else self._now
        self._cache: TLRUCache[str, _Entry] = TLRUCache(
            maxsize=max_size, ttu=_expiry, timer=self._timer
        )
        # The URL and entry of the last hit, looked at before the cache until
        # the entry expires. A receiver nearly always sees one certificate at a
        # time, and the cache's own lookup (its timer and LRU bookkeeping, in
        # Python) cost 0.5 µs a message. Every load forgets it (see _load).
        self._last: tuple[str, _Entry] | None = None
        self._inflight: dict[tuple[str, str], asyncio.Future[_Entry]] = {}
        self.hits = 0
        self.misses = 0
        self.fetches = 0

    @classmethod
    def from_settings(
        cls, settings: Settings, client: httpx.AsyncClient, **kwargs: Any
    ) -> CertificateStore:
        """A store configured by the ``SNSRECEIVER_CERT_*`` settings."""
        return cls(
            client,
            cert_dir=settings.cert_dir,
            max_size=settings.cert_cache_size,
            ttl=settings.cert_cache_ttl,
            failure_ttl=settings.cert_failure_ttl,
            fetch_timeout=settings.cert_fetch_timeout,
            verify_chain=settings.cert_verify_chain,
            **kwargs,
        )

    def __len__(self) -> int:
        return len(self._cache)

    def cached(
        self, url: str, *, region: str, at: datetime
    ) -> SigningCertificate | None:
        """The cached certificate at ``url``, checked as :meth:`get` does it.

        None when it is not cached for ``region``, so :meth:`get` must load it.
        Synchronous, so that a message whose certificate is cached, nearly every
        message, is checked without a detour through the event loop.
        """
        last = self._last
        if last is not None and last[0] == url and self._timer() < last[1].expires:
            entry = last[1]
        else:
            try:
                entry = self._cache[url]
            except KeyError:
                return None
            self._last = (url, entry)
        if entry.region != region:
            return None

        self.hits += 1
        return self._checked(entry, region, at)

    async def get(self, url: str, *, region: str, at: datetime) -> SigningCertificate:
        """The certificate at ``url``, checked for ``region`` at the moment ``at``.

        Raises CertificateUrlRefused or CertificateRejected (permanent) and
        CertificateUnavailable (temporary).
        """
        return self.cached(url, region=region, at=at) or await self.load(
            url, region=region, at=at
        )

    async def load(self, url: str, *, region: str, at: datetime) -> SigningCertificate:
        """:meth:`get` for a URL that :meth:`cached` has just answered None for.

        Checks the URL against the allow-list, then reads the pinned directory
        or fetches, joining a load of the same URL for the same region
        already under way.
        """
        file_name = check_certificate_url(url, region)
        self.misses += 1
        entry = await self._load_once(url, region, file_name)
        return self._checked(entry, region, at)

    def _checked(self, entry: _Entry, region: str, at: datetime) -> SigningCertificate:
        # The name was checked for entry.region when the entry was made; only
        # the moment differs from one message to the next.
        certificate = entry.certificate
        if certificate is None:
            error = entry.error
            assert error is not None
            raise type(error)(error.message, code=error.code) from error.__cause__
        if not certificate.not_before <= at <= certificate.not_after:
            raise certificate.refusal_at(at)
        if self._chain is not None:
            self._chain.check(certificate, signing_name(region), at)
        return certificate

    def _now(self) -> float:
        return self._clock().timestamp()

    async def _load_once(self, url: str, region: str, file_name: str) -> _Entry:
        """Loads ``url`` for ``region``, joining a load already under way for it."""
        key = (url, region)
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._load(url, region, file_name))
            self._inflight[key] = future
            future.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(future)

    async def _load(self, url: str, region: str, file_name: str) -> _Entry:
        now = self._now()
        try:
            certificate = await self._find(url, file_name)
        except (CertificateRejected, CertificateUrlRefused) as exc:
            logger.warning("signing certificate refused: %s", exc)
            entry = _Entry(region, now + self._failure_ttl, error=exc)
        except CertificateUnavailable as exc:
            logger.warning("signing certificate unavailable: %s", exc)
            entry = _Entry(region, now + self._failure_ttl, error=exc)
        else:
            expires = min(now + self._ttl, certificate.not_after.timestamp())
            entry = self._named_entry(certificate, region, expires)

        self._cache[url] = entry
        # Hits on the last entry never reach the cache, so the cache would
        # take it for idle and evict it first; after any load the next hit goes
        # through the cache again and marks it used.
        self._last = None
        return entry

    @staticmethod
    def _named_entry(
        certificate: SigningCertificate, region: str, expires: float
    ) -> _Entry:
        """The entry for a certificate, refused when not issued to the region.

        The name cannot change while the certificate is cached, so it is judged
        here, once, and a refusal is kept as long as the certificate would be:
        fetching it again sooner could only give the same answer.
        """
        try:
            certificate.check_name(region)
        except CertificateRejected as exc:
            logger.warning("signing certificate refused: %s", exc)
            return _Entry(region, expires, error=exc)
        return _Entry(region, expires, certificate=certificate)

    async def _find(self, url: str, file_name: str) -> SigningCertificate:
        if self._cert_dir is not None:
            path = self._cert_dir / file_name
            pem = await asyncio.to_thread(_read_pinned, path)
            if pem is not None:
                logger.debug("using pinned certificate %s", path)
                return parse_certificate(pem, url, "pinned")

        pem = await self._fetch(url)
        return parse_certificate(pem, url, "fetched")

    async def _fetch(self, url: str) -> bytes:
        """GETs ``url``: 200 only, no redirects, at most a few KB."""
        self.fetches += 1
        logger.info("fetching signing certificate %s", url)
        try:
            async with asyncio.timeout(self._fetch_timeout * 2):
                return await self._download(url)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise CertificateUnavailable(
                f"The signing certificate {url} could not be fetched "
                f"({type(exc).__name__}); SNS will retry.",
                code="certificate_unavailable",
            ) from exc

    async def _download(self, url: str) -> bytes:
        async with self._client.stream(
            "GET",
            url,
            follow_redirects=False,
            timeout=httpx.Timeout(self._fetch_timeout),
        ) as response:
            if response.status_code != httpx.codes.OK:
                raise CertificateUnavailable(
                    f"Fetching the signing certificate {url} answered HTTP "
                    f"{response.status_code}; expected 200.",
                    code="certificate_unavailable",
                )

            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_CERTIFICATE_BYTES:
                    raise CertificateRejected(
                        f"The signing certificate {url} is larger than "
                        f"{MAX_CERTIFICATE_BYTES} bytes.",
                        code="certificate_too_large",
                    )
            return bytes(body)


def _expiry(key: str, entry: _Entry, now: float) -> float:
    return entry.expires


def _read_pinned(path: Path) -> bytes | None:
    """The pinned file's bytes, or None when it is missing."""
    try:
        with path.open("rb") as file:
            return file.read(MAX_CERTIFICATE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CertificateUnavailable(
            f"The pinned certificate {path} cannot be read ({exc.strerror}).",
            code="certificate_unavailable",
        ) from exc

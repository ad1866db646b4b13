"""Finding, fetching, checking and caching SNS signing certificates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
)

from snsreceiver.errors import (
    CertificateRejected,
    CertificateUnavailable,
    CertificateUrlRefused,
)
from snsreceiver.settings import load_settings
from snsreceiver.sns.certificates import (
    MAX_CERTIFICATE_BYTES,
    CertificateStore,
    parse_certificate,
)
from snsreceiver.sns.testkit import TestSigner, self_signed_certificate
from tests.sns.support import NOW, REAL_AWS, CertServer, Clock

REGION = "us-east-1"


def _store(
    client: httpx.AsyncClient, clock: Clock, **options: object
) -> CertificateStore:
    settings: dict[str, object] = {
        "cert_dir": None,
        "max_size": 8,
        "ttl": 3600.0,
        "failure_ttl": 5.0,
        "fetch_timeout": 2.0,
    }
    settings.update(options)
    return CertificateStore(client, clock=clock, **settings)  # type: ignore[arg-type]


def _url(number: int) -> str:
    host = f"sns.{REGION}.amazonaws.com"
    return f"https://{host}/SimpleNotificationService-{number:032x}.pem"


class TestFetching:
    async def test_fetches_once_then_serves_from_cache(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """The first lookup fetches; the next is a cache hit without a request."""
        url = test_signer.cert_url(REGION)

        first = await store.get(url, region=REGION, at=NOW)
        second = await store.get(url, region=REGION, at=NOW)

        assert first is second
        assert first.source == "fetched"
        assert first.public_key.public_numbers() == (
            test_signer.key.public_key().public_numbers()
        )
        assert len(cert_server.requests) == 1
        assert (store.misses, store.hits, store.fetches) == (1, 1, 1)

    async def test_request_has_short_timeouts_and_no_redirects(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """The fetch is a plain GET with the configured timeouts."""
        await store.get(test_signer.cert_url(REGION), region=REGION, at=NOW)

        request = cert_server.requests[0]
        assert request.method == "GET"
        assert request.url == test_signer.cert_url(REGION)
        assert request.extensions["timeout"]["connect"] == 2.0
        assert request.extensions["timeout"]["read"] == 2.0

    async def test_redirect_from_an_allowed_host_is_not_followed(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """A 302 is a failure, and its Location is never requested."""
        cert_server.respond = lambda request: httpx.Response(
            302, headers={"Location": "https://evil.example/cert.pem"}
        )

        with pytest.raises(CertificateUnavailable) as caught:
            await store.get(test_signer.cert_url(REGION), region=REGION, at=NOW)

        assert "302" in caught.value.message
        assert [str(r.url.host) for r in cert_server.requests] == [
            "sns.us-east-1.amazonaws.com"
        ]

    @pytest.mark.parametrize("status", [404, 403, 500, 503, 204])
    async def test_non_200_answer_is_temporary(
        self,
        status: int,
        store: CertificateStore,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """Any answer but 200 leaves the certificate unavailable, so SNS retries."""
        cert_server.respond = lambda request: httpx.Response(status)

        with pytest.raises(CertificateUnavailable) as caught:
            await store.get(test_signer.cert_url(REGION), region=REGION, at=NOW)

        assert caught.value.code == "certificate_unavailable"

    @pytest.mark.parametrize(
        "error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")]
    )
    async def test_network_errors_become_certificate_unavailable(
        self,
        error: httpx.HTTPError,
        store: CertificateStore,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """httpx errors are converted at the boundary and chained."""

        def fail(request: httpx.Request) -> httpx.Response:
            raise error

        cert_server.respond = fail

        with pytest.raises(CertificateUnavailable) as caught:
            await store.get(test_signer.cert_url(REGION), region=REGION, at=NOW)

        assert isinstance(caught.value.__cause__, httpx.HTTPError)

    async def test_oversized_answer_is_refused(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """More than a few KB is not a certificate."""
        big = test_signer.certificate_pem + b"\n" * MAX_CERTIFICATE_BYTES
        cert_server.respond = lambda request: httpx.Response(200, content=big)

        with pytest.raises(CertificateRejected) as caught:
            await store.get(test_signer.cert_url(REGION), region=REGION, at=NOW)

        assert caught.value.code == "certificate_too_large"

    async def test_the_cap_is_a_few_kilobytes(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """An SNS certificate is under 2 KB: the cap admits 4 KB, refuses 16 KB."""
        padded = test_signer.certificate_pem + b"\n" * (
            4096 - len(test_signer.certificate_pem)
        )
        cert_server.respond = lambda request: httpx.Response(
            200, content=padded if request.url.path.endswith("1.pem") else padded * 4
        )

        certificate = await store.get(_url(1), region=REGION, at=NOW)
        with pytest.raises(CertificateRejected) as caught:
            await store.get(_url(2), region=REGION, at=NOW)

        assert certificate.url == _url(1)
        assert caught.value.code == "certificate_too_large"

    async def test_off_list_url_is_refused_without_request(
        self, store: CertificateStore, cert_server: CertServer
    ) -> None:
        """The store applies the allow-list itself before any lookup."""
        with pytest.raises(CertificateUrlRefused):
            await store.get("https://evil.example/x.pem", region=REGION, at=NOW)

        assert cert_server.requests == []

    async def test_cached_url_is_checked_against_the_region_asked(
        self, store: CertificateStore, test_signer: TestSigner
    ) -> None:
        """A cached us-east-1 URL is refused for a message from another region."""
        url = test_signer.cert_url(REGION)
        await store.get(url, region=REGION, at=NOW)

        with pytest.raises(CertificateUrlRefused):
            await store.get(url, region="eu-west-1", at=NOW)


class TestPinned:
    async def test_pinned_certificate_is_used_without_fetch(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        pinned_cert_dir: Path,
        test_signer: TestSigner,
    ) -> None:
        """A file named like the URL's last segment replaces the fetch."""
        store = _store(http_client, clock, cert_dir=pinned_cert_dir)

        certificate = await store.get(
            test_signer.cert_url(REGION), region=REGION, at=NOW
        )

        assert certificate.source == "pinned"
        assert cert_server.requests == []
        assert store.fetches == 0

    async def test_missing_pinned_file_falls_back_to_fetch(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        tmp_path: Path,
        test_signer: TestSigner,
    ) -> None:
        """An empty pinned directory does not stop the fetch."""
        store = _store(http_client, clock, cert_dir=tmp_path)

        certificate = await store.get(
            test_signer.cert_url(REGION), region=REGION, at=NOW
        )

        assert certificate.source == "fetched"
        assert len(cert_server.requests) == 1

    async def test_pinned_lookup_still_requires_the_allow_list(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        pinned_cert_dir: Path,
        test_signer: TestSigner,
    ) -> None:
        """A pinned file is not reachable through a URL off the list."""
        store = _store(http_client, clock, cert_dir=pinned_cert_dir)
        url = f"https://evil.example/{test_signer.file_name}"

        with pytest.raises(CertificateUrlRefused):
            await store.get(url, region=REGION, at=NOW)

    async def test_unreadable_pinned_file_is_temporary(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        tmp_path: Path,
        test_signer: TestSigner,
    ) -> None:
        """A pinned path that cannot be read is an unavailable certificate."""
        (tmp_path / test_signer.file_name).mkdir()
        store = _store(http_client, clock, cert_dir=tmp_path)

        with pytest.raises(CertificateUnavailable):
            await store.get(test_signer.cert_url(REGION), region=REGION, at=NOW)

        assert cert_server.requests == []

    def test_from_settings_reads_the_cert_settings(
        self, http_client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        """The store takes its directory and sizes from the settings."""
        settings = load_settings(cert_dir=tmp_path, cert_cache_size=3)

        store = CertificateStore.from_settings(settings, http_client)

        assert store._cert_dir == tmp_path
        assert store._cache.maxsize == 3


class TestCache:
    async def test_burst_of_misses_makes_one_request(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """A hundred concurrent first lookups of one URL share one fetch."""
        cert_server.gate = asyncio.Event()
        url = test_signer.cert_url(REGION)

        lookups = [
            asyncio.create_task(store.get(url, region=REGION, at=NOW))
            for _ in range(100)
        ]
        await asyncio.sleep(0.01)
        cert_server.gate.set()
        results = await asyncio.gather(*lookups)

        assert len(cert_server.requests) == 1
        assert store.fetches == 1
        assert all(result is results[0] for result in results)

    async def test_cancelled_waiter_does_not_cancel_the_shared_fetch(
        self, store: CertificateStore, cert_server: CertServer, test_signer: TestSigner
    ) -> None:
        """One caller giving up leaves the others their certificate."""
        cert_server.gate = asyncio.Event()
        url = test_signer.cert_url(REGION)
        first = asyncio.create_task(store.get(url, region=REGION, at=NOW))
        second = asyncio.create_task(store.get(url, region=REGION, at=NOW))
        await asyncio.sleep(0.01)

        first.cancel()
        cert_server.gate.set()
        certificate = await second

        assert certificate.url == url
        assert len(cert_server.requests) == 1

    async def test_entry_expires_after_ttl(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """Past the TTL the certificate is fetched again."""
        store = _store(http_client, clock, ttl=60.0)
        url = test_signer.cert_url(REGION)
        await store.get(url, region=REGION, at=NOW)

        clock.advance(59)
        await store.get(url, region=REGION, at=NOW)
        clock.advance(2)
        await store.get(url, region=REGION, at=NOW)

        assert len(cert_server.requests) == 2

    async def test_entry_never_outlives_the_certificate(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """A certificate expiring before the TTL leaves the cache when it expires."""
        short = TestSigner(
            key=signing_key,
            not_before=NOW - timedelta(days=1),
            not_after=NOW + timedelta(seconds=30),
        )
        cert_server.pem = short.certificate_pem
        store = _store(http_client, clock, ttl=3600.0)
        url = short.cert_url(REGION)
        await store.get(url, region=REGION, at=NOW)

        clock.advance(31)
        await store.get(url, region=REGION, at=NOW)

        assert len(cert_server.requests) == 2

    async def test_cache_is_bounded(
        self, http_client: httpx.AsyncClient, clock: Clock, cert_server: CertServer
    ) -> None:
        """The least recently used certificate leaves when the cache is full."""
        store = _store(http_client, clock, max_size=2)

        for number in (1, 2, 3):
            await store.get(_url(number), region=REGION, at=NOW)
        await store.get(_url(1), region=REGION, at=NOW)

        assert len(store) == 2
        assert len(cert_server.requests) == 4

    async def test_alternating_urls_each_get_their_own_certificate(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """Switching between two cached URLs never answers with the other one."""
        store = _store(http_client, clock)
        first, second = TestSigner(key=signing_key), TestSigner(key=signing_key)
        served = {_url(1): first.certificate_pem, _url(2): second.certificate_pem}
        cert_server.respond = lambda request: httpx.Response(
            200, content=served[str(request.url)]
        )
        loaded = {url: await store.get(url, region=REGION, at=NOW) for url in served}

        for url in [*served, *served, _url(2), _url(2), _url(1)]:
            certificate = store.cached(url, region=REGION, at=NOW)
            assert certificate is loaded[url]
            assert certificate.url == url

        assert loaded[_url(1)].certificate != loaded[_url(2)].certificate
        assert len(cert_server.requests) == 2

    async def test_certificate_in_use_outlives_urls_that_come_and_go(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """Hits served without asking the cache still count as use: loads of
        other URLs (say, made-up ones that fail) push those out, not it."""
        store = _store(http_client, clock, max_size=2)
        hot = test_signer.cert_url(REGION)
        fetched = {_url(1): 0, _url(2): 0, _url(3): 0}
        cert_server.respond = lambda request: (
            httpx.Response(404)
            if str(request.url) in fetched
            else httpx.Response(200, content=test_signer.certificate_pem)
        )
        await store.get(hot, region=REGION, at=NOW)

        for other in [_url(1), _url(2), _url(3), _url(3), _url(3)]:
            assert store.cached(hot, region=REGION, at=NOW) is not None
            with pytest.raises(CertificateUnavailable):
                await store.get(other, region=REGION, at=NOW)
        certificate = await store.get(hot, region=REGION, at=NOW)

        assert certificate.url == hot
        hot_requests = [r for r in cert_server.requests if str(r.url) == hot]
        assert len(hot_requests) == 1
        assert len(cert_server.requests) == 4

    async def test_last_hit_is_not_served_past_its_expiry(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        store = _store(http_client, clock, ttl=60.0)
        url = test_signer.cert_url(REGION)
        await store.get(url, region=REGION, at=NOW)
        hits = [store.cached(url, region=REGION, at=NOW) for _ in range(2)]

        clock.advance(61)

        assert None not in hits
        assert store.cached(url, region=REGION, at=NOW) is None

    async def test_cached_answers_only_what_a_load_left(
        self,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """The synchronous lookup never fetches; it sees loads until they expire."""
        store = _store(http_client, clock, ttl=60.0)
        url = test_signer.cert_url(REGION)

        before = store.cached(url, region=REGION, at=NOW)
        loaded = await store.get(url, region=REGION, at=NOW)
        after = store.cached(url, region=REGION, at=NOW)
        other_region = store.cached(url, region="eu-west-1", at=NOW)
        clock.advance(61)
        expired = store.cached(url, region=REGION, at=NOW)

        assert (before, after, other_region, expired) == (None, loaded, None, None)
        assert len(cert_server.requests) == 1
        assert (store.misses, store.hits) == (1, 1)

    async def test_cached_repeats_a_remembered_failure(
        self, store: CertificateStore, cert_server: CertServer
    ) -> None:
        """A failure still remembered is raised again by the synchronous lookup."""
        cert_server.respond = lambda request: httpx.Response(500)
        url = _url(9)
        with pytest.raises(CertificateUnavailable):
            await store.get(url, region=REGION, at=NOW)

        with pytest.raises(CertificateUnavailable):
            store.cached(url, region=REGION, at=NOW)

        assert len(cert_server.requests) == 1

    async def test_wall_clock_expiry_without_an_injected_clock(
        self,
        http_client: httpx.AsyncClient,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """With the default clock, entries expire by the real time that passes."""
        signer = TestSigner(
            key=test_signer.key, not_before=datetime.now(UTC) - timedelta(days=1)
        )
        cert_server.respond = lambda request: httpx.Response(
            200, content=signer.certificate_pem
        )
        store = CertificateStore(
            http_client,
            cert_dir=None,
            max_size=8,
            ttl=0.2,
            failure_ttl=5.0,
            fetch_timeout=2.0,
        )
        url = signer.cert_url(REGION)
        now = datetime.now(UTC)

        await store.get(url, region=REGION, at=now)
        fresh = store.cached(url, region=REGION, at=now)
        await asyncio.sleep(0.3)
        stale = store.cached(url, region=REGION, at=now)

        assert fresh is not None
        assert stale is None

    async def test_failure_is_remembered_only_briefly(
        self, store: CertificateStore, clock: Clock, cert_server: CertServer
    ) -> None:
        """A failed fetch is not retried for failure_ttl seconds, then it is."""
        cert_server.respond = lambda request: httpx.Response(500)
        url = _url(7)

        with pytest.raises(CertificateUnavailable):
            await store.get(url, region=REGION, at=NOW)
        with pytest.raises(CertificateUnavailable):
            await store.get(url, region=REGION, at=NOW)
        assert len(cert_server.requests) == 1

        cert_server.respond = None
        clock.advance(5.5)
        certificate = await store.get(url, region=REGION, at=NOW)

        assert certificate.url == url
        assert len(cert_server.requests) == 2

    async def test_rejected_download_is_remembered_only_briefly(
        self,
        store: CertificateStore,
        clock: Clock,
        cert_server: CertServer,
        test_signer: TestSigner,
    ) -> None:
        """A garbled answer may be a passing fault of the host: it is refused
        again for failure_ttl seconds, then fetched afresh."""
        cert_server.respond = lambda request: httpx.Response(200, content=b"garbage")
        url = _url(9)

        for _ in range(2):
            with pytest.raises(CertificateRejected) as caught:
                await store.get(url, region=REGION, at=NOW)
            assert caught.value.code == "certificate_malformed"
        assert len(cert_server.requests) == 1

        cert_server.respond = None
        clock.advance(5.5)
        certificate = await store.get(url, region=REGION, at=NOW)

        assert certificate.public_key.public_numbers() == (
            test_signer.key.public_key().public_numbers()
        )
        assert len(cert_server.requests) == 2

    async def test_zero_failure_ttl_retries_at_once(
        self, http_client: httpx.AsyncClient, clock: Clock, cert_server: CertServer
    ) -> None:
        """With failure_ttl 0 no failure is cached at all."""
        store = _store(http_client, clock, failure_ttl=0.0)
        cert_server.respond = lambda request: httpx.Response(503)

        for _ in range(3):
            with pytest.raises(CertificateUnavailable):
                await store.get(_url(8), region=REGION, at=NOW)

        assert len(cert_server.requests) == 3


class TestCertificateChecks:
    def test_real_aws_certificate_parses(self) -> None:
        """A real SNS certificate yields its name, dates and 2048-bit key."""
        pem = (
            REAL_AWS / "SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem"
        ).read_bytes()

        certificate = parse_certificate(pem, _url(1), "pinned")

        assert certificate.names == {"sns.amazonaws.com"}
        assert certificate.public_key.key_size == 2048
        assert certificate.not_after.year == 2026

    @pytest.mark.parametrize(
        "pem",
        [
            b"",
            b"hello",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ],
    )
    def test_unreadable_pem_is_malformed(self, pem: bytes) -> None:
        """Anything but one readable PEM certificate is refused."""
        with pytest.raises(CertificateRejected) as caught:
            parse_certificate(pem, _url(1), "fetched")

        assert caught.value.code == "certificate_malformed"

    def test_two_certificates_are_refused(self, test_signer: TestSigner) -> None:
        """Exactly one certificate, not a bundle."""
        with pytest.raises(CertificateRejected) as caught:
            parse_certificate(test_signer.certificate_pem * 2, _url(1), "fetched")

        assert caught.value.code == "certificate_malformed"

    def test_private_key_is_not_a_certificate(
        self, signing_key: rsa.RSAPrivateKey
    ) -> None:
        """A PEM block of another kind is refused."""
        pem = signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

        with pytest.raises(CertificateRejected) as caught:
            parse_certificate(pem, _url(1), "fetched")

        assert caught.value.code == "certificate_malformed"

    def test_weak_key_is_refused(self) -> None:
        """An RSA key under 2048 bits is refused, and the sentence says why."""
        weak = TestSigner(key_size=1024)

        with pytest.raises(CertificateRejected) as caught:
            parse_certificate(weak.certificate_pem, _url(1), "fetched")

        assert caught.value.code == "certificate_weak_key"
        assert "a 1024-bit RSA key" in caught.value.message
        assert "at least 2048 bits" in caught.value.message

    @pytest.mark.parametrize(
        ("make_key", "described"),
        [
            (lambda: ec.generate_private_key(ec.SECP256R1()), "an EC key on curve"),
            (ed25519.Ed25519PrivateKey.generate, "an EdDSA key"),
            (lambda: dsa.generate_private_key(2048), "a 2048-bit DSA key"),
        ],
        ids=["ec", "ed25519", "dsa-2048"],
    )
    def test_key_of_another_kind_is_refused(
        self,
        make_key: Callable[[], CertificateIssuerPrivateKeyTypes],
        described: str,
    ) -> None:
        """SNS signs with RSA; a certificate for any other key is refused, even
        one of 2048 bits."""
        certificate = self_signed_certificate(
            make_key(), "sns.amazonaws.com", NOW - timedelta(days=1), NOW
        )
        pem = certificate.public_bytes(serialization.Encoding.PEM)

        with pytest.raises(CertificateRejected) as caught:
            parse_certificate(pem, _url(1), "fetched")

        assert caught.value.code == "certificate_weak_key"
        assert described in caught.value.message
        assert "must have an RSA key of at least 2048 bits" in caught.value.message

    async def test_wrong_name_is_refused(
        self,
        store: CertificateStore,
        cert_server: CertServer,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """A certificate for another name cannot sign SNS messages."""
        other = TestSigner(key=signing_key, name="example.com")
        cert_server.pem = other.certificate_pem

        with pytest.raises(CertificateRejected) as caught:
            await store.get(other.cert_url(REGION), region=REGION, at=NOW)

        assert caught.value.code == "certificate_name_mismatch"
        assert "example.com" in caught.value.message

    @pytest.mark.parametrize("failure_ttl", [5.0, 0.0])
    async def test_wrong_name_is_remembered_as_long_as_the_certificate(
        self,
        failure_ttl: float,
        http_client: httpx.AsyncClient,
        clock: Clock,
        cert_server: CertServer,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """The name is judged once per load; the refusal lasts the cache's ttl,
        not the short failure_ttl, since a refetch would find the same name."""
        store = _store(http_client, clock, ttl=60.0, failure_ttl=failure_ttl)
        other = TestSigner(key=signing_key, name="example.com")
        cert_server.pem = other.certificate_pem
        url = other.cert_url(REGION)

        for advance in (0, 5.5, 50):
            clock.advance(advance)
            with pytest.raises(CertificateRejected) as caught:
                await store.get(url, region=REGION, at=NOW)
            assert caught.value.code == "certificate_name_mismatch"
        assert len(cert_server.requests) == 1

        cert_server.pem = TestSigner(key=signing_key).certificate_pem
        clock.advance(5)
        certificate = await store.get(url, region=REGION, at=NOW)

        assert certificate.names == {"sns.amazonaws.com"}
        assert len(cert_server.requests) == 2

    async def test_region_with_its_own_signing_name(
        self,
        store: CertificateStore,
        cert_server: CertServer,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """af-south-1 needs its own name; sns.amazonaws.com is refused there."""
        regional = TestSigner(
            key=signing_key, name="sns-signing.af-south-1.amazonaws.com"
        )
        classic = TestSigner(key=signing_key)
        cert_server.pem = regional.certificate_pem

        certificate = await store.get(
            regional.cert_url("af-south-1"), region="af-south-1", at=NOW
        )
        assert "sns-signing.af-south-1.amazonaws.com" in certificate.names

        cert_server.pem = classic.certificate_pem
        with pytest.raises(CertificateRejected):
            await store.get(classic.cert_url("af-south-1"), region="af-south-1", at=NOW)

    @pytest.mark.parametrize(
        "at",
        [NOW - timedelta(days=2), NOW + timedelta(days=2)],
        ids=["before", "after"],
    )
    async def test_certificate_outside_its_validity_is_refused(
        self,
        at: datetime,
        store: CertificateStore,
        cert_server: CertServer,
        signing_key: rsa.RSAPrivateKey,
    ) -> None:
        """The certificate must be valid at the moment judged."""
        day = TestSigner(
            key=signing_key,
            not_before=NOW - timedelta(days=1),
            not_after=NOW + timedelta(days=1),
        )
        cert_server.pem = day.certificate_pem

        with pytest.raises(CertificateRejected) as caught:
            await store.get(day.cert_url(REGION), region=REGION, at=at)

        assert caught.value.code == "certificate_expired"


async def test_chain_check_refuses_a_self_signed_certificate(
    http_client: httpx.AsyncClient, clock: Clock, test_signer: TestSigner
) -> None:
    """With verify_chain on, a certificate without a trusted chain is refused,
    on the load and on every later hit, the last-hit shortcut included."""
    store = _store(http_client, clock, verify_chain=True)
    url = test_signer.cert_url(REGION)

    with pytest.raises(CertificateRejected) as caught:
        await store.get(url, region=REGION, at=NOW)
    assert caught.value.code == "certificate_untrusted"

    for _ in range(3):
        with pytest.raises(CertificateRejected) as caught:
            store.cached(url, region=REGION, at=NOW)
        assert caught.value.code == "certificate_untrusted"
    assert store.hits == 3

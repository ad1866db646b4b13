"""Fixtures for the SNS authentication tests: a clock, a certificate server, a
store and a verifier, all offline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from snsreceiver.settings import Settings, load_settings
from snsreceiver.sns.certificates import CertificateStore
from snsreceiver.sns.testkit import TestSigner
from snsreceiver.sns.verifier import MessageVerifier
from tests.sns.support import NOW, TOPIC, CertServer, Clock


@pytest.fixture
def clock() -> Clock:
    """A clock stopped at 2026-06-01 12:00 UTC."""
    return Clock(NOW)


@pytest.fixture
def settings() -> Settings:
    """Settings that allow the test topic only."""
    return load_settings(topic_arns=[TOPIC])


@pytest.fixture
def cert_server(test_signer: TestSigner) -> CertServer:
    """A certificate host that serves the test signer's certificate."""
    return CertServer(test_signer.certificate_pem)


@pytest.fixture
async def http_client(cert_server: CertServer) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client wired to the certificate server, never the network."""
    async with httpx.AsyncClient(transport=cert_server.transport) as client:
        yield client


@pytest.fixture
def store(http_client: httpx.AsyncClient, clock: Clock) -> CertificateStore:
    """An empty certificate store without pinned certificates."""
    return CertificateStore(
        http_client,
        cert_dir=None,
        max_size=8,
        ttl=3600.0,
        failure_ttl=5.0,
        fetch_timeout=2.0,
        clock=clock,
    )


@pytest.fixture
def verifier(
    settings: Settings, store: CertificateStore, clock: Clock
) -> MessageVerifier:
    """A verifier for the test topic, fetching through the certificate server."""
    return MessageVerifier(settings, store, clock=clock)

"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from snsreceiver.sns.testkit import TestSigner
from tests.databases import (
    database_url,
    empty_database_url,
    empty_engine,
    engine,
    fresh_store,
    postgres_session_url,
    postgres_url,
)

__all__ = [
    "database_url",
    "empty_database_url",
    "empty_engine",
    "engine",
    "fresh_store",
    "postgres_session_url",
    "postgres_url",
]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the SNSRECEIVER_* variables of the shell that runs it."""
    for name in list(os.environ):
        if name.startswith("SNSRECEIVER_") and name != "SNSRECEIVER_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    """One RSA-2048 test key for the session; generating keys is slow."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def test_signer(signing_key: rsa.RSAPrivateKey) -> TestSigner:
    """Signs SNS messages with a sns.amazonaws.com certificate valid 2020-2040."""
    return TestSigner(
        key=signing_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC),
        not_after=datetime(2040, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def pinned_cert_dir(tmp_path: Path, test_signer: TestSigner) -> Path:
    """A pinned certificate directory holding the test signer's certificate."""
    directory = tmp_path / "certs"
    test_signer.pin(directory)
    return directory

"""Fixtures shared by every test package."""

from __future__ import annotations

import os

import pytest

from tests.databases import (
    database_url,
    empty_database_url,
    empty_engine,
    engine,
    fresh_store,
    postgres_session_url,
)

__all__ = [
    "database_url",
    "empty_database_url",
    "empty_engine",
    "engine",
    "fresh_store",
    "postgres_session_url",
]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the SNSRECEIVER_* variables of the shell that runs it."""
    for name in list(os.environ):
        if name.startswith("SNSRECEIVER_") and name != "SNSRECEIVER_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)

"""Fresh SQLite and PostgreSQL databases for any test that needs a store.

``database_url`` gives each test an empty database of each kind: a file in the
test's temporary directory, or a PostgreSQL database made for the test and dropped
after it. ``fresh_store`` is a migrated :class:`~snsreceiver.store.Store` on that
same database, so a test may build an app from ``database_url`` and prepare data
through the store. PostgreSQL comes from ``SNSRECEIVER_TEST_POSTGRES_URL``; when it
cannot be reached the PostgreSQL cases are skipped, or fail when ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from snsreceiver.store import Store, create_engine, upgrade

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

_unreachable: list[str] = []


def postgres_admin_url() -> str:
    return os.environ.get("SNSRECEIVER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _give_up(reason: str) -> None:
    """Fails in CI, where PostgreSQL must be present; skips elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


async def _admin_engine() -> AsyncEngine:
    """An autocommit engine on the server's own database, for CREATE DATABASE."""
    engine = create_async_engine(
        postgres_admin_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (OSError, SQLAlchemyError) as exc:
        await engine.dispose()
        _unreachable.append(f"{postgres_admin_url()}: {exc}")
        _give_up(_unreachable[0])
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """The URL of an empty database, once SQLite and once PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return

    if _unreachable:
        _give_up(_unreachable[0])
    admin = await _admin_engine()
    name = f"snsreceiver_test_{uuid.uuid4().hex[:16]}"
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres_admin_url()).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(
                text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        await admin.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the empty database, disposed after the test."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def fresh_store(engine: AsyncEngine) -> Store:
    """A migrated, empty store, on SQLite and on PostgreSQL."""
    await upgrade(engine)
    return Store(engine)

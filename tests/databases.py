"""Fresh SQLite and PostgreSQL databases for any test that needs a store.

Every fixture here runs its test twice, once per database. ``database_url`` is
a migrated database holding no rows: a SQLite file in the test's temporary
directory, or a PostgreSQL database made once per test session and emptied with
TRUNCATE before each test (creating a database per test is much slower).
``fresh_store`` is a :class:`~snsreceiver.store.Store` on that same database, so a
test may build an app from ``database_url`` and prepare data through the store.
``empty_database_url`` has no tables at all, for migration tests.

PostgreSQL comes from ``SNSRECEIVER_TEST_POSTGRES_URL``. When it cannot be
reached the PostgreSQL cases are skipped, or fail when ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from snsreceiver.store import Store, create_engine, upgrade
from snsreceiver.store.schema import metadata

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_server_url() -> str:
    return os.environ.get("SNSRECEIVER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _give_up(reason: str) -> None:
    """Fails in CI, where PostgreSQL must be present; skips elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


class PostgresServer:
    """Makes and drops uniquely named databases on the test server."""

    def __init__(self) -> None:
        self.problem: str | None = None

    async def create(self) -> str:
        """A new empty database's URL; skips or fails the test when unreachable."""
        if self.problem is not None:
            _give_up(self.problem)
        name = f"snsreceiver_test_{uuid.uuid4().hex[:16]}"
        try:
            await self._run(f'CREATE DATABASE "{name}"')
        except (OSError, SQLAlchemyError) as exc:
            self.problem = f"{postgres_server_url()}: {exc}"
            _give_up(self.problem)
        url = make_url(postgres_server_url()).set(database=name)
        return url.render_as_string(hide_password=False)

    async def drop(self, url: str) -> None:
        name = make_url(url).database
        await self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _run(self, statement: str) -> None:
        engine = create_async_engine(
            postgres_server_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()


_server = PostgresServer()


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str | None]:
    """One migrated PostgreSQL database for the whole session, or None if absent."""

    async def make() -> str | None:
        try:
            url = await _server.create()
        except (pytest.skip.Exception, pytest.fail.Exception):
            return None
        await upgrade(url)
        return url

    url = asyncio.run(make())
    yield url
    if url is not None:
        asyncio.run(_server.drop(url))


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    tables = ", ".join(table.name for table in metadata.sorted_tables)
    try:
        async with engine.begin() as connection:
            # A connection an earlier test left inside a transaction would make
            # TRUNCATE wait forever; fail that test's successor loudly instead.
            await connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
    finally:
        await engine.dispose()


@pytest.fixture(params=DATABASES)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_session_url: str | None
) -> str:
    """The URL of a migrated database without rows, once SQLite and once PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        await upgrade(url)
        return url

    if postgres_session_url is None:
        _give_up(_server.problem or "the session database could not be made")
    assert postgres_session_url is not None
    await _truncate_all(postgres_session_url)
    return postgres_session_url


@pytest.fixture
async def postgres_url(postgres_session_url: str | None) -> str:
    """The migrated PostgreSQL database without rows, for a test of PostgreSQL alone.

    Skips where PostgreSQL is absent, and fails when ``CI=true``, as the
    PostgreSQL cases of the fixtures above do.
    """
    if postgres_session_url is None:
        _give_up(_server.problem or "the session database could not be made")
    assert postgres_session_url is not None
    await _truncate_all(postgres_session_url)
    return postgres_session_url


@pytest.fixture(params=DATABASES)
async def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """The URL of a database without any tables, once of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return

    url = await _server.create()
    try:
        yield url
    finally:
        await _server.drop(url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the migrated, empty database, disposed after the test."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def empty_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database without tables, disposed after the test."""
    engine = create_engine(empty_database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def fresh_store(engine: AsyncEngine) -> Store:
    """A migrated store without rows, on SQLite and on PostgreSQL."""
    return Store(engine)

"""The engine, migrations and the driver-error boundary."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import exc, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from snsreceiver.errors import StoreUnavailable
from snsreceiver.store import Store, create_engine, current_revision_is_head, upgrade
from snsreceiver.store.engine import unavailable_on_driver_error
from snsreceiver.store.schema import metadata


class TestMigrations:
    async def test_empty_database_is_not_at_head(
        self, empty_engine: AsyncEngine
    ) -> None:
        """A database without migrations is reported as not current."""
        assert await current_revision_is_head(empty_engine) is False

    async def test_upgrade_from_empty_reaches_head(
        self, empty_engine: AsyncEngine
    ) -> None:
        """Upgrading an empty database creates every table and reaches head."""
        await upgrade(empty_engine)

        assert await current_revision_is_head(empty_engine) is True
        async with empty_engine.connect() as connection:
            for table in metadata.sorted_tables:
                count = await connection.scalar(select(func.count()).select_from(table))
                assert count == 0

    async def test_upgrade_twice_changes_nothing(
        self, empty_engine: AsyncEngine
    ) -> None:
        """A second upgrade on a current database is a no-op."""
        await upgrade(empty_engine)
        await upgrade(empty_engine)

        assert await current_revision_is_head(empty_engine) is True

    async def test_upgrade_from_an_older_revision(
        self, empty_engine: AsyncEngine
    ) -> None:
        """A database left at the first migration is behind, then upgrades to head."""
        await upgrade(empty_engine, revision="0001")
        assert await current_revision_is_head(empty_engine) is False

        await upgrade(empty_engine)

        assert await current_revision_is_head(empty_engine) is True

    async def test_upgrade_by_url(
        self, empty_database_url: str, empty_engine: AsyncEngine
    ) -> None:
        """Upgrade accepts a URL, as the CLI passes it, and leaves no engine open."""
        await upgrade(empty_database_url)

        assert await current_revision_is_head(empty_engine) is True


class TestSqlite:
    async def test_wal_and_foreign_keys(self, tmp_path: Path) -> None:
        """SQLite connections use WAL mode with foreign keys enforced."""
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        try:
            async with engine.connect() as connection:
                mode = await connection.scalar(text("PRAGMA journal_mode"))
                keys = await connection.scalar(text("PRAGMA foreign_keys"))
                timeout = await connection.scalar(text("PRAGMA busy_timeout"))
        finally:
            await engine.dispose()

        assert (mode, keys, timeout) == ("wal", 1, 10_000)


class TestUnavailable:
    async def test_unreachable_postgres_is_store_unavailable(self) -> None:
        """A refused PostgreSQL connection becomes StoreUnavailable, chained."""
        engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")
        try:
            with pytest.raises(StoreUnavailable) as caught:
                await Store(engine).ping()
        finally:
            await engine.dispose()

        assert caught.value.code == "store_unavailable"
        assert caught.value.__cause__ is not None

    async def test_unopenable_sqlite_is_store_unavailable(self, tmp_path: Path) -> None:
        """A SQLite file that cannot be opened becomes StoreUnavailable."""
        threads_before = set(threading.enumerate())
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'no' / 'dir.db'}")
        try:
            with pytest.raises(StoreUnavailable):
                await Store(engine).ping()
            with pytest.raises(StoreUnavailable):
                await upgrade(engine)
        finally:
            await engine.dispose()
            await _until_threads_end(set(threading.enumerate()) - threads_before)

    async def test_ping_answers(self, fresh_store: Store) -> None:
        """ping returns quietly when the database answers."""
        await fresh_store.ping()


@pytest.fixture
async def pg_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine with its own pool on the migrated PostgreSQL database."""
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


@pytest.mark.postgres
class TestPostgresPool:
    async def test_a_connection_the_server_ended_is_not_handed_out(
        self, pg_engine: AsyncEngine, postgres_url: str
    ) -> None:
        """After the server ends a pooled connection, the next call gets a new one."""
        ended, driver = await _backend(pg_engine)
        await _terminate(postgres_url, ended)
        for _ in range(500):
            if driver.is_closed():
                break
            await asyncio.sleep(0.01)
        assert driver.is_closed(), "asyncpg never saw its connection end"

        status = await Store(pg_engine).get_status("someone@example.com")

        assert status.suppressed is False
        assert (await _backend(pg_engine))[0] != ended

    async def test_reads_right_after_the_server_ends_connections_succeed(
        self, pg_engine: AsyncEngine, postgres_url: str
    ) -> None:
        """asyncpg may not have read the end yet: the check and token reads retry."""
        store = Store(pg_engine)
        token = await store.create_token("ops", "read")
        for _ in range(10):
            await _terminate(postgres_url, (await _backend(pg_engine))[0])

            info = await store.authenticate(token)
            [answer] = await store.check(["someone@example.com"])

            assert info is not None
            assert info.name == "ops"
            assert answer.suppressed is False

    async def test_a_read_whose_connection_ended_under_it_runs_again(
        self, pg_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The failed connection is discarded and the SELECT runs on another."""
        store = Store(pg_engine)
        token = await store.create_token("ops", "read")
        fetch = _failing_fetch(monkeypatch, times=1)

        info = await store.authenticate(token)

        assert info is not None
        assert info.name == "ops"
        assert len(fetch.failed) == 1
        assert fetch.failed[0].is_closed()
        assert (await _backend(pg_engine))[1] is not fetch.failed[0]
        assert fetch.calls == 2

    async def test_a_second_failure_is_unavailable(
        self, pg_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two connections in a row that fail make a 503, not a loop or a 500."""
        fetch = _failing_fetch(monkeypatch, times=2)

        with pytest.raises(StoreUnavailable):
            await Store(pg_engine).check(["someone@example.com"])

        assert fetch.calls == 2

    async def test_other_failures_are_not_run_again(
        self, pg_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Only an ended connection earns a second try; a bug surfaces at once."""
        fetch = _failing_fetch(monkeypatch, times=1, error=asyncpg.UndefinedTableError)

        with pytest.raises(asyncpg.UndefinedTableError):
            await Store(pg_engine).check(["someone@example.com"])

        assert fetch.calls == 1


class _FailingFetch:
    """asyncpg's ``Connection.fetch``, failing its first ``times`` calls.

    ``failed`` holds the connections it failed on, ``calls`` counts every call.
    """

    def __init__(self, times: int, error: type[Exception]) -> None:
        self.times, self.error = times, error
        self.real = asyncpg.Connection.fetch
        self.failed: list[Any] = []
        self.calls = 0

    async def __call__(self, connection: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            self.failed.append(connection)
            raise self.error("cannot switch to state 12; another operation")
        return await self.real(connection, *args, **kwargs)


def _failing_fetch(
    monkeypatch: pytest.MonkeyPatch,
    *,
    times: int,
    error: type[Exception] = asyncpg.InternalClientError,
) -> _FailingFetch:
    double = _FailingFetch(times, error)

    async def fetch(connection: Any, *args: Any, **kwargs: Any) -> Any:
        return await double(connection, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetch", fetch)
    return double


async def _backend(engine: AsyncEngine) -> tuple[int, Any]:
    """The server process behind the pooled connection, and the asyncpg one."""
    async with engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        driver = (await connection.get_raw_connection()).driver_connection
    assert isinstance(pid, int)
    return pid, driver


async def _terminate(url: str, pid: int) -> None:
    """Ends backend ``pid`` from another connection."""
    killer = create_async_engine(url, poolclass=NullPool)
    try:
        async with killer.connect() as connection:
            await connection.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            )
    finally:
        await killer.dispose()


async def _until_threads_end(threads: set[threading.Thread]) -> None:
    """Keeps the loop open while aiosqlite's worker threads of a failed connect
    finish; they report back to the loop and would fail once it is closed."""
    for _ in range(500):
        if not any(thread.is_alive() for thread in threads):
            return
        await asyncio.sleep(0.01)


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"driver failure {sqlstate}")
        self.sqlstate = sqlstate


class TestErrorBoundary:
    @pytest.mark.parametrize("sqlstate", ["40P01", "40001", "53300", "57P01", "08006"])
    def test_transient_sqlstates_are_unavailable(self, sqlstate: str) -> None:
        """Deadlocks, shutdowns and exhausted connections may succeed on retry."""
        error = exc.DBAPIError("SELECT 1", {}, FakeDriverError(sqlstate))

        with pytest.raises(StoreUnavailable) as caught, unavailable_on_driver_error():
            raise error

        assert caught.value.__cause__ is error
        assert sqlstate in caught.value.message

    def test_other_database_errors_pass_through(self) -> None:
        """A violated constraint is a bug, not an outage, and is not converted."""
        error = exc.IntegrityError("INSERT", {}, FakeDriverError("23505"))

        with pytest.raises(exc.IntegrityError), unavailable_on_driver_error():
            raise error

    @pytest.mark.parametrize(
        "error",
        [
            sqlite3.OperationalError("database is locked"),
            asyncpg.InterfaceError("connection is closed"),
            asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
            asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        ],
        ids=["sqlite-locked", "asyncpg-closed", "asyncpg-lost", "asyncpg-deadlock"],
    )
    def test_errors_of_the_drivers_themselves(self, error: Exception) -> None:
        """The bulk check calls the drivers directly; their outages convert too."""
        with pytest.raises(StoreUnavailable) as caught, unavailable_on_driver_error():
            raise error

        assert caught.value.__cause__ is error
        assert str(error) in caught.value.message

    def test_other_driver_errors_pass_through(self) -> None:
        """A driver's own constraint error is a bug and is not converted."""
        with (
            pytest.raises(asyncpg.exceptions.UniqueViolationError),
            unavailable_on_driver_error(),
        ):
            raise asyncpg.exceptions.UniqueViolationError("duplicate key")

    def test_pool_timeout_is_unavailable(self) -> None:
        """Waiting too long for a pooled connection is a temporary failure."""
        with (
            pytest.raises(StoreUnavailable, match="no database connection"),
            unavailable_on_driver_error(),
        ):
            raise exc.TimeoutError("pool exhausted")

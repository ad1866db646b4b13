"""The database engine, its migrations, and the one place driver errors are converted.

SQLite and PostgreSQL go through the same SQLAlchemy Core code. What differs is set
up here: SQLite runs in WAL mode with foreign keys on and a busy timeout, and every
write transaction starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue
for the write lock instead of failing when a read lock cannot be upgraded.
PostgreSQL gets a pool that hands out only connections its driver still holds
open.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from snsreceiver.errors import StoreUnavailable

logger = logging.getLogger(__name__)

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"

BEGIN_OPTION: Final = "snsreceiver_sqlite_begin"
"""Execution option naming the SQLite BEGIN mode; readers ask for ``DEFERRED``."""

SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
"""How long a SQLite writer waits for the lock, well inside SNS's 15 s limit."""

SQLITE_MMAP_BYTES: Final = 2 * 1024 * 1024 * 1024
"""How much of a SQLite file is memory-mapped; the OS shares it between connections.

Address space, not memory: the mapped pages are the OS page cache. Reads beyond
the mapping cost a system call per page, so the whole file of a store with a
million suppressions and a million signups (about 800 MiB) is mapped.
"""

TRANSIENT_SQLSTATE_PREFIXES: Final = ("08", "40", "53", "57P", "55P03")
"""PostgreSQL error classes a retry may not meet: connection exceptions, deadlocks
and serialisation failures, exhausted resources, shutdowns, lock timeouts."""


def create_engine(
    url: str, *, connect_args: Mapping[str, Any] | None = None
) -> AsyncEngine:
    """Builds the async engine for ``url`` (sqlite+aiosqlite or postgresql+asyncpg)."""
    options: dict[str, Any] = {
        "connect_args": dict(connect_args or {}),
        "json_serializer": _dump_json,
    }
    if url.startswith("postgresql"):
        options.update(pool_size=10, max_overflow=10)
        options.update(pool_recycle=1800, pool_timeout=10)

    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    else:
        _configure_postgresql(engine)
    return engine


def _dump_json(value: Any) -> str:
    """JSON for evidence, which may hold dates and datetimes (as ISO 8601)."""
    return json.dumps(value, default=_iso_format, separators=(",", ":"))


def _iso_format(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be stored as JSON")


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Applies the pragmas and takes over BEGIN, as SQLAlchemy's SQLite notes advise."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
        # The driver must not issue BEGIN itself; on_begin does it with a mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads of a large store hit memory: pages are mapped (shared by every
        # connection through the OS cache) and each connection caches 16 MiB.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _configure_postgresql(engine: AsyncEngine) -> None:
    """Replaces a pooled connection the server has closed before anyone uses it.

    SQLAlchemy's ``pool_pre_ping`` would ask the server instead, with BEGIN, an
    empty statement and ROLLBACK: three round trips, 0.33 ms on every checkout,
    which is a sixth of a status lookup. asyncpg reads its sockets whenever the
    event loop runs, so a connection that the server ended (a restart, an idle
    timeout, ``pg_terminate_backend``) is normally marked closed by the time it
    is checked out. Raising DisconnectionError makes the pool discard it and
    check out another. One checked out in the moment before asyncpg reads the
    end, or cut without a word by a network fault, fails at its first statement
    instead: the direct reads run again on another connection (store/direct.py),
    other statements are answered as unavailable (503, so SNS retries), and the
    pool replaces it. ``pool_recycle`` caps the age of every connection.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(_: DBAPIConnection, record: ConnectionPoolEntry, __: Any) -> None:
        driver = record.driver_connection
        if driver is None or driver.is_closed():
            raise exc.DisconnectionError("the PostgreSQL server closed the connection")


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for transactions that only read.

    On SQLite they begin DEFERRED and so never wait for writers (WAL keeps a
    snapshot); elsewhere the option is ignored.
    """
    return engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})


@contextmanager
def unavailable_on_driver_error() -> Iterator[None]:
    """Converts a failure to reach or use the database into StoreUnavailable.

    This is the single boundary for driver errors: connection refused, a lost
    connection, a locked SQLite file, an exhausted pool. Errors that mean a bug
    (bad SQL, a violated constraint) pass through unchanged.
    """
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError) as error:
        raise StoreUnavailable(_describe(error)) from error
    except exc.DBAPIError as error:
        if error.connection_invalidated:
            raise StoreUnavailable("the database connection was lost") from error
        if _is_transient(error):
            raise StoreUnavailable(_describe(error)) from error
        raise
    except exc.TimeoutError as error:
        raise StoreUnavailable("no database connection became free in time") from error
    # The direct reads (store/direct.py) call the drivers themselves, past
    # SQLAlchemy's wrapping. asyncpg raises InternalClientError for a statement
    # it cannot start on a connection whose end it is still reading.
    except (
        sqlite3.OperationalError,
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,
    ) as error:
        raise StoreUnavailable(_describe_driver(error)) from error
    except asyncpg.PostgresError as error:
        if isinstance(error.sqlstate, str) and error.sqlstate.startswith(
            TRANSIENT_SQLSTATE_PREFIXES
        ):
            raise StoreUnavailable(_describe_driver(error)) from error
        raise
    except OSError as error:
        raise StoreUnavailable(f"the database could not be reached: {error}") from error


def _is_transient(error: exc.DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(
        TRANSIENT_SQLSTATE_PREFIXES
    )


def _describe(error: exc.DBAPIError) -> str:
    """One line about a driver error, without its SQL or parameters."""
    if error.orig is None:
        return f"the database is unavailable: {type(error).__name__}"
    return _describe_driver(error.orig)


def _describe_driver(error: BaseException) -> str:
    """One line about an error the driver itself raised."""
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    return f"the database is unavailable: {first_line}"


def alembic_config() -> Config:
    """The migration configuration, built in code so an installed wheel finds it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(target: AsyncEngine | str, *, revision: str = "head") -> None:
    """Applies every migration up to ``revision``, the newest unless named.

    A no-op when the database is already there.
    """
    engine = create_engine(target) if isinstance(target, str) else target
    config = alembic_config()

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        with unavailable_on_driver_error():
            async with engine.begin() as connection:
                await connection.run_sync(run)
    finally:
        if isinstance(target, str):
            await engine.dispose()
    logger.info("database schema is at migration %s", revision)


async def current_revision_is_head(engine: AsyncEngine) -> bool:
    """Whether the database has every migration this code expects."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    with unavailable_on_driver_error():
        async with reader(engine).connect() as connection:
            applied = await connection.run_sync(current)
    return applied == heads

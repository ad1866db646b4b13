"""One SELECT run on the database driver itself, for the reads on every request.

A check of a thousand addresses, and the token lookup in front of every operator
API request, are single SELECTs. Through SQLAlchemy's connection each one pays
for cursor adaption, result type processing, and the BEGIN and COMMIT of a
transaction, which cost as much as the database's own work (docs/benchmarks.md).
Here SQLAlchemy only builds the statement, once per dialect, and asyncpg or
aiosqlite runs it in one call outside any transaction: one SELECT reads one
snapshot by itself on both databases.

The drivers' values come back as they are: asyncpg reads ``timestamptz`` as an
aware datetime, SQLite holds the store's moments as naive UTC text, so moments
go through :meth:`DirectQuery.moment`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from snsreceiver.errors import StoreUnavailable

Row = Sequence[Any]


class DirectQuery:
    """A SELECT built by ``build`` for a connection, compiled once per dialect.

    ``build`` gets the connection so that it can choose dialect-specific forms
    (see :func:`snsreceiver.store.base.among`); its bound values are
    placeholders, and the values come with each :meth:`fetch`.
    """

    def __init__(self, build: Callable[[AsyncConnection], Select[Any]]) -> None:
        self._build = build
        self._sql: dict[str, str] = {}

    def sql(self, connection: AsyncConnection) -> str:
        """The statement's text in the connection's dialect."""
        dialect = connection.dialect
        sql = self._sql.get(dialect.name)
        if sql is None:
            query = self._build(connection)
            sql = self._sql[dialect.name] = str(query.compile(dialect=dialect))
        return sql

    async def fetch(self, engine: AsyncEngine, *values: Any) -> list[Row]:
        """Every row of the statement with ``values`` bound in order.

        It runs on a pooled connection of ``engine``, outside any transaction.
        A PostgreSQL connection whose server process has just ended may still
        be checked out, since asyncpg marks it closed only once it reads the end
        of its socket; the SELECT then fails on it. That connection is discarded
        and the SELECT runs once more on another, which is safe because it only
        reads. Any other failure, or a second one, is raised.

        Call inside :func:`~snsreceiver.store.engine.unavailable_on_driver_error`:
        the drivers' own errors arrive here unwrapped.
        """
        for last_try in (False, True):
            async with engine.connect() as connection:
                sql = self.sql(connection)
                driver = (await connection.get_raw_connection()).driver_connection
                if driver is None:
                    raise StoreUnavailable("the database connection was lost")
                if connection.dialect.name != "postgresql":
                    return list(await driver.execute_fetchall(sql, values))
                try:
                    rows: list[Row] = await driver.fetch(sql, *values)
                except Exception as error:
                    if last_try or not _ended_under_us(driver, error):
                        raise
                    await connection.invalidate()
                else:
                    return rows
        raise AssertionError("the second try returns or raises")

    @staticmethod
    def moment(bind: AsyncEngine | AsyncConnection) -> Callable[[Any], datetime]:
        """Reads the driver's value of a timestamp column as an aware UTC moment."""
        if bind.dialect.name == "postgresql":
            return _as_is
        return _from_sqlite_text


def _ended_under_us(driver: Any, error: Exception) -> bool:
    """Whether ``error`` came from an asyncpg connection the server had ended.

    asyncpg reports it as a closed connection, or, when the end arrives while
    the statement is being sent, as an operation it cannot start.
    """
    return bool(driver.is_closed()) or isinstance(
        error, asyncpg.InternalClientError | asyncpg.ConnectionDoesNotExistError
    )


def _as_is(moment: datetime) -> datetime:
    """asyncpg reads timestamptz as an aware UTC datetime already."""
    return moment


def _from_sqlite_text(text: str) -> datetime:
    """SQLite holds the store's moments as naive UTC text.

    Read with the offset appended rather than with ``replace(tzinfo=UTC)``
    afterwards: the same aware moment, in a seventh of the time, which is a
    third of a millisecond for a check with 500 suppressed addresses. Text
    that already carries an offset (written by hand, not by the store) is
    read as the moment it names.
    """
    try:
        return datetime.fromisoformat(text + "+00:00")
    except ValueError:
        return datetime.fromisoformat(text).astimezone(UTC)

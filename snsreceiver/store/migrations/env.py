"""Alembic's entry point for the store's migrations.

The store calls Alembic with an open connection (see
:func:`snsreceiver.store.engine.upgrade`); the ``alembic`` command line may instead
pass a URL, and then an async engine is made here. On PostgreSQL an advisory lock
makes replicas that start together apply the migrations one after another.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text

from snsreceiver.store.schema import metadata

MIGRATION_LOCK_KEY = 0x736E7372  # "snsr": any constant shared by all replicas


def run_with(connection: Connection) -> None:
    """Runs the pending migrations on ``connection`` in one transaction."""
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


async def run_with_url(url: str) -> None:
    """Opens an engine for ``url`` and migrates through it."""
    from snsreceiver.store.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_with)
    finally:
        await engine.dispose()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url to the database to migrate")
    asyncio.run(run_with_url(url))


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
main()

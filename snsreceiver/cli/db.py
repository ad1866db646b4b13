"""``db upgrade``: bring the database schema to the newest migration."""

from __future__ import annotations

import typer

from snsreceiver.cli.runner import run_with_store
from snsreceiver.settings import Settings
from snsreceiver.store import Store, upgrade

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_database() -> None:
    """Apply every pending migration; does nothing when the schema is current.

    The database is the one SNSRECEIVER_DATABASE_URL names. The server also does
    this at start unless SNSRECEIVER_MIGRATE_ON_START=false.

    Example: snsreceiver db upgrade
    """

    async def work(store: Store, settings: Settings) -> str:
        await upgrade(store.engine)
        return store.engine.dialect.name

    dialect = run_with_store(work, check_schema=False)
    typer.echo(f"The {dialect} database is at the newest migration.")

"""``snsreceiver db upgrade``, and commands refusing an unmigrated database."""

from __future__ import annotations

from snsreceiver.store import create_engine, current_revision_is_head
from tests.cli.conftest import Cli


def test_upgrade_brings_the_schema_to_head(bare_cli: Cli) -> None:
    """An empty database is migrated, and a second run changes nothing."""
    first = bare_cli("db", "upgrade")
    second = bare_cli("db", "upgrade")

    async def at_head(_: object) -> bool:
        engine = create_engine(bare_cli.database_url)
        try:
            return await current_revision_is_head(engine)
        finally:
            await engine.dispose()

    assert first.exit_code == 0, first.output
    assert "at the newest migration" in first.stdout
    assert second.exit_code == 0
    assert bare_cli.with_store(at_head) is True


def test_commands_refuse_an_unmigrated_database(bare_cli: Cli) -> None:
    """Store commands say to run db upgrade, in one line, exit 1."""
    result = bare_cli("status", "jane@example.com")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: the database schema is not at the newest migration; run "
        "`snsreceiver db upgrade` first\n"
    )

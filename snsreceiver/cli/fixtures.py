"""``snsreceiver fixtures``: write synthetic fixtures, export stored messages."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from snsreceiver.cli.suppressions import DATE_FORMATS
from snsreceiver.fixtures.export import Masking, export_messages
from snsreceiver.fixtures.generate import generate
from snsreceiver.fixtures.masking import Pseudonyms
from snsreceiver.fixtures.testkey import load_test_signer
from snsreceiver.moments import as_utc
from snsreceiver.settings import Settings, load_settings
from snsreceiver.store.engine import create_engine
from snsreceiver.store.recorded import MessageSelection, RecordedMessageStore

fixtures_app = typer.Typer(
    name="fixtures",
    help="Write synthetic fixtures and export stored messages as fixtures.",
    no_args_is_help=True,
)


@fixtures_app.command("generate")
def generate_command(
    folder: Annotated[
        Path, typer.Argument(help="The fixtures folder holding ses/ and test-key/.")
    ] = Path("fixtures"),
) -> None:
    """Rewrite FOLDER/synthetic/ from the catalogue, signed with the test key.

    Example: snsreceiver fixtures generate fixtures
    """
    written = generate(folder)
    typer.echo(f"{len(written)} fixtures written to {folder / 'synthetic'}")


@fixtures_app.command("export")
def export_command(
    outdir: Annotated[Path, typer.Argument(help="Folder to write fixtures into.")],
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=DATE_FORMATS,
            help="Messages sent at or after this time (UTC if no offset).",
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            formats=DATE_FORMATS,
            help="Messages sent before this time (UTC if no offset).",
        ),
    ] = None,
    type_: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="Notification, SubscriptionConfirmation or UnsubscribeConfirmation.",
        ),
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="Messages that touched or mention this address.")
    ] = None,
    mask: Annotated[
        bool,
        typer.Option(
            "--mask",
            help="Replace addresses with pseudonyms; re-sign with the test key.",
        ),
    ] = False,
    test_key: Annotated[
        Path, typer.Option(help="Folder of the test key used by --mask.")
    ] = Path("fixtures/test-key"),
) -> None:
    """Write stored SNS messages as replayable fixtures with expectations.

    Example: snsreceiver fixtures export incident/ --address jane@example.com --mask
    """
    selection = MessageSelection(
        since=as_utc(since),
        until=as_utc(until),
        type=type_,
        address=address,
    )
    settings = load_settings()
    written = asyncio.run(_export(settings, outdir, selection, mask, test_key))
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{len(written)} messages exported to {outdir}")


async def _export(
    settings: Settings,
    outdir: Path,
    selection: MessageSelection,
    mask: bool,
    test_key: Path,
) -> list[Path]:
    masking = Masking(load_test_signer(test_key), Pseudonyms()) if mask else None
    engine = create_engine(settings.database_url)
    try:
        store = RecordedMessageStore(engine)
        return await export_messages(store, outdir, selection, masking=masking)
    finally:
        await engine.dispose()

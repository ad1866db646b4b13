"""``status``, ``suppress``, ``unsuppress`` and ``suppressions list|export``.

The same store calls and documents as ``/v1/suppressions``: ``status --json``
prints exactly the API's document, and ``export`` the API's CSV or NDJSON.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from snsreceiver.api.emails import parse_email
from snsreceiver.api.export import ExportFormat, export_lines
from snsreceiver.api.models import AddressStatusDocument
from snsreceiver.cli.runner import cli_actor, fail, run_with_store
from snsreceiver.settings import Settings
from snsreceiver.store import AddressStatus, Store, SuppressionRow
from snsreceiver.suppression.state import Reason

app = typer.Typer(
    help="List or export suppressed addresses.",
    no_args_is_help=True,
)

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]

EmailArgument = Annotated[str, typer.Argument(help="The email address.")]
NoteOption = Annotated[
    str, typer.Option("--note", help="Why; kept in the address's history.")
]
ReasonOption = Annotated[
    Reason | None, typer.Option(help="Only addresses suppressed for this reason.")
]
SinceOption = Annotated[
    datetime | None,
    typer.Option(
        formats=DATE_FORMATS,
        help="Suppressed at or after this time (UTC if no offset).",
    ),
]
UntilOption = Annotated[
    datetime | None,
    typer.Option(
        formats=DATE_FORMATS, help="Suppressed before this time (UTC if no offset)."
    ),
]


def checked_email(value: str) -> str:
    """The normalised address, or the command ends saying why it is none."""
    try:
        return parse_email(value)
    except ValueError as exc:
        fail(str(exc))


def status_document(status: AddressStatus, settings: Settings) -> AddressStatusDocument:
    return AddressStatusDocument.build(
        status,
        window_days=settings.soft_bounce_window_days,
        threshold=settings.soft_bounce_threshold,
    )


def describe(document: AddressStatusDocument) -> str:
    """The status for a person reading a terminal, one fact per line."""
    if document.suppressed:
        headline = (
            f"{document.email}: suppressed ({document.reason}) since {document.since}"
        )
    else:
        headline = f"{document.email}: not suppressed"

    lines = [
        headline,
        f"  last SES event: {document.last_event_at or 'none'}",
        f"  soft bounces: {document.soft_bounce_count} of "
        f"{document.soft_bounce_threshold} in {document.soft_bounce_window_days} days",
        f"  suppressed by SES: {'yes' if document.ses_suppressed else 'no'}",
    ]
    if document.signup is None:
        lines.append("  signup: none")
    else:
        source = document.signup.source or "unknown source"
        lines.append(f"  signup: {document.signup.status} ({source})")

    lines.append(f"  history: {len(document.history) or 'none'}")
    for entry in document.history:
        note = f" - {entry.note}" if entry.note else ""
        reason = f" ({entry.reason})" if entry.reason else ""
        lines.append(f"    {entry.at} {entry.action}{reason} by {entry.actor}{note}")
    return "\n".join(lines)


def status(
    email: EmailArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the API's JSON document.")
    ] = False,
) -> None:
    """Show whether an address may be mailed, and if not, why and since when.

    Example: snsreceiver status jane@example.com --json
    """
    address = checked_email(email)

    async def work(store: Store, settings: Settings) -> AddressStatusDocument:
        return status_document(await store.get_status(address), settings)

    document = run_with_store(work)
    typer.echo(document.model_dump_json(indent=2) if as_json else describe(document))


def suppress(email: EmailArgument, note: NoteOption) -> None:
    """Suppress an address by hand (reason manual), with a note for its history.

    Example: snsreceiver suppress jane@example.com --note "asked to stop by phone"
    """
    address = checked_email(email)

    async def work(store: Store, settings: Settings) -> AddressStatusDocument:
        status = await store.suppress_manually(address, note=note, actor=cli_actor())
        return status_document(status, settings)

    document = run_with_store(work)
    typer.echo(
        f"{document.email}: suppressed ({document.reason}) since {document.since}"
    )


def unsuppress(email: EmailArgument, note: NoteOption) -> None:
    """Lift an address's suppression, with a note for its history.

    A later hard bounce or complaint suppresses the address again.

    Example: snsreceiver unsuppress jane@example.com --note "mailbox fixed"
    """
    address = checked_email(email)

    async def work(store: Store, settings: Settings) -> AddressStatusDocument:
        status = await store.unsuppress(address, note=note, actor=cli_actor())
        return status_document(status, settings)

    document = run_with_store(work)
    typer.echo(f"{document.email}: no longer suppressed")


@app.command("list")
def list_suppressions(
    reason: ReasonOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Show at most this many rows.")
    ] = None,
) -> None:
    """List suppressed addresses, oldest suppression first, one per line.

    Example: snsreceiver suppressions list --reason bounce --since 2026-01-01
    """

    async def work(store: Store, settings: Settings) -> int:
        shown = 0
        rows = store.iter_suppressions(reason=reason, since=since, until=until)
        async for row in rows:
            if limit is not None and shown >= limit:
                break
            typer.echo(_list_line(row))
            shown += 1
        return shown

    shown = run_with_store(work)
    typer.echo(f"{shown} suppressed addresses shown.", err=True)


def _list_line(row: SuppressionRow) -> str:
    ses = "  (SES suppresses it too)" if row.ses_suppressed else ""
    return f"{row.email:<40} {row.reason or '-':<12} {row.since.isoformat()}{ses}"


@app.command("export")
def export_suppressions(
    reason: ReasonOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    export_format: Annotated[
        str,
        typer.Option("--format", help="csv or ndjson, the same as the API's ?format=."),
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of standard output."
        ),
    ] = None,
) -> None:
    """Export every matching suppressed address as CSV or NDJSON, streamed.

    Example: snsreceiver suppressions export --format csv --output suppressions.csv
    """
    chosen = _export_format(export_format)

    async def work(store: Store, settings: Settings) -> None:
        rows = store.iter_suppressions(reason=reason, since=since, until=until)
        if output is None:
            await _write(export_lines(rows, chosen), sys.stdout)
            return
        with output.open("w", encoding="utf-8", newline="") as stream:
            await _write(export_lines(rows, chosen), stream)

    run_with_store(work)


def _export_format(value: str) -> ExportFormat:
    if value not in ("csv", "ndjson"):
        fail(f"--format {value!r} is not one of csv, ndjson")
    return "csv" if value == "csv" else "ndjson"


async def _write(chunks: AsyncIterator[str], stream: TextIO) -> None:
    async for chunk in chunks:
        stream.write(chunk)
    stream.flush()

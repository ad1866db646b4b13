"""``signups import FILE.csv``: add or update many signups from a CSV file.

The file starts with a header row naming its columns: ``email`` (required),
``status`` (``subscribed`` or ``unsubscribed``; empty means subscribed) and
``source`` (free text, e.g. ``launch-page``); other columns are ignored. Rows are
read lazily and stored a batch per transaction, so the file may be large; on a
terminal a progress bar shows how far the import has come.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from snsreceiver.cli.runner import fail, run_with_store
from snsreceiver.settings import Settings
from snsreceiver.store import ImportCounts, SignupImportRow, Store

app = typer.Typer(help="Add or update signups.", no_args_is_help=True)

COLUMNS = ("email", "status", "source")


def read_rows(stream: TextIO) -> Iterator[SignupImportRow]:
    """The rows of a signup CSV, with their line numbers for the report.

    Raises ValueError when the header has no ``email`` column.
    """
    reader = csv.DictReader(stream)
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    if "email" not in header:
        raise ValueError(
            "the first line must be a header naming an email column "
            "(columns: email, optionally status and source)"
        )
    reader.fieldnames = header

    for record in reader:
        status = (record.get("status") or "").strip() or "subscribed"
        source = (record.get("source") or "").strip() or None
        yield SignupImportRow(
            email=(record.get("email") or "").strip(),
            status=status,
            source=source,
            line=reader.line_num,
        )


def count_rows(path: Path) -> int:
    """The data rows of ``path`` (lines after the header), for the progress bar."""
    with path.open("rb") as stream:
        return max(sum(1 for _ in stream) - 1, 0)


@app.command("import")
def import_signups(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with a header: email, and optionally status and source.",
        ),
    ],
) -> None:
    """Add or update signups from a CSV file, reporting each rejected row.

    The header names the columns: email (required), status (subscribed or
    unsubscribed, default subscribed) and source. A later row for the same
    address wins.

    Example: snsreceiver signups import launch-signups.csv
    """
    console = Console(stderr=True)
    total = count_rows(file)

    async def work(store: Store, settings: Settings) -> ImportCounts:
        with (
            file.open(encoding="utf-8-sig", newline="") as stream,
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=not console.is_terminal,
            ) as progress,
        ):
            task = progress.add_task(f"importing {file.name}", total=total)
            return await store.import_signups(
                read_rows(stream),
                on_progress=lambda rows: progress.advance(task, rows),
            )

    try:
        counts = run_with_store(work)
    except (ValueError, csv.Error) as exc:
        fail(f"{file}: {exc}")

    for rejected in counts.rejected:
        typer.echo(f"line {rejected.line}: rejected: {rejected.reason}")
    typer.echo(
        f"{file.name}: {counts.added} added, {counts.updated} updated, "
        f"{len(counts.rejected)} rejected"
    )

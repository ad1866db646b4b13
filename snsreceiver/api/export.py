"""The export formats of the suppression list: CSV and NDJSON, line by line.

Both the ``GET /v1/suppressions?format=`` endpoint and ``snsreceiver suppressions
export`` render rows through :func:`export_lines`, so the two never differ. Rows
are turned into text one at a time as the store yields them, which keeps memory
flat however long the list is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import Literal

from snsreceiver.store import SuppressionRow

ExportFormat = Literal["csv", "ndjson"]

EXPORT_COLUMNS = (
    "email",
    "reason",
    "since",
    "first_event_at",
    "last_event_at",
    "soft_bounce_count",
    "ses_suppressed",
)

MEDIA_TYPES: dict[ExportFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
}

LINES_PER_CHUNK = 500
"""Lines joined into one chunk, so a million rows are not a million writes."""


def export_record(row: SuppressionRow) -> dict[str, str | int | bool | None]:
    """The row as the flat record both formats carry, timestamps in ISO 8601."""
    return {
        "email": row.email,
        "reason": row.reason,
        "since": row.since.isoformat(),
        "first_event_at": _iso(row.first_event_at),
        "last_event_at": _iso(row.last_event_at),
        "soft_bounce_count": row.soft_bounce_count,
        "ses_suppressed": row.ses_suppressed,
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def export_lines(
    rows: AsyncIterable[SuppressionRow], export_format: ExportFormat
) -> AsyncIterator[str]:
    """Yields the export of ``rows`` as text chunks of whole lines.

    CSV starts with a header line; its booleans are ``true``/``false`` and empty
    fields mean null.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if export_format == "csv":
        writer.writerow(EXPORT_COLUMNS)

    pending = 0
    async for row in rows:
        record = export_record(row)
        if export_format == "csv":
            writer.writerow(_csv_value(record[column]) for column in EXPORT_COLUMNS)
        else:
            buffer.write(json.dumps(record, separators=(",", ":")) + "\n")
        pending += 1

        if pending >= LINES_PER_CHUNK:
            yield _drain(buffer)
            pending = 0

    remainder = _drain(buffer)
    if remainder:
        yield remainder


def _csv_value(value: str | int | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

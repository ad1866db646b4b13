"""The CSV and NDJSON export formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from snsreceiver.api.export import LINES_PER_CHUNK, export_lines
from snsreceiver.store import SuppressionRow

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def row(i: int, **changes: object) -> SuppressionRow:
    values: dict[str, object] = {
        "email": f"user{i}@example.com",
        "reason": "bounce",
        "since": T0 + timedelta(minutes=i),
        "first_event_at": T0,
        "last_event_at": None,
        "soft_bounce_count": 0,
        "ses_suppressed": False,
        **changes,
    }
    return SuppressionRow(**values)  # type: ignore[arg-type]


async def rows(*items: SuppressionRow) -> AsyncIterator[SuppressionRow]:
    for item in items:
        yield item


async def collect(chunks: AsyncIterator[str]) -> list[str]:
    return [chunk async for chunk in chunks]


async def test_csv_has_a_header_and_plain_values() -> None:
    """Booleans read true/false, nulls are empty, times are ISO 8601."""
    chunks = await collect(
        export_lines(
            rows(row(1, ses_suppressed=True, email='a,"b"@example.com')), "csv"
        )
    )

    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed == [
        [
            "email",
            "reason",
            "since",
            "first_event_at",
            "last_event_at",
            "soft_bounce_count",
            "ses_suppressed",
        ],
        [
            'a,"b"@example.com',
            "bounce",
            "2026-11-01T09:31:00+00:00",
            "2026-11-01T09:30:00+00:00",
            "",
            "0",
            "true",
        ],
    ]


async def test_ndjson_is_one_object_per_line() -> None:
    """Each line parses on its own, with nulls as null."""
    chunks = await collect(export_lines(rows(row(1), row(2)), "ndjson"))

    lines = "".join(chunks).splitlines()
    assert [json.loads(line)["email"] for line in lines] == [
        "user1@example.com",
        "user2@example.com",
    ]
    assert json.loads(lines[0])["last_event_at"] is None


async def test_long_exports_come_in_chunks_of_whole_lines() -> None:
    """Rows are sent as they come, a bounded number of lines per chunk."""
    count = LINES_PER_CHUNK * 2 + 7

    chunks = await collect(
        export_lines(rows(*(row(i) for i in range(count))), "ndjson")
    )

    assert [chunk.count("\n") for chunk in chunks] == [
        LINES_PER_CHUNK,
        LINES_PER_CHUNK,
        7,
    ]
    assert all(chunk.endswith("\n") for chunk in chunks)

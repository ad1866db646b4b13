"""Reading the drivers' own values in the direct reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from snsreceiver.store.direct import _from_sqlite_text


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        # As the store writes them: naive UTC text.
        ("2026-06-01 12:00:00.250000", datetime(2026, 6, 1, 12, 0, 0, 250000, UTC)),
        ("2026-06-01 12:00:00", datetime(2026, 6, 1, 12, 0, tzinfo=UTC)),
        # Written by hand with an offset: the moment it names, in UTC.
        ("2026-06-01 14:00:00+02:00", datetime(2026, 6, 1, 12, 0, tzinfo=UTC)),
        ("2026-06-01T12:00:00Z", datetime(2026, 6, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_sqlite_text_is_read_as_an_aware_utc_moment(
    text: str, moment: datetime
) -> None:
    read = _from_sqlite_text(text)
    assert read == moment
    assert read.tzinfo == UTC

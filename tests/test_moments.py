"""Reading moments given by people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from snsreceiver.moments import as_utc, parse_aware


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02T09:00:00Z", datetime(2026, 11, 2, 9, tzinfo=UTC)),
        (
            "2026-11-02T10:00:00+01:00",
            datetime(2026, 11, 2, 10, tzinfo=timezone(timedelta(hours=1))),
        ),
    ],
)
def test_a_moment_with_an_offset_is_read(text: str, expected: datetime) -> None:
    """An ISO 8601 moment with its offset comes back aware and equal."""
    assert parse_aware(text) == expected


@pytest.mark.parametrize("text", ["2026-11-02T09:00:00", "yesterday", "", "now"])
def test_a_moment_without_an_offset_or_not_a_moment_is_none(text: str) -> None:
    """Without an offset the zone would be a guess, so nothing is returned."""
    assert parse_aware(text) is None


def test_as_utc_attaches_utc_only_where_no_offset_is_given() -> None:
    """A naive bound becomes UTC; an aware one and None are left alone."""
    eastern = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5)))

    naive = datetime(2026, 1, 1)  # noqa: DTZ001  # the case under test

    assert as_utc(naive) == datetime(2026, 1, 1, tzinfo=UTC)
    assert as_utc(eastern) is eastern
    assert as_utc(None) is None

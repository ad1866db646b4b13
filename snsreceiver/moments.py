"""Reading moments given by people: ISO 8601, and UTC when no offset is given.

Two rules are shared by the command line, the replay header and the store's
filters: a moment that selects *what to judge a message at* must carry its offset
(guessing could accept a stale message), while a filter bound without an offset
is read as UTC, the zone every stored time is in.
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_aware(value: str) -> datetime | None:
    """The ISO 8601 moment in ``value`` if it has a UTC offset, else None."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` with UTC attached when it has no offset; None stays None."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)

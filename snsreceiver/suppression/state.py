"""The suppression state of one address, and a decision that changes it.

The policy (:mod:`snsreceiver.suppression.policy`) is a pure function from the
current state and one feedback record to a :class:`Decision`; the store locks the
address's row, asks the policy, and writes the decision in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    MANUAL = "manual"
    SOFT_BOUNCE = "soft_bounce"


@dataclass(frozen=True, slots=True)
class SuppressionState:
    """What is known now about one address; a never-seen address is all defaults."""

    email: str
    suppressed: bool = False
    reason: Reason | None = None
    since: datetime | None = None
    first_event_at: datetime | None = None
    last_event_at: datetime | None = None
    soft_bounce_days: tuple[date, ...] = ()
    ses_suppressed: bool = False

    @property
    def soft_bounce_count(self) -> int:
        return len(self.soft_bounce_days)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one record for one address.

    ``action`` names the change for the history (for example ``suppressed``,
    ``soft_bounce_counted``, ``soft_bounces_healed``, ``ses_suppression_seen``,
    ``delay_recorded``), or is None when nothing about the address changed and no
    history entry is due. ``evidence`` is stored with the history entry.
    """

    state: SuppressionState
    action: str | None
    unsubscribe_signup: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)

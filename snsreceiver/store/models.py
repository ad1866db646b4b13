"""The values the store takes and gives back: plain frozen dataclasses and tuples.

Nothing here touches the database; the HTTP API and the CLI render these as they
see fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, NamedTuple, Protocol

from snsreceiver.ses.records import FeedbackRecord
from snsreceiver.suppression.state import Decision, Reason, SuppressionState

SignupStatus = Literal["subscribed", "unsubscribed"]
SubscriptionStatus = Literal["pending", "confirmed", "unsubscribed"]
TokenScope = Literal["read", "write"]

SIGNUP_STATUSES: frozenset[str] = frozenset({"subscribed", "unsubscribed"})
TOKEN_SCOPES: frozenset[str] = frozenset({"read", "write"})


class Policy(Protocol):
    """Turns the state of one address and one feedback record into a decision."""

    def decide(
        self, state: SuppressionState, record: FeedbackRecord, *, sns_message_id: str
    ) -> Decision: ...


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A verified SNS message, as it is kept for replay and export."""

    message_id: str
    type: str
    topic_arn: str
    sent_at: datetime
    raw: str
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A stored SNS message with when it arrived and what became of it."""

    message_id: str
    type: str
    topic_arn: str
    subject: str | None
    sent_at: datetime
    received_at: datetime
    raw: str
    outcome: str


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    """The recorded SNS subscription of one topic.

    ``subscribe_url`` is kept while a confirmation waits for an operator
    (``SNSRECEIVER_SUBSCRIPTION_CONFIRMATION=manual``).
    """

    topic_arn: str
    status: str
    subscribe_url: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one delivery changed.

    ``duplicate`` means the MessageId was already stored and nothing was touched.
    ``records_skipped`` counts records whose SES event an earlier message carried.
    ``actions`` lists the history actions written, in record order.
    """

    duplicate: bool
    records_applied: int = 0
    records_skipped: int = 0
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of an address's state, never rewritten."""

    id: int
    at: datetime
    action: str
    reason: str | None
    actor: str
    note: str | None
    evidence: dict[str, Any]
    sns_message_id: str | None


@dataclass(frozen=True, slots=True)
class SignupInfo:
    """A person who signed up, and whether they still want mail."""

    email: str
    status: str
    source: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AddressStatus:
    """Everything known about one address, for "may we still mail it, and why not?".

    An address never seen is not suppressed and has an empty history. The soft
    bounce window is a policy setting; callers that show it add it themselves.
    """

    email: str
    suppressed: bool
    reason: str | None
    since: datetime | None
    first_event_at: datetime | None
    last_event_at: datetime | None
    soft_bounce_days: tuple[date, ...]
    ses_suppressed: bool
    signup: SignupInfo | None
    history: list[HistoryEntry]

    @property
    def soft_bounce_count(self) -> int:
        return len(self.soft_bounce_days)


@dataclass(frozen=True, slots=True)
class SuppressionRow:
    """One suppressed address, as listed and exported."""

    email: str
    reason: str | None
    since: datetime
    first_event_at: datetime | None
    last_event_at: datetime | None
    soft_bounce_count: int
    ses_suppressed: bool


@dataclass(frozen=True, slots=True)
class Page:
    """One page of suppressions; ``next_cursor`` is None on the last page."""

    items: list[SuppressionRow]
    next_cursor: str | None


class CheckResult(NamedTuple):
    """The answer for one address of a check, in the order asked.

    ``email`` is the normalised address. ``suppressed`` is the answer to "must we
    not mail it"; ``signup_status`` is None for an address that never signed up.
    A named tuple rather than a frozen dataclass: a check makes thousands, and
    a tuple is made in a third of the time.
    """

    email: str
    suppressed: bool
    reason: str | None
    since: datetime | None
    ses_suppressed: bool
    signup_status: str | None


@dataclass(frozen=True, slots=True)
class SignupImportRow:
    """One row of a signup import; ``line`` is for the rejection report."""

    email: str
    status: str = "subscribed"
    source: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A signup import row that was not stored, and why."""

    line: int | None
    email: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """The outcome of a signup import."""

    added: int
    updated: int
    rejected: list[RejectedRow]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token without its secret, which is never stored."""

    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


__all__ = [
    "SIGNUP_STATUSES",
    "TOKEN_SCOPES",
    "AddressStatus",
    "CheckResult",
    "HistoryEntry",
    "ImportCounts",
    "IncomingMessage",
    "IngestResult",
    "Page",
    "Policy",
    "Reason",
    "RejectedRow",
    "SignupImportRow",
    "SignupInfo",
    "SignupStatus",
    "StoredMessage",
    "SubscriptionInfo",
    "SubscriptionStatus",
    "SuppressionRow",
    "TokenInfo",
    "TokenScope",
]

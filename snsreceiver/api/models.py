"""The JSON documents of the operator API.

The store hands back plain dataclasses (:mod:`snsreceiver.store.models`); these
pydantic models are their public shape, read from them attribute by attribute, and
are what ``/docs`` describes. ``snsreceiver status EMAIL --json`` prints
:class:`AddressStatusDocument` too, so the API and the command line never differ.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from snsreceiver.api.emails import EmailAddress
from snsreceiver.store import AddressStatus, CheckResult
from snsreceiver.suppression.state import Reason

MAX_CHECK_EMAILS = 5000
MAX_NOTE_LENGTH = 2000

SignupStatus = Literal["subscribed", "unsubscribed"]


class Document(BaseModel):
    """A response document built from one of the store's dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class HistoryEntryDocument(Document):
    at: datetime = Field(description="When the change was recorded.")
    action: str = Field(
        description="What changed, e.g. suppressed, unsuppressed, soft_bounce_counted."
    )
    reason: str | None = Field(description="The suppression reason concerned.")
    actor: str = Field(
        description="Who made the change: sns for SES feedback, else a token or cli."
    )
    note: str | None = Field(description="The operator's note, for manual changes.")
    evidence: dict[str, Any] = Field(
        description="What the change rests on, e.g. the SES bounce's diagnostic code."
    )
    sns_message_id: str | None = Field(
        description="The SNS message that carried the feedback, if any."
    )


class SignupDocument(Document):
    email: str
    status: str = Field(description="subscribed or unsubscribed.")
    source: str | None = Field(description="Where the signup came from.")
    created_at: datetime
    updated_at: datetime


class AddressStatusDocument(Document):
    """Everything known about one address: may it still be mailed, and if not, why."""

    email: str = Field(description="The address, normalised to lower case.")
    suppressed: bool = Field(description="True when the address must not be mailed.")
    reason: Reason | None = Field(description="Why it is suppressed.")
    since: datetime | None = Field(description="When the suppression began.")
    first_event_at: datetime | None = Field(description="First SES event seen.")
    last_event_at: datetime | None = Field(description="Latest SES event seen.")
    soft_bounce_count: int = Field(
        description="Soft bounces (distinct days) counted in the current window."
    )
    soft_bounce_days: list[date] = Field(description="The days those bounces fell on.")
    soft_bounce_window_days: int = Field(
        description="Days over which soft bounces are counted."
    )
    soft_bounce_threshold: int = Field(
        description="Soft bounces within the window that suppress the address."
    )
    ses_suppressed: bool = Field(
        description="True when SES reported the address on its own suppression list."
    )
    signup: SignupDocument | None = Field(
        description="The address's signup, or null if it never signed up."
    )
    history: list[HistoryEntryDocument] = Field(
        description="Every change of the address's state, oldest first, with evidence."
    )

    @classmethod
    def build(
        cls, status: AddressStatus, *, window_days: int, threshold: int
    ) -> AddressStatusDocument:
        """The document for ``status``; the soft bounce policy comes from settings."""
        return cls.model_validate(
            {
                "email": status.email,
                "suppressed": status.suppressed,
                "reason": status.reason,
                "since": status.since,
                "first_event_at": status.first_event_at,
                "last_event_at": status.last_event_at,
                "soft_bounce_count": status.soft_bounce_count,
                "soft_bounce_days": list(status.soft_bounce_days),
                "soft_bounce_window_days": window_days,
                "soft_bounce_threshold": threshold,
                "ses_suppressed": status.ses_suppressed,
                "signup": status.signup,
                "history": status.history,
            }
        )


class SuppressionDocument(Document):
    """One suppressed address, as listed and exported."""

    email: str
    reason: Reason | None
    since: datetime
    first_event_at: datetime | None
    last_event_at: datetime | None
    soft_bounce_count: int
    ses_suppressed: bool


class SuppressionPage(BaseModel):
    items: list[SuppressionDocument] = Field(
        description="Suppressed addresses, oldest suppression first."
    )
    next_cursor: str | None = Field(
        description="Pass as ?cursor= with the same filters for the next page; "
        "null on the last page."
    )


class CheckRequest(BaseModel):
    emails: list[EmailAddress] = Field(
        description=f"The addresses to check, at most {MAX_CHECK_EMAILS}.",
        examples=[["jane@example.com", "bounced@example.org"]],
    )


class CheckResultDocument(Document):
    email: str = Field(description="The address, normalised.")
    mailable: bool = Field(
        description="False when the address must not be mailed: it is suppressed, "
        "SES suppresses it, or its signup is unsubscribed."
    )
    suppressed: bool
    reason: Reason | None
    since: datetime | None
    ses_suppressed: bool
    signup_status: str | None = Field(
        description="subscribed, unsubscribed, or null for no signup."
    )

    @staticmethod
    def fields(result: CheckResult) -> dict[str, Any]:
        """The document's fields for ``result``, to validate many at once.

        Validating one list of plain dicts runs in pydantic's core; building a
        model per address would cost more than the database lookup behind it.
        """
        mailable = not (
            result.suppressed
            or result.ses_suppressed
            or result.signup_status == "unsubscribed"
        )
        return {
            "email": result.email,
            "mailable": mailable,
            "suppressed": result.suppressed,
            "reason": result.reason,
            "since": result.since,
            "ses_suppressed": result.ses_suppressed,
            "signup_status": result.signup_status,
        }


class CheckResponse(BaseModel):
    results: list[CheckResultDocument] = Field(
        description="One answer per address asked, in the order asked."
    )
    not_mailable: int = Field(description="How many answers have mailable false.")


class NoteRequest(BaseModel):
    note: str = Field(
        min_length=1,
        max_length=MAX_NOTE_LENGTH,
        description="Why the change is made; kept in the address's history.",
        examples=["Customer asked by phone to stop all mail."],
    )


class SignupRequest(BaseModel):
    status: SignupStatus = Field(
        default="subscribed", description="subscribed or unsubscribed."
    )
    source: str | None = Field(
        default=None,
        max_length=200,
        description="Where the signup came from, e.g. launch-page.",
    )


class SignupStatusDocument(BaseModel):
    """A signup, and the suppression that stops mail to it despite the signup."""

    email: str
    status: str = Field(description="subscribed or unsubscribed.")
    source: str | None
    created_at: datetime
    updated_at: datetime
    suppressed: bool = Field(description="True when the address must not be mailed.")
    reason: Reason | None = Field(description="Why it is suppressed.")
    since: datetime | None = Field(description="When the suppression began.")

"""The normalised form of one SES feedback event for one recipient.

SES speaks two dialects inside an SNS ``Message``: identity notifications keyed by
``notificationType`` and configuration-set events keyed by ``eventType``. Both are
parsed into :class:`FeedbackRecord`, one per affected recipient, so the policy and
the store never see either dialect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal


class FeedbackKind(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    DELIVERY = "delivery"
    DELIVERY_DELAY = "delivery_delay"
    SEND = "send"
    REJECT = "reject"
    OPEN = "open"
    CLICK = "click"
    RENDERING_FAILURE = "rendering_failure"
    SUBSCRIPTION = "subscription"
    UNKNOWN = "unknown"


Dialect = Literal["notification", "event"]


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One SES event as it concerns one recipient address.

    ``email`` is already normalised (see :func:`normalise_email`). Fields that the
    event kind does not carry are None.
    """

    kind: FeedbackKind
    email: str
    occurred_at: datetime
    dialect: Dialect
    source_type: str
    mail_message_id: str | None = None
    feedback_id: str | None = None
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    status: str | None = None
    action: str | None = None
    diagnostic_code: str | None = None
    complaint_subtype: str | None = None
    complaint_feedback_type: str | None = None

    @property
    def dedup_key(self) -> str:
        """Identifies the event across dialects and redeliveries.

        SES gives bounces and complaints a ``feedbackId``; other kinds are keyed by
        the sent mail's message id.
        """
        event_id = self.feedback_id or self.mail_message_id or ""
        return f"{self.kind}:{event_id}:{self.email}"


def normalise_email(address: str) -> str:
    """The one form in which addresses are stored and compared.

    Surrounding whitespace and angle brackets are dropped and the whole address is
    lower-cased: mailbox providers treat local parts case-insensitively in
    practice, and one address must never appear as two suppressions.
    """
    return address.strip().strip("<>").strip().lower()

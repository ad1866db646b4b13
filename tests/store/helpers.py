"""A small policy and message builders for the store tests.

The real policy lives in :mod:`snsreceiver.suppression`; this one is just enough
to show that the store keeps exactly what a decision says.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from snsreceiver.ses.records import FeedbackKind, FeedbackRecord
from snsreceiver.store import IncomingMessage
from snsreceiver.suppression.state import Decision, Reason, SuppressionState

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"

_ids = itertools.count(1)


class CountingPolicy:
    """Suppresses on permanent bounces and complaints, counts soft bounce days."""

    def __init__(self, soft_threshold: int = 3) -> None:
        self.soft_threshold = soft_threshold

    def decide(
        self, state: SuppressionState, record: FeedbackRecord, *, sns_message_id: str
    ) -> Decision:
        seen = replace(
            state,
            first_event_at=state.first_event_at or record.occurred_at,
            last_event_at=max(
                state.last_event_at or record.occurred_at, record.occurred_at
            ),
        )
        evidence = {
            "feedback_id": record.feedback_id,
            "occurred_at": record.occurred_at,
            "sns_message_id": sns_message_id,
        }

        if record.kind is FeedbackKind.COMPLAINT:
            suppressed = replace(
                seen, suppressed=True, reason=Reason.COMPLAINT, since=record.occurred_at
            )
            return Decision(
                suppressed, "suppressed", unsubscribe_signup=True, evidence=evidence
            )

        if record.kind is FeedbackKind.BOUNCE and record.bounce_type == "Permanent":
            if state.suppressed:
                return Decision(seen, None)
            suppressed = replace(
                seen, suppressed=True, reason=Reason.BOUNCE, since=record.occurred_at
            )
            return Decision(suppressed, "suppressed", evidence=evidence)

        if record.kind is FeedbackKind.BOUNCE:
            days = (*seen.soft_bounce_days, record.occurred_at.date())
            counted = replace(seen, soft_bounce_days=days)
            if len(days) >= self.soft_threshold and not state.suppressed:
                counted = replace(
                    counted,
                    suppressed=True,
                    reason=Reason.SOFT_BOUNCE,
                    since=record.occurred_at,
                )
            return Decision(counted, "soft_bounce_counted", evidence=evidence)

        if record.kind is FeedbackKind.DELIVERY and state.soft_bounce_days:
            return Decision(replace(seen, soft_bounce_days=()), "soft_bounces_healed")
        return Decision(seen, None)


class FailingPolicy:
    """Decides like CountingPolicy until the n-th record, then raises."""

    def __init__(self, fail_at: int) -> None:
        self.inner = CountingPolicy()
        self.calls = 0
        self.fail_at = fail_at

    def decide(
        self, state: SuppressionState, record: FeedbackRecord, *, sns_message_id: str
    ) -> Decision:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("the policy broke")
        return self.inner.decide(state, record, sns_message_id=sns_message_id)


def message(
    message_id: str | None = None, *, raw: str = '{"Type": "Notification"}'
) -> IncomingMessage:
    """A verified SNS Notification with a unique MessageId unless one is given."""
    return IncomingMessage(
        message_id=message_id or f"msg-{next(_ids)}",
        type="Notification",
        topic_arn=TOPIC,
        sent_at=T0,
        raw=raw,
        subject=None,
    )


def bounce(
    email: str,
    *,
    bounce_type: str = "Permanent",
    at: datetime = T0,
    feedback_id: str | None = None,
    dialect: str = "notification",
) -> FeedbackRecord:
    """A bounce record for ``email`` with a unique feedbackId unless one is given."""
    return FeedbackRecord(
        kind=FeedbackKind.BOUNCE,
        email=email,
        occurred_at=at,
        dialect="event" if dialect == "event" else "notification",
        source_type="Bounce",
        mail_message_id=f"mail-{next(_ids)}",
        feedback_id=feedback_id or f"fb-{next(_ids)}",
        bounce_type=bounce_type,
        bounce_subtype="General",
        status="5.1.1" if bounce_type == "Permanent" else "4.4.7",
        diagnostic_code="smtp; 550 5.1.1 user unknown",
    )


def complaint(email: str, *, at: datetime = T0) -> FeedbackRecord:
    return FeedbackRecord(
        kind=FeedbackKind.COMPLAINT,
        email=email,
        occurred_at=at,
        dialect="notification",
        source_type="Complaint",
        mail_message_id=f"mail-{next(_ids)}",
        feedback_id=f"fb-{next(_ids)}",
        complaint_feedback_type="abuse",
    )


def delivery(email: str, *, at: datetime = T0) -> FeedbackRecord:
    return FeedbackRecord(
        kind=FeedbackKind.DELIVERY,
        email=email,
        occurred_at=at,
        dialect="event",
        source_type="Delivery",
        mail_message_id=f"mail-{next(_ids)}",
    )


def days(n: int) -> timedelta:
    return timedelta(days=n)

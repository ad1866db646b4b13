"""The suppression policy: what one feedback record does to one address.

:func:`decide` is pure. It takes the address's current
:class:`~snsreceiver.suppression.state.SuppressionState` and one
:class:`~snsreceiver.ses.records.FeedbackRecord` and returns a
:class:`~snsreceiver.suppression.state.Decision`: the new state, the history action
(None when nothing changed and no history is due) and the evidence to store
with it. Time is the record's ``occurred_at``, never the wall clock, so a replay
of the same records gives the same states.

The rules, by the kind of feedback:

Bounces (SES developer guide, "Contents of notifications", bounce types):

- Permanent with subtype OnAccountSuppressionList: SES did not send because the
  address is on the account-level suppression list. ``ses_suppressed`` becomes
  True (action ``ses_suppression_seen``), and nothing else changes: it is not a
  new bounce from the address. Seen again, it changes nothing (action None).
- Any other Permanent bounce (General, NoEmail, Suppressed, Undetermined or a
  subtype SES adds later): a hard bounce. The address is suppressed now with
  reason ``bounce`` (action ``suppressed``).
- Transient and Undetermined bounces, and bounce types SES adds later, are soft:

  - content problems (MessageTooLarge, ContentRejected, AttachmentRejected) say
    nothing about the address and never count (``content_bounce_recorded``),
    whatever their status;
  - a recipient status of class 5 (``5.x.x``) is a permanent failure reported
    in a transient bounce and is treated as a hard bounce;
  - any other soft bounce counts once per UTC calendar day. The address keeps the
    distinct days of its soft bounces inside the window (``soft_bounce_window_days``
    days, ending on the latest day known); when their number reaches
    ``soft_bounce_threshold`` the address is suppressed with reason
    ``soft_bounce``. Otherwise the action is ``soft_bounce_counted``, or
    ``soft_bounce_same_day`` for a second soft bounce on a counted day, or
    ``soft_bounce_expired`` for a late-arriving one already outside the window.

Deliveries: a delivery heals the soft count, removing the soft bounce days on
or before the delivery's day (``soft_bounces_healed``); a delivery older than
every counted day, or to an address with nothing counted, changes nothing. A
delivery never lifts a suppression.

Complaints: subtype OnAccountSuppressionList is treated like the bounce of that
subtype. Feedback type ``not-spam`` is recorded (``complaint_recorded``) and
suppresses nothing. Every other complaint suppresses with reason ``complaint`` and
asks the store to mark the signup unsubscribed.

Delays: recorded (``delay_recorded``), never suppressing.

Send, Reject, Open, Click, Rendering Failure, Subscription and unknown kinds change
nothing and have no history (action None).

Addresses already suppressed stay suppressed with their ``since`` and reason,
except that a complaint replaces any other reason (action
``suppression_upgraded``), since it is the only reason that also unsubscribes.
Further bounces of a suppressed address are recorded as ``bounce_recorded``
without counting.

``first_event_at`` and ``last_event_at`` are the earliest and latest times of the
records that produced history, so records arriving out of order move them only
outward. ``since`` is the time of the record that suppressed the address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from snsreceiver.ses.records import FeedbackKind, FeedbackRecord
from snsreceiver.settings import Settings
from snsreceiver.suppression.state import Decision, Reason, SuppressionState

ON_ACCOUNT_SUPPRESSION_LIST = "OnAccountSuppressionList"
CONTENT_SUBTYPES = frozenset(
    {"MessageTooLarge", "ContentRejected", "AttachmentRejected"}
)
NOT_SPAM = "not-spam"

_SILENT_KINDS = frozenset(
    {
        FeedbackKind.SEND,
        FeedbackKind.REJECT,
        FeedbackKind.OPEN,
        FeedbackKind.CLICK,
        FeedbackKind.RENDERING_FAILURE,
        FeedbackKind.SUBSCRIPTION,
        FeedbackKind.UNKNOWN,
    }
)


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """The thresholds of the policy, taken from the settings."""

    soft_bounce_threshold: int = 3
    soft_bounce_window_days: int = 14

    @classmethod
    def from_settings(cls, settings: Settings) -> PolicySettings:
        return cls(
            soft_bounce_threshold=settings.soft_bounce_threshold,
            soft_bounce_window_days=settings.soft_bounce_window_days,
        )


def decide(
    state: SuppressionState,
    record: FeedbackRecord,
    policy: PolicySettings,
    *,
    sns_message_id: str,
) -> Decision:
    """What ``record`` does to the address whose current state is ``state``."""
    if record.email != state.email:
        raise ValueError(
            f"record for {record.email!r} applied to the state of {state.email!r}"
        )

    if record.kind in _SILENT_KINDS:
        return Decision(state=state, action=None)

    if record.kind is FeedbackKind.BOUNCE:
        new_state, action = _bounce(state, record, policy)
    elif record.kind is FeedbackKind.COMPLAINT:
        new_state, action = _complaint(state, record)
    elif record.kind is FeedbackKind.DELIVERY:
        new_state, action = _delivery(state, record)
    else:
        new_state, action = state, "delay_recorded"

    if action is None:
        return Decision(state=state, action=None)

    return Decision(
        state=_touch(new_state, record.occurred_at),
        action=action,
        unsubscribe_signup=_unsubscribes(record),
        evidence=_evidence(record, sns_message_id),
    )


class SuppressionPolicy:
    """The policy bound to its thresholds, in the form the store calls it."""

    def __init__(self, settings: PolicySettings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> SuppressionPolicy:
        return cls(PolicySettings.from_settings(settings))

    def decide(
        self, state: SuppressionState, record: FeedbackRecord, *, sns_message_id: str
    ) -> Decision:
        return decide(state, record, self.settings, sns_message_id=sns_message_id)


def is_hard_bounce(record: FeedbackRecord) -> bool:
    """Whether a bounce says the address itself cannot receive mail."""
    if record.bounce_type == "Permanent":
        return record.bounce_subtype != ON_ACCOUNT_SUPPRESSION_LIST

    if record.bounce_subtype in CONTENT_SUBTYPES:
        return False
    return (record.status or "").strip().startswith("5.")


def _bounce(
    state: SuppressionState, record: FeedbackRecord, policy: PolicySettings
) -> tuple[SuppressionState, str | None]:
    if record.bounce_subtype == ON_ACCOUNT_SUPPRESSION_LIST:
        return _ses_suppression(state)

    if record.bounce_type != "Permanent" and record.bounce_subtype in CONTENT_SUBTYPES:
        return state, "content_bounce_recorded"

    if state.suppressed:
        return state, "bounce_recorded"

    if is_hard_bounce(record):
        return _suppress(state, Reason.BOUNCE, record.occurred_at), "suppressed"

    return _count_soft_bounce(state, record, policy)


def _count_soft_bounce(
    state: SuppressionState, record: FeedbackRecord, policy: PolicySettings
) -> tuple[SuppressionState, str]:
    """Adds the record's day to the soft bounce days and applies the threshold."""
    day = _day(record.occurred_at)
    if day in state.soft_bounce_days:
        return state, "soft_bounce_same_day"

    days = _inside_window(
        (*state.soft_bounce_days, day), policy.soft_bounce_window_days
    )
    counted = replace(state, soft_bounce_days=days)
    if day not in days:
        return counted, "soft_bounce_expired"

    if len(days) >= policy.soft_bounce_threshold:
        return _suppress(counted, Reason.SOFT_BOUNCE, record.occurred_at), "suppressed"
    return counted, "soft_bounce_counted"


def _complaint(
    state: SuppressionState, record: FeedbackRecord
) -> tuple[SuppressionState, str | None]:
    if record.complaint_subtype == ON_ACCOUNT_SUPPRESSION_LIST:
        return _ses_suppression(state)

    if record.complaint_feedback_type == NOT_SPAM:
        return state, "complaint_recorded"

    if not state.suppressed:
        return _suppress(state, Reason.COMPLAINT, record.occurred_at), "suppressed"

    if state.reason is not Reason.COMPLAINT:
        return replace(state, reason=Reason.COMPLAINT), "suppression_upgraded"
    return state, "complaint_recorded"


def _delivery(
    state: SuppressionState, record: FeedbackRecord
) -> tuple[SuppressionState, str | None]:
    """Heals the soft bounces on or before the day of the delivery."""
    day = _day(record.occurred_at)
    remaining = tuple(
        bounce_day for bounce_day in state.soft_bounce_days if bounce_day > day
    )

    if remaining == state.soft_bounce_days:
        return state, None
    return replace(state, soft_bounce_days=remaining), "soft_bounces_healed"


def _ses_suppression(state: SuppressionState) -> tuple[SuppressionState, str | None]:
    if state.ses_suppressed:
        return state, None
    return replace(state, ses_suppressed=True), "ses_suppression_seen"


def _suppress(
    state: SuppressionState, reason: Reason, occurred_at: datetime
) -> SuppressionState:
    return replace(state, suppressed=True, reason=reason, since=occurred_at)


def _touch(state: SuppressionState, occurred_at: datetime) -> SuppressionState:
    """Widens the first and last event times to include ``occurred_at``."""
    first = state.first_event_at
    last = state.last_event_at

    return replace(
        state,
        first_event_at=occurred_at if first is None else min(first, occurred_at),
        last_event_at=occurred_at if last is None else max(last, occurred_at),
    )


def _inside_window(days: tuple[date, ...], window_days: int) -> tuple[date, ...]:
    """The distinct days within ``window_days`` days ending on the latest one."""
    latest = max(days)
    return tuple(sorted({day for day in days if (latest - day).days < window_days}))


def _unsubscribes(record: FeedbackRecord) -> bool:
    """Whether the record asks for the signup to be marked unsubscribed."""
    return (
        record.kind is FeedbackKind.COMPLAINT
        and record.complaint_subtype != ON_ACCOUNT_SUPPRESSION_LIST
        and record.complaint_feedback_type != NOT_SPAM
    )


def _evidence(record: FeedbackRecord, sns_message_id: str) -> dict[str, Any]:
    """The facts behind a decision, JSON-serialisable, for the history."""
    return {
        "kind": str(record.kind),
        "sns_message_id": sns_message_id,
        "feedback_id": record.feedback_id,
        "mail_message_id": record.mail_message_id,
        "bounce_type": record.bounce_type,
        "bounce_subtype": record.bounce_subtype,
        "status": record.status,
        "diagnostic_code": record.diagnostic_code,
        "complaint_subtype": record.complaint_subtype,
        "complaint_feedback_type": record.complaint_feedback_type,
        "occurred_at": record.occurred_at.astimezone(UTC).isoformat(),
    }


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()

"""Tests for snsreceiver.suppression.policy: one rule per class."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from snsreceiver.ses.records import FeedbackKind, FeedbackRecord
from snsreceiver.settings import load_settings
from snsreceiver.suppression.policy import PolicySettings, decide, is_hard_bounce
from snsreceiver.suppression.state import Decision, Reason, SuppressionState

EMAIL = "jane@example.com"
POLICY = PolicySettings(soft_bounce_threshold=3, soft_bounce_window_days=14)
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def fresh() -> SuppressionState:
    return SuppressionState(email=EMAIL)


def record(kind: FeedbackKind, when: datetime = T0, **fields: Any) -> FeedbackRecord:
    return FeedbackRecord(
        kind=kind,
        email=EMAIL,
        occurred_at=when,
        dialect="event",
        source_type=str(kind),
        mail_message_id="mail-1",
        **fields,
    )


def bounce(
    bounce_type: str = "Permanent",
    subtype: str | None = "General",
    *,
    when: datetime = T0,
    status: str | None = None,
) -> FeedbackRecord:
    return record(
        FeedbackKind.BOUNCE,
        when,
        feedback_id="fb-1",
        bounce_type=bounce_type,
        bounce_subtype=subtype,
        status=status,
        diagnostic_code="smtp; 550 no such user" if status else None,
    )


def soft(when: datetime, subtype: str = "MailboxFull") -> FeedbackRecord:
    return bounce("Transient", subtype, when=when, status="4.2.2")


def complaint(
    feedback_type: str | None = "abuse",
    subtype: str | None = None,
    when: datetime = T0,
) -> FeedbackRecord:
    return record(
        FeedbackKind.COMPLAINT,
        when,
        feedback_id="fb-2",
        complaint_feedback_type=feedback_type,
        complaint_subtype=subtype,
    )


def apply(
    state: SuppressionState, item: FeedbackRecord, policy: PolicySettings = POLICY
) -> Decision:
    return decide(state, item, policy, sns_message_id="sns-1")


def replay(
    records: list[FeedbackRecord], policy: PolicySettings = POLICY
) -> list[Decision]:
    state = fresh()
    decisions = []
    for item in records:
        decision = apply(state, item, policy)
        decisions.append(decision)
        state = decision.state
    return decisions


def day(offset: int) -> datetime:
    return T0 + timedelta(days=offset)


class TestPolicySettings:
    def test_built_from_settings(self) -> None:
        """The thresholds come from SNSRECEIVER_SOFT_BOUNCE_* settings."""
        settings = load_settings(soft_bounce_threshold=5, soft_bounce_window_days=30)

        policy = PolicySettings.from_settings(settings)

        assert policy == PolicySettings(
            soft_bounce_threshold=5, soft_bounce_window_days=30
        )

    def test_defaults_match_settings_defaults(self) -> None:
        """The default policy is the one default settings give."""
        assert PolicySettings.from_settings(load_settings()) == PolicySettings()


class TestPermanentBounce:
    @pytest.mark.parametrize(
        "subtype", ["General", "NoEmail", "Suppressed", "Undetermined", "Brand", None]
    )
    def test_suppresses_now(self, subtype: str | None) -> None:
        """A permanent bounce of any subtype but the account list suppresses at once."""
        decision = apply(fresh(), bounce("Permanent", subtype))

        assert decision.action == "suppressed"
        assert decision.state.suppressed
        assert decision.state.reason is Reason.BOUNCE
        assert decision.state.since == T0
        assert not decision.unsubscribe_signup

    def test_sets_event_times(self) -> None:
        """The first and last event times of a new address are the bounce's time."""
        decision = apply(fresh(), bounce())

        assert decision.state.first_event_at == T0
        assert decision.state.last_event_at == T0

    def test_evidence_names_the_event(self) -> None:
        """The evidence holds the ids, bounce details and time, and is JSON."""
        decision = apply(fresh(), bounce(status="5.1.1"))

        assert decision.evidence == {
            "kind": "bounce",
            "sns_message_id": "sns-1",
            "feedback_id": "fb-1",
            "mail_message_id": "mail-1",
            "bounce_type": "Permanent",
            "bounce_subtype": "General",
            "status": "5.1.1",
            "diagnostic_code": "smtp; 550 no such user",
            "complaint_subtype": None,
            "complaint_feedback_type": None,
            "occurred_at": "2026-03-02T09:30:00+00:00",
        }
        assert json.loads(json.dumps(decision.evidence)) == decision.evidence

    def test_record_for_another_address_is_refused(self) -> None:
        """Applying a record to another address's state is a programming error."""
        with pytest.raises(ValueError, match="applied to the state"):
            apply(SuppressionState(email="other@example.com"), bounce())


class TestOnAccountSuppressionList:
    def test_bounce_marks_ses_suppression_only(self) -> None:
        """A bounce because SES's account list holds the address is not our bounce."""
        decision = apply(fresh(), bounce("Permanent", "OnAccountSuppressionList"))

        assert decision.action == "ses_suppression_seen"
        assert decision.state.ses_suppressed
        assert not decision.state.suppressed
        assert decision.state.reason is None
        assert decision.state.soft_bounce_days == ()
        assert decision.state.last_event_at == T0

    def test_complaint_marks_ses_suppression_only(self) -> None:
        """An account-list complaint neither suppresses nor unsubscribes."""
        decision = apply(fresh(), complaint(None, "OnAccountSuppressionList"))

        assert decision.action == "ses_suppression_seen"
        assert decision.state.ses_suppressed
        assert not decision.state.suppressed
        assert not decision.unsubscribe_signup

    def test_seen_again_changes_nothing(self) -> None:
        """A repeat of the account-list bounce has no history entry."""
        first = apply(fresh(), bounce("Permanent", "OnAccountSuppressionList"))

        again = apply(
            first.state, bounce("Permanent", "OnAccountSuppressionList", when=day(1))
        )

        assert again.action is None
        assert again.state == first.state
        assert again.evidence == {}


class TestSoftBounces:
    def test_first_soft_bounce_is_counted(self) -> None:
        """One transient bounce counts one day and does not suppress."""
        decision = apply(fresh(), soft(T0))

        assert decision.action == "soft_bounce_counted"
        assert decision.state.soft_bounce_days == (T0.date(),)
        assert not decision.state.suppressed

    def test_threshold_on_distinct_days_suppresses(self) -> None:
        """The third soft bounce on a third day within the window suppresses."""
        decisions = replay([soft(day(0)), soft(day(5)), soft(day(13))])

        assert [d.action for d in decisions] == [
            "soft_bounce_counted",
            "soft_bounce_counted",
            "suppressed",
        ]
        final = decisions[-1].state
        assert final.suppressed
        assert final.reason is Reason.SOFT_BOUNCE
        assert final.since == day(13)
        assert final.soft_bounce_count == 3

    def test_undetermined_bounce_is_soft(self) -> None:
        """An Undetermined bounce counts like a transient one."""
        decision = apply(fresh(), bounce("Undetermined", "Undetermined"))

        assert decision.action == "soft_bounce_counted"
        assert not decision.state.suppressed

    def test_one_per_day(self) -> None:
        """Three soft bounces on one day count once and do not suppress."""
        decisions = replay(
            [
                soft(day(0)),
                soft(day(0) + timedelta(hours=2)),
                soft(day(0) + timedelta(hours=5)),
            ]
        )

        assert [d.action for d in decisions] == [
            "soft_bounce_counted",
            "soft_bounce_same_day",
            "soft_bounce_same_day",
        ]
        assert decisions[-1].state.soft_bounce_count == 1
        assert not decisions[-1].state.suppressed

    def test_days_are_utc_days(self) -> None:
        """Two bounces an hour apart across UTC midnight are two days."""
        late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)

        decisions = replay([soft(late), soft(late + timedelta(hours=1))])

        assert decisions[-1].state.soft_bounce_days == (
            date(2026, 3, 2),
            date(2026, 3, 3),
        )

    def test_window_expiry_drops_old_days(self) -> None:
        """Days outside the window are dropped, so spread-out bounces never suppress."""
        decisions = replay([soft(day(0)), soft(day(10)), soft(day(20))])

        assert [d.action for d in decisions] == ["soft_bounce_counted"] * 3
        assert decisions[-1].state.soft_bounce_days == (day(10).date(), day(20).date())
        assert not decisions[-1].state.suppressed

    def test_window_edge(self) -> None:
        """With a 14-day window, day 0 and day 14 are not in one window."""
        decisions = replay([soft(day(0)), soft(day(7)), soft(day(14))])

        assert not decisions[-1].state.suppressed
        assert decisions[-1].state.soft_bounce_days == (day(7).date(), day(14).date())

    def test_late_bounce_outside_window_is_not_counted(self) -> None:
        """A soft bounce arriving late and older than the window counts for nothing."""
        decisions = replay([soft(day(20)), soft(day(1))])

        assert decisions[-1].action == "soft_bounce_expired"
        assert decisions[-1].state.soft_bounce_days == (day(20).date(),)

    def test_out_of_order_bounces_within_window_count(self) -> None:
        """Soft bounces inside the window suppress whatever order they arrive in."""
        decisions = replay([soft(day(9)), soft(day(2)), soft(day(5))])

        final = decisions[-1].state
        assert final.suppressed
        assert final.first_event_at == day(2)
        assert final.last_event_at == day(9)

    def test_threshold_is_a_setting(self) -> None:
        """A threshold of 1 suppresses on the first soft bounce."""
        decision = apply(fresh(), soft(T0), PolicySettings(1, 14))

        assert decision.action == "suppressed"
        assert decision.state.reason is Reason.SOFT_BOUNCE


class TestContentBounces:
    @pytest.mark.parametrize(
        "subtype", ["MessageTooLarge", "ContentRejected", "AttachmentRejected"]
    )
    def test_content_problems_do_not_count(self, subtype: str) -> None:
        """A bounce about the message, not the address, is recorded but not counted."""
        decisions = replay([soft(day(n), subtype) for n in range(3)])

        assert [d.action for d in decisions] == ["content_bounce_recorded"] * 3
        assert decisions[-1].state.soft_bounce_days == ()
        assert not decisions[-1].state.suppressed

    def test_content_problem_with_permanent_status_does_not_suppress(self) -> None:
        """A 5.x.x status on a content bounce still blames the message."""
        decision = apply(
            fresh(), bounce("Transient", "MessageTooLarge", status="5.3.4")
        )

        assert decision.action == "content_bounce_recorded"
        assert not decision.state.suppressed


class TestPermanentStatusOnTransientBounce:
    @pytest.mark.parametrize("status", ["5.1.1", "5.2.1", " 5.7.1"])
    def test_five_status_suppresses(self, status: str) -> None:
        """A transient bounce whose recipient status is 5.x.x is a hard bounce."""
        decision = apply(fresh(), bounce("Transient", "General", status=status))

        assert decision.action == "suppressed"
        assert decision.state.reason is Reason.BOUNCE
        assert decision.state.soft_bounce_days == ()

    def test_four_status_is_soft(self) -> None:
        """A transient bounce with a 4.x.x status stays soft."""
        assert not is_hard_bounce(bounce("Transient", "General", status="4.4.7"))

    def test_missing_status_is_soft(self) -> None:
        """A transient bounce without a status stays soft."""
        assert not is_hard_bounce(bounce("Transient", "General"))


class TestDeliveryHealing:
    def test_delivery_clears_soft_bounces(self) -> None:
        """A delivery after soft bounces resets their count."""
        decisions = replay(
            [soft(day(0)), soft(day(1)), record(FeedbackKind.DELIVERY, day(2))]
        )

        assert decisions[-1].action == "soft_bounces_healed"
        assert decisions[-1].state.soft_bounce_days == ()
        assert decisions[-1].state.last_event_at == day(2)

    def test_healed_address_needs_full_threshold_again(self) -> None:
        """After healing, two more soft bounces do not suppress."""
        decisions = replay(
            [
                soft(day(0)),
                soft(day(1)),
                record(FeedbackKind.DELIVERY, day(2)),
                soft(day(3)),
                soft(day(4)),
            ]
        )

        assert not decisions[-1].state.suppressed
        assert decisions[-1].state.soft_bounce_count == 2

    def test_delivery_with_nothing_to_heal_has_no_history(self) -> None:
        """A delivery to a clean address changes nothing and writes no history."""
        decision = apply(fresh(), record(FeedbackKind.DELIVERY))

        assert decision.action is None
        assert decision.state == fresh()

    def test_older_delivery_keeps_later_soft_bounces(self) -> None:
        """A delivery arriving late heals only the soft bounces on or before its day."""
        decisions = replay(
            [soft(day(1)), soft(day(5)), record(FeedbackKind.DELIVERY, day(3))]
        )

        assert decisions[-1].action == "soft_bounces_healed"
        assert decisions[-1].state.soft_bounce_days == (day(5).date(),)

    def test_delivery_later_the_same_day_heals(self) -> None:
        """A delivery a few hours after a soft bounce on the same day heals it."""
        decisions = replay(
            [soft(day(0)), record(FeedbackKind.DELIVERY, day(0) + timedelta(hours=3))]
        )

        assert decisions[-1].action == "soft_bounces_healed"
        assert decisions[-1].state.soft_bounce_days == ()

    def test_delivery_does_not_lift_suppression(self) -> None:
        """A delivery to a suppressed address leaves it suppressed."""
        suppressed = apply(fresh(), bounce()).state

        decision = apply(suppressed, record(FeedbackKind.DELIVERY, day(1)))

        assert decision.state.suppressed
        assert decision.action is None


class TestComplaint:
    @pytest.mark.parametrize("feedback_type", ["abuse", "fraud", "other", None])
    def test_complaint_suppresses_and_unsubscribes(
        self, feedback_type: str | None
    ) -> None:
        """A complaint suppresses with reason complaint and unsubscribes the signup."""
        decision = apply(fresh(), complaint(feedback_type))

        assert decision.action == "suppressed"
        assert decision.state.reason is Reason.COMPLAINT
        assert decision.state.since == T0
        assert decision.unsubscribe_signup
        assert decision.evidence["complaint_feedback_type"] == feedback_type

    def test_not_spam_does_not_suppress(self) -> None:
        """A not-spam feedback report is recorded without suppressing."""
        decision = apply(fresh(), complaint("not-spam"))

        assert decision.action == "complaint_recorded"
        assert not decision.state.suppressed
        assert not decision.unsubscribe_signup
        assert decision.state.last_event_at == T0

    def test_complaint_upgrades_a_bounce_suppression(self) -> None:
        """A complaint on a bounced address changes the reason and keeps since."""
        bounced = apply(fresh(), bounce()).state

        decision = apply(bounced, complaint(when=day(3)))

        assert decision.action == "suppression_upgraded"
        assert decision.state.reason is Reason.COMPLAINT
        assert decision.state.since == T0
        assert decision.state.last_event_at == day(3)
        assert decision.unsubscribe_signup

    def test_complaint_upgrades_a_manual_suppression(self) -> None:
        """A complaint replaces an operator's manual reason, as it also unsubscribes."""
        manual = SuppressionState(
            email=EMAIL, suppressed=True, reason=Reason.MANUAL, since=T0
        )

        decision = apply(manual, complaint(when=day(1)))

        assert decision.action == "suppression_upgraded"
        assert decision.state.reason is Reason.COMPLAINT

    def test_repeated_complaint_is_recorded(self) -> None:
        """A second complaint keeps the first one's since and still unsubscribes."""
        first = apply(fresh(), complaint()).state

        decision = apply(first, complaint(when=day(2)))

        assert decision.action == "complaint_recorded"
        assert decision.state.since == T0
        assert decision.state.last_event_at == day(2)
        assert decision.unsubscribe_signup


class TestAlreadySuppressed:
    def test_hard_bounce_keeps_since_and_reason(self) -> None:
        """A new hard bounce on a complaint-suppressed address only updates times."""
        complained = apply(fresh(), complaint()).state

        decision = apply(complained, bounce(when=day(4)))

        assert decision.action == "bounce_recorded"
        assert decision.state.reason is Reason.COMPLAINT
        assert decision.state.since == T0
        assert decision.state.last_event_at == day(4)
        assert not decision.unsubscribe_signup

    def test_soft_bounce_is_not_counted(self) -> None:
        """Soft bounces of a suppressed address are recorded without counting."""
        bounced = apply(fresh(), bounce()).state

        decision = apply(bounced, soft(day(1)))

        assert decision.action == "bounce_recorded"
        assert decision.state.soft_bounce_days == ()

    def test_earlier_event_moves_first_event_back(self) -> None:
        """An event older than any seen moves first_event_at, not last_event_at."""
        bounced = apply(fresh(), bounce(when=day(5))).state

        decision = apply(bounced, bounce(when=day(1)))

        assert decision.state.first_event_at == day(1)
        assert decision.state.last_event_at == day(5)
        assert decision.state.since == day(5)


class TestDeliveryDelay:
    def test_delay_is_recorded_without_suppression(self) -> None:
        """A delivery delay writes history and leaves the address deliverable."""
        decision = apply(fresh(), record(FeedbackKind.DELIVERY_DELAY, status="4.4.1"))

        assert decision.action == "delay_recorded"
        assert not decision.state.suppressed
        assert decision.state.soft_bounce_days == ()
        assert decision.state.last_event_at == T0
        assert decision.evidence["status"] == "4.4.1"


class TestSilentKinds:
    @pytest.mark.parametrize(
        "kind",
        [
            FeedbackKind.SEND,
            FeedbackKind.REJECT,
            FeedbackKind.OPEN,
            FeedbackKind.CLICK,
            FeedbackKind.RENDERING_FAILURE,
            FeedbackKind.SUBSCRIPTION,
            FeedbackKind.UNKNOWN,
        ],
    )
    def test_no_change_and_no_history(self, kind: FeedbackKind) -> None:
        """Engagement and sending events leave the state untouched with no action."""
        state = SuppressionState(email=EMAIL, soft_bounce_days=(T0.date(),))

        decision = apply(state, record(kind, day(1)))

        assert decision == Decision(state=state, action=None)


class TestDeterminism:
    def test_replay_gives_the_same_states(self) -> None:
        """The same records replayed give equal decisions, independent of the clock."""
        records = [soft(day(0)), soft(day(2)), complaint("not-spam", when=day(3))]

        assert replay(records) == replay(records)

"""Exactly-once ingest of SNS messages and their suppression decisions."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from snsreceiver.ses.records import FeedbackRecord
from snsreceiver.store import IncomingMessage, Store, create_engine
from snsreceiver.store.schema import feedback_seen, history, sns_messages, subscriptions
from snsreceiver.suppression.state import Decision, SuppressionState
from tests.store.helpers import (
    T0,
    TOPIC,
    CountingPolicy,
    FailingPolicy,
    bounce,
    complaint,
    days,
    delivery,
    message,
)

ADDRESS = "someone@example.com"


async def count(store: Store, table: object) -> int:
    async with store.engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).select_from(table)) or 0
        )


class TestIngest:
    async def test_stores_message_and_decision(self, fresh_store: Store) -> None:
        """The raw message is kept and the policy's decision becomes the state."""
        sent = message(raw='{"Message": "bounce"}')

        result = await fresh_store.ingest(
            sent, [bounce(ADDRESS)], CountingPolicy(), outcome="processed"
        )

        assert result.duplicate is False
        assert (result.records_applied, result.records_skipped) == (1, 0)
        assert result.actions == ["suppressed"]
        status = await fresh_store.get_status(ADDRESS)
        assert status.suppressed is True
        assert status.reason == "bounce"
        assert status.since == T0
        async with fresh_store.engine.connect() as connection:
            row = (await connection.execute(select(sns_messages))).one()
        assert (row.message_id, row.raw, row.outcome) == (
            sent.message_id,
            '{"Message": "bounce"}',
            "processed",
        )
        assert row.sent_at == T0

    async def test_round_trips_every_state_field(self, fresh_store: Store) -> None:
        """Every field a decision sets, soft bounce days included, reads back equal."""
        wanted = SuppressionState(
            email=ADDRESS,
            suppressed=True,
            reason=None,
            since=T0,
            first_event_at=T0 - days(3),
            last_event_at=T0 + days(1),
            soft_bounce_days=((T0 - days(2)).date(), T0.date()),
            ses_suppressed=True,
        )

        class Fixed:
            def decide(
                self, state: SuppressionState, record: object, *, sns_message_id: str
            ) -> Decision:
                return Decision(wanted, "set", evidence={"at": T0, "n": [1, 2]})

        await fresh_store.ingest(message(), [bounce(ADDRESS)], Fixed(), outcome="ok")

        status = await fresh_store.get_status(ADDRESS)
        assert status.first_event_at == wanted.first_event_at
        assert status.last_event_at == wanted.last_event_at
        assert status.soft_bounce_days == wanted.soft_bounce_days
        assert status.soft_bounce_count == 2
        assert status.ses_suppressed is True
        assert status.history[0].evidence == {"at": T0.isoformat(), "n": [1, 2]}

    async def test_state_is_passed_back_to_the_policy(self, fresh_store: Store) -> None:
        """Soft bounces on three days, in three messages, add up to a suppression."""
        policy = CountingPolicy(soft_threshold=3)

        for day in range(3):
            record = bounce(ADDRESS, bounce_type="Transient", at=T0 + days(day))
            await fresh_store.ingest(message(), [record], policy, outcome="ok")

        status = await fresh_store.get_status(ADDRESS)
        assert status.soft_bounce_count == 3
        assert (status.suppressed, status.reason) == (True, "soft_bounce")
        assert [entry.action for entry in status.history] == ["soft_bounce_counted"] * 3

    async def test_no_history_without_action(self, fresh_store: Store) -> None:
        """A decision without an action updates the state but writes no history."""
        await fresh_store.ingest(
            message(), [delivery(ADDRESS)], CountingPolicy(), outcome="ok"
        )

        status = await fresh_store.get_status(ADDRESS)
        assert status.history == []
        assert status.last_event_at == T0

    async def test_complaint_unsubscribes_the_signup(self, fresh_store: Store) -> None:
        """A decision asking for it marks the address's signup unsubscribed."""
        await fresh_store.upsert_signup(ADDRESS, status="subscribed", source="launch")

        await fresh_store.ingest(
            message(), [complaint(ADDRESS)], CountingPolicy(), outcome="ok"
        )

        signup = await fresh_store.get_signup(ADDRESS)
        assert signup is not None
        assert signup.status == "unsubscribed"
        assert signup.source == "launch"

    async def test_complaint_without_signup_creates_none(
        self, fresh_store: Store
    ) -> None:
        """Unsubscribing an address that never signed up adds no signup."""
        await fresh_store.ingest(
            message(), [complaint(ADDRESS)], CountingPolicy(), outcome="ok"
        )

        assert await fresh_store.get_signup(ADDRESS) is None

    async def test_history_records_actor_and_message(self, fresh_store: Store) -> None:
        """History entries from SNS name the actor sns and the SNS MessageId."""
        sent = message()

        await fresh_store.ingest(
            sent, [bounce(ADDRESS)], CountingPolicy(), outcome="ok"
        )

        (entry,) = (await fresh_store.get_status(ADDRESS)).history
        assert (entry.actor, entry.sns_message_id, entry.reason) == (
            "sns",
            sent.message_id,
            "bounce",
        )
        assert entry.evidence["sns_message_id"] == sent.message_id


class TestExactlyOnce:
    async def test_same_message_id_changes_nothing(self, fresh_store: Store) -> None:
        """A redelivered MessageId is reported as duplicate and applies nothing."""
        sent = message("the-one")
        policy = CountingPolicy()
        await fresh_store.ingest(
            sent, [bounce(ADDRESS, bounce_type="Transient")], policy, outcome="ok"
        )

        again = await fresh_store.ingest(
            replace(sent, raw="different"),
            [bounce(ADDRESS, bounce_type="Transient", at=T0 + days(1))],
            policy,
            outcome="ok",
        )

        assert again.duplicate is True
        assert again.records_applied == 0
        status = await fresh_store.get_status(ADDRESS)
        assert status.soft_bounce_count == 1
        assert len(status.history) == 1
        assert await count(fresh_store, sns_messages) == 1

    async def test_same_event_in_two_messages_counts_once(
        self, fresh_store: Store
    ) -> None:
        """The same feedbackId and recipient in both dialects is applied once."""
        first = bounce(ADDRESS, bounce_type="Transient", feedback_id="fb-shared")
        second = replace(first, dialect="event")
        policy = CountingPolicy()

        await fresh_store.ingest(message(), [first], policy, outcome="ok")
        result = await fresh_store.ingest(message(), [second], policy, outcome="ok")

        assert (result.duplicate, result.records_applied, result.records_skipped) == (
            False,
            0,
            1,
        )
        assert (await fresh_store.get_status(ADDRESS)).soft_bounce_count == 1
        assert await count(fresh_store, sns_messages) == 2

    async def test_failing_policy_rolls_back_everything(
        self, fresh_store: Store
    ) -> None:
        """When the policy fails mid-message nothing of the message is kept."""
        sent = message()
        records = [
            bounce(ADDRESS),
            bounce("other@example.com"),
            bounce("third@example.com"),
        ]

        with pytest.raises(RuntimeError, match="policy broke"):
            await fresh_store.ingest(
                sent, records, FailingPolicy(fail_at=2), outcome="ok"
            )

        assert (await fresh_store.get_status(ADDRESS)).suppressed is False
        assert (await fresh_store.get_status(ADDRESS)).history == []
        for table in (sns_messages, feedback_seen, history):
            assert await count(fresh_store, table) == 0

        retried = await fresh_store.ingest(
            sent, records, CountingPolicy(), outcome="ok"
        )
        assert (retried.duplicate, retried.records_applied) == (False, 3)

    async def test_database_error_rolls_back_everything(
        self, fresh_store: Store
    ) -> None:
        """A decision the database refuses leaves no trace of the message."""

        class Broken:
            def decide(
                self, state: SuppressionState, record: object, *, sns_message_id: str
            ) -> Decision:
                return Decision(replace(state, suppressed=True, since=None), "broken")

        with pytest.raises(IntegrityError):
            await fresh_store.ingest(
                message(), [bounce(ADDRESS)], Broken(), outcome="ok"
            )

        for table in (sns_messages, feedback_seen, history):
            assert await count(fresh_store, table) == 0


class TestConcurrency:
    async def test_simultaneous_deliveries_lose_no_update(
        self, fresh_store: Store, database_url: str
    ) -> None:
        """Sixty deliveries for one address at once, from two engines, all count."""
        other_engine = create_engine(database_url)
        replicas = [fresh_store, Store(other_engine)]
        policy = CountingPolicy(soft_threshold=1000)
        deliveries = 60

        try:
            results = await asyncio.gather(
                *(
                    replicas[n % 2].ingest(
                        message(),
                        [bounce(ADDRESS, bounce_type="Transient", at=T0 + days(n))],
                        policy,
                        outcome="ok",
                    )
                    for n in range(deliveries)
                )
            )
        finally:
            await other_engine.dispose()

        assert all(result.records_applied == 1 for result in results)
        status = await fresh_store.get_status(ADDRESS)
        assert status.soft_bounce_count == deliveries
        assert len(set(status.soft_bounce_days)) == deliveries
        assert len(status.history) == deliveries

    async def test_opposite_record_orders_do_not_deadlock(
        self, fresh_store: Store
    ) -> None:
        """Messages naming two addresses in opposite orders all commit."""
        policy = CountingPolicy(soft_threshold=1000)

        def records(n: int) -> list[FeedbackRecord]:
            at = T0 + days(n)
            pair = [
                bounce("a@example.com", bounce_type="Transient", at=at),
                bounce("b@example.com", bounce_type="Transient", at=at),
            ]
            return pair if n % 2 else pair[::-1]

        await asyncio.gather(
            *(
                fresh_store.ingest(message(), records(n), policy, outcome="ok")
                for n in range(30)
            )
        )

        for email in ("a@example.com", "b@example.com"):
            assert (await fresh_store.get_status(email)).soft_bounce_count == 30

    async def test_simultaneous_redeliveries_apply_once(
        self, fresh_store: Store
    ) -> None:
        """The same MessageId delivered twenty times at once is applied once."""
        sent = message()
        record = bounce(ADDRESS, bounce_type="Transient")

        results = await asyncio.gather(
            *(
                fresh_store.ingest(sent, [record], CountingPolicy(), outcome="ok")
                for _ in range(20)
            )
        )

        assert sorted(result.duplicate for result in results) == [False] + [True] * 19
        assert (await fresh_store.get_status(ADDRESS)).soft_bounce_count == 1


class TestStoredMessages:
    async def test_iterates_every_message_in_arrival_order(
        self, fresh_store: Store
    ) -> None:
        """Every stored message comes back once, raw body intact, across batches."""
        clock = iter(T0 + days(n // 2) for n in range(100))
        store = Store(fresh_store.engine, clock=lambda: next(clock))
        sent = [message(raw=f'{{"n": {n}}}') for n in range(7)]
        for incoming in sent:
            await store.ingest(incoming, [], CountingPolicy(), outcome="ignored")

        stored = [m async for m in store.iter_messages(batch_size=2)]

        assert [m.raw for m in stored] == [m.raw for m in sent]
        assert [m.received_at for m in stored] == [T0 + days(n // 2) for n in range(7)]
        assert {m.outcome for m in stored} == {"ignored"}

    async def test_since_selects_later_messages(self, fresh_store: Store) -> None:
        """Only messages received at or after since are returned."""
        clock = iter([T0, T0 + days(1), T0 + days(2)])
        store = Store(fresh_store.engine, clock=lambda: next(clock))
        for _ in range(3):
            await store.ingest(message(), [], CountingPolicy(), outcome="ok")

        stored = [m async for m in store.iter_messages(since=T0 + days(1))]

        assert [m.received_at for m in stored] == [T0 + days(1), T0 + days(2)]


class TestSubscriptions:
    def confirmation(self, message_id: str = "sub-1") -> IncomingMessage:
        return IncomingMessage(
            message_id=message_id,
            type="SubscriptionConfirmation",
            topic_arn=TOPIC,
            sent_at=T0,
            raw="{}",
        )

    async def test_records_a_confirmation(self, fresh_store: Store) -> None:
        """A confirmation stores its message and the topic's pending subscription."""
        stored = await fresh_store.record_subscription(
            self.confirmation(),
            subscribe_url="https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
            token="tok",
            status="pending",
        )

        assert stored is True
        assert await fresh_store.get_subscription_status(TOPIC) == "pending"
        async with fresh_store.engine.connect() as connection:
            row = (await connection.execute(select(subscriptions))).one()
        assert (row.token, row.sns_message_id) == ("tok", "sub-1")

    async def test_duplicate_confirmation_changes_nothing(
        self, fresh_store: Store
    ) -> None:
        """The same confirmation MessageId twice returns False and keeps the state."""
        await fresh_store.record_subscription(
            self.confirmation(), subscribe_url=None, token=None, status="pending"
        )
        await fresh_store.mark_subscription(TOPIC, "confirmed")

        again = await fresh_store.record_subscription(
            self.confirmation(), subscribe_url=None, token=None, status="pending"
        )

        assert again is False
        assert await fresh_store.get_subscription_status(TOPIC) == "confirmed"

    async def test_later_message_updates_the_topic(self, fresh_store: Store) -> None:
        """An UnsubscribeConfirmation after a confirmation leaves one row."""
        await fresh_store.record_subscription(
            self.confirmation("sub-1"), subscribe_url=None, token=None, status="pending"
        )

        await fresh_store.record_subscription(
            self.confirmation("sub-2"),
            subscribe_url=None,
            token=None,
            status="unsubscribed",
        )

        assert await fresh_store.get_subscription_status(TOPIC) == "unsubscribed"
        assert await count(fresh_store, subscriptions) == 1

    async def test_unknown_topic_has_no_status(self, fresh_store: Store) -> None:
        """A topic never confirmed has no subscription status."""
        assert await fresh_store.get_subscription_status(TOPIC) is None

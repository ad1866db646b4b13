"""The tables of the store, described once for queries and checked against migrations.

The migrations in :mod:`snsreceiver.store.migrations` create these tables; a test
compares the two so they cannot drift apart. Every timestamp is stored in UTC and
read back as an aware datetime, whichever database holds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB

EMAIL_LENGTH = 320

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in as UTC and comes out aware, on every database.

    SQLite keeps no offset and hands back naive values; they are UTC because
    nothing else is ever written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the store")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")
Serial = BigInteger().with_variant(Integer(), "sqlite")

signups = Table(
    "signups",
    metadata,
    Column("email", String(EMAIL_LENGTH), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("source", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("email", String(EMAIL_LENGTH), primary_key=True),
    Column("suppressed", Boolean(), nullable=False),
    Column("reason", String(20), nullable=True),
    Column("since", UtcDateTime(), nullable=True),
    Column("first_event_at", UtcDateTime(), nullable=True),
    Column("last_event_at", UtcDateTime(), nullable=True),
    Column("soft_bounce_days", Json, nullable=False),
    Column("ses_suppressed", Boolean(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("NOT suppressed OR since IS NOT NULL", name="suppressed_has_since"),
    Index(None, "since", "email"),
    Index(None, "reason", "since", "email"),
)

# What a check answers for each address, kept by database triggers from the
# suppressions and signups rows of that address (migration 0004); no code writes
# it. One row per address known to either table, so a check of 1,000 addresses
# makes 1,000 lookups instead of 2,000. The primary key holds every column: a
# WITHOUT ROWID table on SQLite, INCLUDE columns on PostgreSQL. Its addresses
# compare byte by byte on both databases, which on PostgreSQL makes every search
# of the key cheaper than the default collation would (migration 0005).
MAILABILITY_COLUMNS = (
    "suppressed",
    "reason",
    "since",
    "ses_suppressed",
    "signup_status",
)
mailability = Table(
    "mailability",
    metadata,
    Column(
        "email",
        String(EMAIL_LENGTH).with_variant(
            String(EMAIL_LENGTH, collation="C"), "postgresql"
        ),
        nullable=False,
    ),
    Column("suppressed", Boolean(), nullable=False),
    Column("reason", String(20), nullable=True),
    Column("since", UtcDateTime(), nullable=True),
    Column("ses_suppressed", Boolean(), nullable=False),
    Column("signup_status", String(20), nullable=True),
    PrimaryKeyConstraint(
        "email", name="pk_mailability", postgresql_include=list(MAILABILITY_COLUMNS)
    ),
    sqlite_with_rowid=False,
)

history = Table(
    "history",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("email", String(EMAIL_LENGTH), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("action", String(50), nullable=False),
    Column("reason", String(20), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("note", Text(), nullable=True),
    Column("evidence", Json, nullable=False),
    Column("sns_message_id", String(100), nullable=True),
    Index(None, "email", "id"),
    # What each stored message wrote, for `snsreceiver fixtures export`.
    Index(None, "sns_message_id"),
)

sns_messages = Table(
    "sns_messages",
    metadata,
    Column("message_id", String(100), primary_key=True),
    Column("type", String(40), nullable=False),
    Column("topic_arn", String(300), nullable=False),
    Column("subject", Text(), nullable=True),
    Column("sent_at", UtcDateTime(), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("raw", Text(), nullable=False),
    Column("outcome", String(40), nullable=False),
    Index(None, "received_at", "message_id"),
    # The order, and the Timestamp range, of `snsreceiver fixtures export`.
    Index(None, "sent_at", "message_id"),
)

feedback_seen = Table(
    "feedback_seen",
    metadata,
    Column("dedup_key", String(700), primary_key=True),
    Column("sns_message_id", String(100), nullable=False),
    Column("seen_at", UtcDateTime(), nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("topic_arn", String(300), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("subscribe_url", Text(), nullable=True),
    Column("token", Text(), nullable=True),
    Column("sns_message_id", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("scope", String(10), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("last_used_at", UtcDateTime(), nullable=True),
)

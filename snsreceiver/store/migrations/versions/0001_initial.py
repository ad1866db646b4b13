"""The initial store: signups, suppressions, history, SNS messages and tokens.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

EMAIL = sa.String(320)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "signups",
        sa.Column("email", EMAIL, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.PrimaryKeyConstraint("email", name="pk_signups"),
    )

    op.create_table(
        "suppressions",
        sa.Column("email", EMAIL, nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        timestamp("since", nullable=True),
        timestamp("first_event_at", nullable=True),
        timestamp("last_event_at", nullable=True),
        sa.Column("soft_bounce_days", JSON, nullable=False),
        sa.Column("ses_suppressed", sa.Boolean(), nullable=False),
        timestamp("updated_at"),
        sa.PrimaryKeyConstraint("email", name="pk_suppressions"),
        sa.CheckConstraint(
            "NOT suppressed OR since IS NOT NULL",
            name="ck_suppressions_suppressed_has_since",
        ),
    )
    op.create_index("ix_suppressions_since_email", "suppressions", ["since", "email"])
    op.create_index(
        "ix_suppressions_reason_since_email",
        "suppressions",
        ["reason", "since", "email"],
    )

    op.create_table(
        "history",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("email", EMAIL, nullable=False),
        timestamp("at"),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("sns_message_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_history"),
    )
    op.create_index("ix_history_email_id", "history", ["email", "id"])
    forbid_history_rewrites()

    op.create_table(
        "sns_messages",
        sa.Column("message_id", sa.String(100), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("topic_arn", sa.String(300), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        timestamp("sent_at"),
        timestamp("received_at"),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_sns_messages"),
    )
    op.create_index("ix_sns_messages_received_at", "sns_messages", ["received_at"])

    op.create_table(
        "feedback_seen",
        sa.Column("dedup_key", sa.String(700), nullable=False),
        sa.Column("sns_message_id", sa.String(100), nullable=False),
        timestamp("seen_at"),
        sa.PrimaryKeyConstraint("dedup_key", name="pk_feedback_seen"),
    )

    op.create_table(
        "subscriptions",
        sa.Column("topic_arn", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("subscribe_url", sa.Text(), nullable=True),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("sns_message_id", sa.String(100), nullable=False),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.PrimaryKeyConstraint("topic_arn", name="pk_subscriptions"),
    )

    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        timestamp("created_at"),
        timestamp("revoked_at", nullable=True),
        timestamp("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )


def forbid_history_rewrites() -> None:
    """Makes the database itself refuse UPDATE and DELETE on the history."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION history_is_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'history is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history "
            "FOR EACH ROW EXECUTE FUNCTION history_is_append_only()"
        )
        return

    for statement in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER history_no_{statement.lower()} BEFORE {statement} "
            "ON history BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
        )


def downgrade() -> None:
    for table in (
        "api_tokens",
        "subscriptions",
        "feedback_seen",
        "sns_messages",
        "history",
        "suppressions",
        "signups",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS history_is_append_only()")

"""Index stored SNS messages by arrival and MessageId, for replay in order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("ix_sns_messages_received_at", table_name="sns_messages")
    op.create_index(
        "ix_sns_messages_received_at_message_id",
        "sns_messages",
        ["received_at", "message_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_sns_messages_received_at_message_id", table_name="sns_messages")
    op.create_index("ix_sns_messages_received_at", "sns_messages", ["received_at"])

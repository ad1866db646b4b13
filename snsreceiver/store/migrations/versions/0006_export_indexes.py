"""Index stored messages by Timestamp, and history entries by message.

``snsreceiver fixtures export`` reads stored messages in keyset batches ordered
by ``(sent_at, message_id)``, the message's own Timestamp, and then the history
entries each batch wrote. Without these two indexes every batch sorted the
whole ``sns_messages`` table and scanned the whole ``history`` table, so an
export's cost grew with the square of the store's size.

Building an index blocks writes to its table until it is done (under two
seconds for a million history entries on the build machine); the webhook's
deliveries wait for it, up to SNSRECEIVER_DELIVERY_TIMEOUT, and SNS retries
those that time out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_sns_messages_sent_at_message_id",
        "sns_messages",
        ["sent_at", "message_id"],
    )
    op.create_index("ix_history_sns_message_id", "history", ["sns_message_id"])


def downgrade() -> None:
    op.drop_index("ix_history_sns_message_id", table_name="history")
    op.drop_index("ix_sns_messages_sent_at_message_id", table_name="sns_messages")

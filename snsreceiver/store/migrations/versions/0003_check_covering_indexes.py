"""Index the columns a check answers with, so it never reads the tables' rows.

A check of 1,000 addresses makes 2,000 lookups by address. With these indexes
each lookup ends in the index (SQLite's covering index, PostgreSQL's index-only
scan) instead of going on to the table's row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

SUPPRESSIONS_INDEX = "ix_suppressions_email_suppressed_reason_since_ses_suppressed"
SIGNUPS_INDEX = "ix_signups_email_status"


def upgrade() -> None:
    op.create_index(
        SUPPRESSIONS_INDEX,
        "suppressions",
        ["email", "suppressed", "reason", "since", "ses_suppressed"],
    )
    op.create_index(SIGNUPS_INDEX, "signups", ["email", "status"])


def downgrade() -> None:
    op.drop_index(SIGNUPS_INDEX, table_name="signups")
    op.drop_index(SUPPRESSIONS_INDEX, table_name="suppressions")

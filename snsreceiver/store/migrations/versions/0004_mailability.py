"""Keep one row per address with what a check answers, maintained by triggers.

A check of 1,000 addresses used to look each address up twice, in suppressions
and in signups, through the covering indexes of 0003. The ``mailability`` table
holds both answers under one key, so it makes one lookup per address; the
indexes of 0003 had no other reader and are dropped.

The table is derived data. Triggers on suppressions and signups write it in the
same transaction as the row they follow, whichever code, bulk load or manual SQL
changed that row, so it never disagrees with them. An address is never renamed
(it is the primary key of both tables), so the triggers follow inserts,
deletes and changes of the answer's columns only. The upgrade fills the table
from the rows already there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from snsreceiver.store.schema import EMAIL_LENGTH, UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

ANSWER_COLUMNS = ["suppressed", "reason", "since", "ses_suppressed", "signup_status"]
SUPPRESSIONS_INDEX = "ix_suppressions_email_suppressed_reason_since_ses_suppressed"
SIGNUPS_INDEX = "ix_signups_email_status"

# Both tables' rows, joined by address: first every suppressions row with its
# signup if any, then the signups that have no suppressions row.
BACKFILL = [
    """
    INSERT INTO mailability
        (email, suppressed, reason, since, ses_suppressed, signup_status)
    SELECT s.email, s.suppressed, s.reason, s.since, s.ses_suppressed, g.status
    FROM suppressions AS s LEFT OUTER JOIN signups AS g ON g.email = s.email
    """,
    """
    INSERT INTO mailability
        (email, suppressed, reason, since, ses_suppressed, signup_status)
    SELECT g.email, FALSE, NULL, NULL, FALSE, g.status
    FROM signups AS g
    WHERE NOT EXISTS (SELECT 1 FROM suppressions AS s WHERE s.email = g.email)
    """,
]

# The same upserts in both dialects: SQLite calls the new row NEW and the
# conflicting insert excluded, as PostgreSQL does.
FROM_SUPPRESSION = """
    INSERT INTO mailability
        (email, suppressed, reason, since, ses_suppressed, signup_status)
    VALUES (NEW.email, NEW.suppressed, NEW.reason, NEW.since, NEW.ses_suppressed, NULL)
    ON CONFLICT (email) DO UPDATE SET
        suppressed = excluded.suppressed,
        reason = excluded.reason,
        since = excluded.since,
        ses_suppressed = excluded.ses_suppressed
"""
FROM_SIGNUP = """
    INSERT INTO mailability
        (email, suppressed, reason, since, ses_suppressed, signup_status)
    VALUES (NEW.email, FALSE, NULL, NULL, FALSE, NEW.status)
    ON CONFLICT (email) DO UPDATE SET signup_status = excluded.signup_status
"""
# A deleted row takes its part of the answer with it, and the address's row
# goes when neither table knows the address any more.
SUPPRESSION_GONE = """
    UPDATE mailability
    SET suppressed = FALSE, reason = NULL, since = NULL, ses_suppressed = FALSE
    WHERE email = OLD.email;
    DELETE FROM mailability
    WHERE email = OLD.email
      AND NOT EXISTS (SELECT 1 FROM signups WHERE signups.email = OLD.email)
"""
SIGNUP_GONE = """
    UPDATE mailability SET signup_status = NULL WHERE email = OLD.email;
    DELETE FROM mailability
    WHERE email = OLD.email
      AND NOT EXISTS (SELECT 1 FROM suppressions WHERE suppressions.email = OLD.email)
"""

SQLITE_TRIGGERS = {
    "mailability_suppression_insert": (
        "AFTER INSERT ON suppressions",
        FROM_SUPPRESSION,
    ),
    "mailability_suppression_update": (
        "AFTER UPDATE OF suppressed, reason, since, ses_suppressed ON suppressions",
        FROM_SUPPRESSION,
    ),
    "mailability_suppression_delete": ("AFTER DELETE ON suppressions", SUPPRESSION_GONE),
    "mailability_signup_insert": ("AFTER INSERT ON signups", FROM_SIGNUP),
    "mailability_signup_update": ("AFTER UPDATE OF status ON signups", FROM_SIGNUP),
    "mailability_signup_delete": ("AFTER DELETE ON signups", SIGNUP_GONE),
}

POSTGRESQL_FUNCTIONS = {
    "mailability_from_suppressions": (
        "AFTER INSERT OR DELETE OR UPDATE OF suppressed, reason, since, "
        "ses_suppressed ON suppressions",
        FROM_SUPPRESSION,
        SUPPRESSION_GONE,
    ),
    "mailability_from_signups": (
        "AFTER INSERT OR DELETE OR UPDATE OF status ON signups",
        FROM_SIGNUP,
        SIGNUP_GONE,
    ),
}


def upgrade() -> None:
    op.create_table(
        "mailability",
        sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("since", UtcDateTime(), nullable=True),
        sa.Column("ses_suppressed", sa.Boolean(), nullable=False),
        sa.Column("signup_status", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint(
            "email", name="pk_mailability", postgresql_include=ANSWER_COLUMNS
        ),
        sqlite_with_rowid=False,
    )
    for statement in BACKFILL:
        op.execute(statement)

    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()

    op.drop_index(SIGNUPS_INDEX, table_name="signups")
    op.drop_index(SUPPRESSIONS_INDEX, table_name="suppressions")


def downgrade() -> None:
    op.create_index(
        SUPPRESSIONS_INDEX,
        "suppressions",
        ["email", "suppressed", "reason", "since", "ses_suppressed"],
    )
    op.create_index(SIGNUPS_INDEX, "signups", ["email", "status"])

    if op.get_bind().dialect.name == "postgresql":
        for function, (events, _, _) in POSTGRESQL_FUNCTIONS.items():
            table = events.rsplit(" ON ", 1)[1]
            op.execute(f"DROP TRIGGER {function} ON {table}")
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("mailability")


def _create_sqlite_triggers() -> None:
    for trigger, (event, body) in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {trigger} {event} BEGIN {body}; END")


def _create_postgresql_triggers() -> None:
    for function, (events, upsert, gone) in POSTGRESQL_FUNCTIONS.items():
        op.execute(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    {gone};
                ELSE
                    {upsert};
                END IF;
                RETURN NULL;
            END
            $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {function} {events} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )

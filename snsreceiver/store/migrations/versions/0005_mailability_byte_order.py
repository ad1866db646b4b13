"""Compare mailability's addresses byte by byte on PostgreSQL, as SQLite does.

A check of 1,000 addresses makes 1,000 searches of ``mailability``'s primary
key. Under a database's default collation (``en_US.UTF-8``, or even
``C.UTF-8``) every comparison in those searches goes through the C library's
locale-aware ``strcoll``; under the ``"C"`` collation PostgreSQL compares with
``memcmp``. Addresses are stored normalised and are only ever compared for
equality, so the order of the key changes nothing that anyone reads, and byte
order is the order SQLite already keeps. On a store of 1.5 million addresses
the check's query took about a sixth less time (docs/benchmarks.md).

Changing a column's collation rewrites no rows, but PostgreSQL rebuilds the
primary key under an exclusive lock, and checks and the webhook's writes wait
for it: about a second for 1.5 million addresses on the build machine. SQLite
keeps its binary order and needs nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from snsreceiver.store.schema import EMAIL_LENGTH

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    _set_email_type(sa.String(EMAIL_LENGTH, collation="C"))


def downgrade() -> None:
    # Without a COLLATE clause the column takes the database's default again.
    _set_email_type(sa.String(EMAIL_LENGTH))


def _set_email_type(email_type: sa.String) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "mailability",
        "email",
        type_=email_type,
        existing_type=sa.String(EMAIL_LENGTH),
        existing_nullable=False,
    )

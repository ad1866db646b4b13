"""The mailability table, which database triggers keep from suppressions and signups."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from snsreceiver.store import Store, upgrade
from snsreceiver.store import base as store_base
from snsreceiver.store.engine import alembic_config
from snsreceiver.store.models import SignupImportRow
from snsreceiver.store.queries import CHECK_QUERY
from snsreceiver.store.schema import mailability, signups, suppressions
from tests.store.helpers import T0, CountingPolicy, bounce, complaint, days, message

POLICY = CountingPolicy()


async def table_rows(engine: AsyncEngine) -> dict[str, tuple[Any, ...]]:
    """The mailability rows by address, booleans as booleans."""
    async with engine.connect() as connection:
        rows = (await connection.execute(select(mailability))).all()
    return {
        row.email: (
            bool(row.suppressed),
            row.reason,
            row.since,
            bool(row.ses_suppressed),
            row.signup_status,
        )
        for row in rows
    }


async def derived_rows(engine: AsyncEngine) -> dict[str, tuple[Any, ...]]:
    """What mailability must hold: both tables' rows joined by address."""
    async with engine.connect() as connection:
        found = (await connection.execute(select(suppressions))).all()
        statuses = {
            row.email: row.status
            for row in (await connection.execute(select(signups))).all()
        }
    expected: dict[str, tuple[Any, ...]] = {
        email: (False, None, None, False, status) for email, status in statuses.items()
    }
    for row in found:
        expected[row.email] = (
            bool(row.suppressed),
            row.reason,
            row.since,
            bool(row.ses_suppressed),
            statuses.get(row.email),
        )
    return expected


class TestTriggers:
    async def test_every_write_path_keeps_it_equal_to_the_tables(
        self, fresh_store: Store, engine: AsyncEngine
    ) -> None:
        """Ingest, manual changes, signups and imports all show in mailability."""
        await fresh_store.ingest(
            message(),
            [
                bounce("bounced@example.com", at=T0),
                complaint("complained@example.com", at=T0 + days(1)),
                bounce("soft@example.com", at=T0, bounce_type="Transient"),
            ],
            POLICY,
            outcome="ok",
        )
        await fresh_store.suppress_manually(
            "manual@example.com", note="asked", actor="t"
        )
        await fresh_store.ingest(
            message(), [bounce("lifted@example.com", at=T0)], POLICY, outcome="ok"
        )
        await fresh_store.unsuppress("lifted@example.com", note="fixed", actor="t")
        await fresh_store.upsert_signup("bounced@example.com", status="subscribed")
        await fresh_store.upsert_signup("only-signup@example.com", status="subscribed")
        await fresh_store.upsert_signup(
            "only-signup@example.com", status="unsubscribed"
        )
        await fresh_store.import_signups(
            [
                SignupImportRow("imported@example.com"),
                SignupImportRow("manual@example.com", status="unsubscribed"),
            ]
        )

        rows = await table_rows(engine)

        assert rows == await derived_rows(engine)
        assert rows["bounced@example.com"][:2] == (True, "bounce")
        assert rows["bounced@example.com"][4] == "subscribed"
        assert rows["lifted@example.com"][0] is False
        assert rows["only-signup@example.com"] == (
            False,
            None,
            None,
            False,
            "unsubscribed",
        )
        assert rows["manual@example.com"][1:5:3] == ("manual", "unsubscribed")
        assert isinstance(rows["complained@example.com"][2], datetime)

    async def test_deleted_rows_leave_it_too(
        self, fresh_store: Store, engine: AsyncEngine
    ) -> None:
        """Deleting a row clears its part; the address goes with its last row."""
        await fresh_store.ingest(
            message(),
            [bounce("both@example.com", at=T0), bounce("alone@example.com", at=T0)],
            POLICY,
            outcome="ok",
        )
        await fresh_store.upsert_signup("both@example.com", status="subscribed")
        await fresh_store.upsert_signup("signup@example.com", status="subscribed")

        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "DELETE FROM suppressions "
                    "WHERE email IN ('both@example.com', 'alone@example.com')"
                )
            )
            await connection.execute(
                text("DELETE FROM signups WHERE email = 'signup@example.com'")
            )
        rows = await table_rows(engine)

        assert rows == {
            "both@example.com": (False, None, None, False, "subscribed"),
        }
        assert rows == await derived_rows(engine)


class TestMigration:
    async def test_upgrade_fills_it_from_the_rows_already_there(
        self, empty_engine: AsyncEngine
    ) -> None:
        """A store at 0003 with rows gets them all in mailability, and back down."""
        await upgrade(empty_engine, revision="0003")
        async with empty_engine.begin() as connection:
            for email, suppressed, reason in [
                ("a@example.com", True, "bounce"),
                ("b@example.com", False, None),
            ]:
                await connection.execute(
                    suppressions.insert().values(
                        email=email,
                        suppressed=suppressed,
                        reason=reason,
                        since=T0 if suppressed else None,
                        soft_bounce_days=[],
                        ses_suppressed=False,
                        updated_at=T0,
                    )
                )
            for email, status in [
                ("a@example.com", "subscribed"),
                ("c@example.com", "unsubscribed"),
            ]:
                await connection.execute(
                    signups.insert().values(
                        email=email, status=status, created_at=T0, updated_at=T0
                    )
                )

        await upgrade(empty_engine)
        rows = await table_rows(empty_engine)

        assert rows == {
            "a@example.com": (True, "bounce", T0, False, "subscribed"),
            "b@example.com": (False, None, None, False, None),
            "c@example.com": (False, None, None, False, "unsubscribed"),
        }

        await downgrade_to(empty_engine, "0003")
        async with empty_engine.begin() as connection:
            await connection.execute(
                signups.insert().values(
                    email="d@example.com",
                    status="subscribed",
                    created_at=T0,
                    updated_at=T0,
                )
            )
        await upgrade(empty_engine)

        assert (await table_rows(empty_engine))["d@example.com"][4] == "subscribed"


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    """Runs the downgrades down to ``revision``, as ``alembic downgrade`` would."""
    config = alembic_config()

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def email_collation(engine: AsyncEngine) -> str | None:
    """How mailability compares addresses: a collation name, None for the default.

    SQLite compares with BINARY unless the column names another collation.
    """
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return await connection.scalar(
                text(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'mailability' AND column_name = 'email'"
                )
            )
        created = await connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'mailability'")
        )
    return None if "COLLATE" in created.upper() else "BINARY"


async def check_plan(engine: AsyncEngine) -> str:
    """The plan of the check's query, with sequential scans priced out of it.

    PostgreSQL reads a table this small from end to end however good its
    indexes are, so the plan is asked for with ``enable_seqscan`` off: a scan of
    the primary key then shows that the key can answer the query at all.
    """
    async with engine.connect() as connection:
        sql = CHECK_QUERY.sql(connection)
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if engine.dialect.name == "postgresql":
            await driver.execute("SET enable_seqscan = off")
            rows = await driver.fetch(f"EXPLAIN {sql}", ["a@example.com"])
            await driver.execute("RESET enable_seqscan")
            return "\n".join(row[0] for row in rows)
        rows = await driver.execute_fetchall(
            f"EXPLAIN QUERY PLAN {sql}", (json.dumps(["a@example.com"]),)
        )
        return "\n".join(str(row[-1]) for row in rows)


class TestByteOrder:
    async def test_addresses_compare_byte_by_byte(self, engine: AsyncEngine) -> None:
        """PostgreSQL compares mailability's addresses in the C collation."""
        expected = "C" if engine.dialect.name == "postgresql" else "BINARY"

        assert await email_collation(engine) == expected

    async def test_the_check_searches_the_primary_key(
        self, engine: AsyncEngine
    ) -> None:
        """The list of addresses, bound as one parameter, can use the key."""
        plan = await check_plan(engine)

        if engine.dialect.name == "postgresql":
            assert "Index Only Scan using pk_mailability" in plan
        else:
            assert "SEARCH mailability USING PRIMARY KEY (email=?)" in plan

    async def test_migration_0005_sets_and_resets_the_collation(
        self, empty_engine: AsyncEngine
    ) -> None:
        """Up sets the C collation, down returns to the default; rows stay put."""
        before = None if empty_engine.dialect.name == "postgresql" else "BINARY"
        after = "C" if empty_engine.dialect.name == "postgresql" else "BINARY"
        await upgrade(empty_engine, revision="0004")
        store = Store(empty_engine)
        await store.upsert_signup("a@example.com", status="subscribed")
        assert await email_collation(empty_engine) == before

        await upgrade(empty_engine)
        assert await email_collation(empty_engine) == after
        [answer] = await store.check(["a@example.com"])
        assert answer.signup_status == "subscribed"

        await downgrade_to(empty_engine, "0004")
        assert await email_collation(empty_engine) == before
        assert (await table_rows(empty_engine))["a@example.com"][4] == "subscribed"


class TestLockOrder:
    async def test_a_complaint_and_a_signup_write_do_not_deadlock(
        self, fresh_store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A signup update arriving mid-complaint waits its turn, no deadlock.

        The complaint is held just after it locked its suppression row; the
        signup update for the same address starts then, and both must finish.
        """
        await fresh_store.upsert_signup("both@example.com", status="subscribed")
        locked, release = asyncio.Event(), asyncio.Event()

        async def held_lock_state(*args: Any, **kwargs: Any) -> Any:
            state = await store_base.lock_state(*args, **kwargs)
            locked.set()
            await release.wait()
            return state

        monkeypatch.setattr(
            "snsreceiver.store.ingest.lock_state", held_lock_state, raising=True
        )

        complaint_done = asyncio.create_task(
            fresh_store.ingest(
                message(),
                [complaint("both@example.com", at=T0)],
                POLICY,
                outcome="ok",
            )
        )
        await asyncio.wait_for(locked.wait(), 10)
        signup_done = asyncio.create_task(
            fresh_store.upsert_signup("both@example.com", status="subscribed")
        )
        await asyncio.sleep(0.3)
        release.set()
        await asyncio.wait_for(asyncio.gather(complaint_done, signup_done), 20)

        status = await fresh_store.get_status("both@example.com")
        assert status.suppressed is True
        assert status.signup is not None
        assert status.signup.status == "subscribed"

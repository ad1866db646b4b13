"""The operator side under load: a million suppressions and a million signups.

Builds (or reuses) a SQLite store with ``--suppressions`` suppressed addresses, one
history entry each, and ``--signups`` signups, half of them for suppressed
addresses; then measures in this process:

- ``Store.get_status`` and ``GET /v1/suppressions/{email}``: latency of one lookup;
- ``Store.check`` and ``POST /v1/suppressions/check``: 1,000 addresses at once;
- ``GET /v1/suppressions?format=csv``: the full export streamed through the real
  ASGI app to a sink that only counts bytes, while a sampler reads the process's
  resident memory every few milliseconds.

Run: ``python -m bench operator`` with the defaults, or ``python -m bench.operator
[--db FILE] [--reuse] ...`` to keep the store for a second run (building it takes
about half a minute and 780 MiB of disk).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings
from snsreceiver.store import Store, create_engine, upgrade

START = datetime(2024, 1, 1, tzinfo=UTC)
REASONS = ("bounce", "bounce", "bounce", "complaint", "soft_bounce", "manual")
BATCH = 50_000
PAGE_SIZE = 4096
BENCH_TOPIC = "arn:aws:sns:eu-west-1:123456789012:bench"


def suppressed_email(i: int) -> str:
    return f"user{i:07d}@example.com"


def signup_email(i: int, suppressions: int) -> str:
    """Half the signups are suppressed addresses, half are addresses of their own."""
    if i % 2 == 0 and i // 2 < suppressions:
        return suppressed_email(i // 2)
    return f"signup{i:07d}@example.org"


def sqlite_time(moment: datetime) -> str:
    """The text form the store's SQLite columns hold: naive UTC, microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


SUPPRESSION_COLUMNS = [
    "email",
    "suppressed",
    "reason",
    "since",
    "first_event_at",
    "last_event_at",
    "soft_bounce_days",
    "ses_suppressed",
    "updated_at",
]
HISTORY_COLUMNS = [
    "email",
    "at",
    "action",
    "reason",
    "actor",
    "note",
    "evidence",
    "sns_message_id",
]
SIGNUP_COLUMNS = ["email", "status", "source", "created_at", "updated_at"]


def build(path: Path, suppressions: int, signups: int) -> None:
    """Migrates an empty SQLite file and bulk-loads it with plain sqlite3."""
    path.unlink(missing_ok=True)
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        for table, columns, rows in _tables(suppressions, signups, sqlite_time):
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            # The table and column names are this file's own constants.
            statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            for batch in _batches(rows):
                connection.executemany(statement, batch)
    connection.execute("ANALYZE")
    connection.close()


async def build_postgres(url: str, suppressions: int, signups: int) -> None:
    """Migrates the database at ``url``, empties it, and fills it with COPY."""
    import asyncpg  # the store's own PostgreSQL driver

    await upgrade(url)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            "TRUNCATE history, signups, suppressions, mailability, api_tokens, "
            "sns_messages"
        )
        for table, columns, rows in _tables(suppressions, signups, _unchanged):
            for batch in _batches(rows):
                await connection.copy_records_to_table(
                    table, records=batch, columns=columns
                )
        # Loading signups rewrites the mailability rows of suppressed addresses,
        # and every such update adds an entry to the table's primary key, which
        # holds all its columns; the key ends at twice its size. Rebuilt, as
        # docs/deploy.md advises after a bulk import.
        await connection.execute("REINDEX INDEX pk_mailability")
        # As autovacuum would in a live store: statistics, and the visibility
        # map that lets a check read its answers from the indexes alone.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def _unchanged(moment: datetime) -> datetime:
    return moment


def _tables(
    suppressions: int, signups: int, when: Callable[[datetime], Any]
) -> list[tuple[str, list[str], Iterator[tuple[Any, ...]]]]:
    return [
        ("suppressions", SUPPRESSION_COLUMNS, _suppression_rows(suppressions, when)),
        ("history", HISTORY_COLUMNS, _history_rows(suppressions, when)),
        ("signups", SIGNUP_COLUMNS, _signup_rows(signups, suppressions, when)),
    ]


def _since(i: int) -> datetime:
    return START + timedelta(seconds=30 * i)


def _suppression_rows(
    n: int, when: Callable[[datetime], Any]
) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        at = when(_since(i))
        reason = REASONS[i % len(REASONS)]
        yield (suppressed_email(i), True, reason, at, at, at, "[]", i % 50 == 0, at)


def _history_rows(n: int, when: Callable[[datetime], Any]) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        evidence = json.dumps(
            {"feedback_id": f"fb-{i}", "status": "5.1.1", "diagnostic_code": "550"}
        )
        reason = REASONS[i % len(REASONS)]
        at = when(_since(i))
        yield (
            suppressed_email(i),
            at,
            "suppressed",
            reason,
            "sns",
            None,
            evidence,
            f"msg-{i}",
        )


def _signup_rows(
    n: int, suppressions: int, when: Callable[[datetime], Any]
) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        at = when(START + timedelta(seconds=17 * i))
        yield (signup_email(i, suppressions), "subscribed", "bench", at, at)


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Timing:
    name: str
    samples: list[float]

    def line(self) -> str:
        ordered = sorted(self.samples)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"| {self.name} | {len(ordered)} | {statistics.median(ordered) * 1000:.2f} "
            f"| {p99 * 1000:.2f} | {ordered[-1] * 1000:.2f} |"
        )


async def timed(
    name: str, runs: int, call: Callable[[int], Awaitable[object]]
) -> Timing:
    await call(0)  # compiles and caches the statements; not counted
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        await call(run)
        samples.append(time.perf_counter() - started)
    return Timing(name, samples)


def rss_bytes() -> int:
    """The process's resident memory now, from /proc (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * PAGE_SIZE


@asynccontextmanager
async def sampling_rss(interval: float) -> AsyncIterator[list[int]]:
    """Samples the resident memory into a list while the block runs."""
    samples: list[int] = [rss_bytes()]

    async def sample() -> None:
        while True:
            await asyncio.sleep(interval)
            samples.append(rss_bytes())

    task = asyncio.create_task(sample())
    try:
        yield samples
    finally:
        task.cancel()
        samples.append(rss_bytes())


async def stream_export(app: Any, token: str) -> tuple[int, int]:
    """Calls the ASGI app for the CSV export and counts what it sends, keeping none.

    httpx's ASGI transport would collect the whole body in memory, which is the
    very thing this measures the server not to do; so the app is called directly.
    """
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/v1/suppressions",
        "raw_path": b"/v1/suppressions",
        "query_string": b"format=csv",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    received = {"bytes": 0, "lines": 0, "status": 0}
    requested = False
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            received["status"] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            received["bytes"] += len(body)
            received["lines"] += body.count(b"\n")
            if not message.get("more_body", False):
                finished.set()

    await app(scope, receive, send)
    if received["status"] != 200:
        raise RuntimeError(f"the export answered HTTP {received['status']}")
    return received["lines"] - 1, received["bytes"]


def pick(rng: random.Random, suppressions: int, signups: int) -> str:
    """A suppressed address, a signup, or an address never seen, by turns."""
    roll = rng.random()
    if roll < 0.5:
        return suppressed_email(rng.randrange(suppressions))
    if roll < 0.8:
        return signup_email(rng.randrange(signups), suppressions)
    return f"stranger{rng.randrange(10**9)}@example.net"


async def measure(
    url: str, suppressions: int, signups: int, lookups: int, checks: int
) -> None:
    rng = random.Random(4)
    engine = create_engine(url)
    store = Store(engine)

    probe = await store.get_status(suppressed_email(7))
    if not probe.suppressed or probe.since != _since(7):
        raise RuntimeError("the bulk-loaded rows do not read back as written")
    token = await store.create_token(f"bench-{time.time_ns()}", "read")

    singles = [pick(rng, suppressions, signups) for _ in range(lookups)]
    batches = [
        [pick(rng, suppressions, signups) for _ in range(1000)] for _ in range(checks)
    ]
    # As `snsreceiver serve` does before it serves its first request.
    gc.collect()
    gc.freeze()

    timings = [
        await timed(
            "store get_status", lookups, lambda run: store.get_status(singles[run])
        ),
        await timed(
            "store check, 1,000 addresses",
            checks,
            lambda run: store.check(batches[run]),
        ),
    ]

    app = create_app(Settings(database_url=url, topic_arns=(BENCH_TOPIC,)))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:

            async def get_status(run: int) -> None:
                response = await client.get(f"/v1/suppressions/{singles[run]}")
                response.raise_for_status()

            async def check(run: int) -> None:
                response = await client.post(
                    "/v1/suppressions/check", json={"emails": batches[run]}
                )
                response.raise_for_status()

            timings.append(
                await timed("GET /v1/suppressions/{email}", lookups, get_status)
            )
            timings.append(
                await timed("POST /v1/suppressions/check, 1,000", checks, check)
            )

        baseline = rss_bytes()
        started = time.perf_counter()
        async with sampling_rss(0.005) as samples:
            rows, size = await stream_export(manager.app, token)
        elapsed = time.perf_counter() - started

    await engine.dispose()

    print()
    print("| operation | runs | p50 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for timing in timings:
        print(timing.line())
    print()
    print(
        f"CSV export: {rows:,} rows, {size / 2**20:.0f} MiB in {elapsed:.1f} s "
        f"({rows / elapsed:,.0f} rows/s); resident memory {baseline / 2**20:.0f} MiB "
        f"before, peak {max(samples) / 2**20:.0f} MiB "
        f"(+{(max(samples) - baseline) / 2**20:.1f} MiB) over {len(samples)} samples"
    )
    if rows != suppressions:
        raise RuntimeError(f"the export had {rows} rows, expected {suppressions}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.operator", description=__doc__
    )
    parser.add_argument("--suppressions", type=int, default=1_000_000)
    parser.add_argument("--signups", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000, help="Status lookups.")
    parser.add_argument(
        "--checks", type=int, default=200, help="Checks of 1,000 addresses."
    )
    parser.add_argument("--db", type=Path, help="SQLite file to build (or --reuse).")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Also measure this PostgreSQL database (postgresql+asyncpg://...); "
        "its tables are emptied and refilled.",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Measure the stores as they are."
    )
    args = parser.parse_args(argv or [])

    with tempfile.TemporaryDirectory() as scratch:
        path = args.db or Path(scratch) / "operator-bench.db"
        targets = [("SQLite", f"sqlite+aiosqlite:///{path}")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))

        for name, url in targets:
            if not args.reuse:
                started = time.perf_counter()
                if url.startswith("sqlite"):
                    build(path, args.suppressions, args.signups)
                else:
                    asyncio.run(build_postgres(url, args.suppressions, args.signups))
                print(
                    f"{name}: loaded {args.suppressions:,} suppressions and "
                    f"{args.signups:,} signups in {time.perf_counter() - started:.0f} s"
                )
            print(f"{name}:")
            asyncio.run(
                measure(url, args.suppressions, args.signups, args.lookups, args.checks)
            )


if __name__ == "__main__":
    main(sys.argv[1:])

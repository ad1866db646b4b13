"""``status``, ``suppress``, ``unsuppress`` and ``suppressions list|export``."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings
from snsreceiver.store import Store
from snsreceiver.suppression.policy import SuppressionPolicy
from tests.cli.conftest import Cli
from tests.store.helpers import T0, bounce, complaint, message

POLICY = SuppressionPolicy.from_settings(Settings())


def bounced(cli: Cli, *emails: str, kind: str = "bounce") -> None:
    """Suppresses each address by a hard bounce (or complaint), an hour apart."""
    records = [
        (complaint if kind == "complaint" else bounce)(
            email, at=T0 + timedelta(hours=i)
        )
        for i, email in enumerate(emails)
    ]

    async def work(store: Store) -> None:
        await store.ingest(message(), records, POLICY, outcome="accepted")

    cli.with_store(work)


class TestStatus:
    def test_json_is_the_apis_document(self, cli: Cli) -> None:
        """status --json prints exactly what GET /v1/suppressions/{email} answers."""
        bounced(cli, "jane@example.com")

        async def from_api(store: Store) -> object:
            token = await store.create_token("reader", "read")
            app = create_app(Settings(database_url=cli.database_url))
            async with LifespanManager(app) as manager:
                transport = httpx.ASGITransport(app=manager.app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://t"
                ) as client:
                    response = await client.get(
                        "/v1/suppressions/jane@example.com",
                        headers={"Authorization": f"Bearer {token}"},
                    )
            return response.json()

        result = cli("status", "Jane@Example.com", "--json")

        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert document["suppressed"] is True
        assert document["reason"] == "bounce"
        assert document == cli.with_store(from_api)

    def test_text_says_why_and_since_when(self, cli: Cli) -> None:
        """Without --json the answer is for a person, history included."""
        bounced(cli, "jane@example.com")

        result = cli("status", "jane@example.com")

        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "jane@example.com: suppressed (bounce) since 2026-11-01 09:30:00+00:00"
        )
        assert "  suppressed by SES: no" in lines
        assert any("suppressed (bounce) by sns" in line for line in lines)

    def test_unknown_address_is_not_suppressed(self, cli: Cli) -> None:
        """A never-seen address is an answer, not an error."""
        result = cli("status", "nobody@example.com")

        assert result.exit_code == 0
        assert result.stdout.startswith("nobody@example.com: not suppressed\n")

    def test_bad_address_is_one_error_line(self, cli: Cli) -> None:
        """An argument that is no address ends with exit 1 and no traceback."""
        result = cli("status", "not-an-address")

        assert result.exit_code == 1
        assert result.stderr == (
            "error: 'not-an-address' is not an email address "
            "(expected local@domain.tld)\n"
        )


class TestManualChanges:
    def test_suppress_then_unsuppress_records_note_and_user(self, cli: Cli) -> None:
        """Both changes land in the history with the note and cli:$USER."""
        suppressed = cli("suppress", "jane@example.com", "--note", "asked to stop")
        lifted = cli("unsuppress", "jane@example.com", "--note", "changed her mind")

        async def history(store: Store) -> list[tuple[str, str, str | None]]:
            status = await store.get_status("jane@example.com")
            return [(e.action, e.actor, e.note) for e in status.history]

        assert suppressed.exit_code == 0, suppressed.output
        assert suppressed.stdout.startswith("jane@example.com: suppressed (manual)")
        assert lifted.exit_code == 0
        assert lifted.stdout == "jane@example.com: no longer suppressed\n"
        assert cli.with_store(history) == [
            ("suppressed", "cli:ops", "asked to stop"),
            ("unsuppressed", "cli:ops", "changed her mind"),
        ]

    def test_unsuppress_of_an_address_not_suppressed_fails(self, cli: Cli) -> None:
        """Lifting nothing is an error line and exit 1."""
        result = cli("unsuppress", "jane@example.com", "--note", "why not")

        assert result.exit_code == 1
        assert result.stderr == "error: jane@example.com is not suppressed\n"

    def test_note_is_required(self, cli: Cli) -> None:
        """suppress without --note is a usage error."""
        result = cli("suppress", "jane@example.com")

        assert result.exit_code == 2
        assert "--note" in result.output


class TestListAndExport:
    def test_list_prints_one_line_per_address(self, cli: Cli) -> None:
        """list shows address, reason and since, oldest first, and a count."""
        bounced(cli, "a@example.com", "b@example.com")
        bounced(cli, "c@example.com", kind="complaint")

        result = cli("suppressions", "list", "--reason", "bounce")

        assert result.exit_code == 0, result.output
        assert [line.split()[:2] for line in result.stdout.splitlines()] == [
            ["a@example.com", "bounce"],
            ["b@example.com", "bounce"],
        ]
        assert result.stderr == "2 suppressed addresses shown.\n"

    def test_list_limit_and_dates(self, cli: Cli) -> None:
        """--since and --limit narrow the list."""
        bounced(cli, "a@example.com", "b@example.com", "c@example.com")

        result = cli(
            "suppressions", "list", "--since", "2026-11-01T10:00:00", "--limit", "1"
        )

        assert [line.split()[0] for line in result.stdout.splitlines()] == [
            "b@example.com"
        ]

    def test_csv_export_to_a_file_matches_the_store(
        self, cli: Cli, tmp_path: Path
    ) -> None:
        """The exported rows are the store's rows, in order."""
        bounced(cli, *(f"user{i:04d}@example.com" for i in range(1100)))
        output = tmp_path / "out.csv"

        async def stored(store: Store) -> list[str]:
            return [row.email async for row in store.iter_suppressions()]

        result = cli("suppressions", "export", "--output", str(output))

        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(output.read_text())))
        assert [row["email"] for row in rows] == cli.with_store(stored)
        assert len(rows) == 1100

    def test_ndjson_export_to_standard_output(self, cli: Cli) -> None:
        """--format ndjson writes one JSON object per line."""
        bounced(cli, "a@example.com")
        bounced(cli, "b@example.com", kind="complaint")

        result = cli("suppressions", "export", "--format", "ndjson")

        assert result.exit_code == 0
        assert [json.loads(line)["reason"] for line in result.stdout.splitlines()] == [
            "bounce",
            "complaint",
        ]

    def test_unknown_format_is_refused(self, cli: Cli) -> None:
        """Only csv and ndjson are export formats."""
        result = cli("suppressions", "export", "--format", "xml")

        assert result.exit_code == 1
        assert result.stderr == "error: --format 'xml' is not one of csv, ndjson\n"

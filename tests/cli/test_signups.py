"""``snsreceiver signups import FILE.csv``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from snsreceiver.cli.signups import read_rows
from snsreceiver.store import SignupInfo, Store
from tests.cli.conftest import Cli


def signup(cli: Cli, email: str) -> SignupInfo | None:
    async def work(store: Store) -> SignupInfo | None:
        return await store.get_signup(email)

    return cli.with_store(work)


def test_import_reports_added_updated_and_each_rejection(
    cli: Cli, tmp_path: Path
) -> None:
    """Good rows are stored, bad ones named by line with their reason."""
    (tmp_path / "signups.csv").write_text(
        "Email,Status,Source\n"
        "jane@example.com,,launch-page\n"
        "not-an-address,subscribed,launch-page\n"
        "bob@example.com,unsubscribed,\n"
        "eve@example.com,maybe,import\n"
        "JANE@example.com,unsubscribed,import\n",
        encoding="utf-8",
    )

    result = cli("signups", "import", str(tmp_path / "signups.csv"))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "line 3: rejected: 'not-an-address' is not an email address",
        "line 5: rejected: signup status 'maybe' is not one of "
        "['subscribed', 'unsubscribed']",
        "signups.csv: 2 added, 1 updated, 2 rejected",
    ]
    jane = signup(cli, "jane@example.com")
    assert jane is not None
    assert (jane.status, jane.source) == ("unsubscribed", "import")
    bob = signup(cli, "bob@example.com")
    assert bob is not None
    assert (bob.status, bob.source) == ("unsubscribed", None)


def test_a_second_import_updates(cli: Cli, tmp_path: Path) -> None:
    """Importing the same file again updates every row."""
    path = tmp_path / "signups.csv"
    path.write_text("email\na@example.com\nb@example.com\n", encoding="utf-8")

    first = cli("signups", "import", str(path))
    second = cli("signups", "import", str(path))

    assert (
        first.stdout.splitlines()[-1] == "signups.csv: 2 added, 0 updated, 0 rejected"
    )
    assert second.stdout.splitlines()[-1] == (
        "signups.csv: 0 added, 2 updated, 0 rejected"
    )


def test_a_file_without_an_email_column_fails(cli: Cli, tmp_path: Path) -> None:
    """The header must name an email column."""
    path = tmp_path / "people.csv"
    path.write_text("name,mail\nJane,jane@example.com\n", encoding="utf-8")

    result = cli("signups", "import", str(path))

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: the first line must be a header")
    assert len(result.stderr.splitlines()) == 1


def test_a_missing_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    """A path that does not exist is refused before anything is read."""
    result = cli("signups", "import", str(tmp_path / "nope.csv"))

    # Click's message is drawn in a box that wraps at the terminal's width, so
    # a long temporary path can split the sentence over lines.
    words = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2
    assert "does not exist" in words


def test_rows_carry_their_line_numbers() -> None:
    """Defaults fill empty cells; a byte-order mark is no part of the header."""
    stream = io.StringIO("email,source\njane@example.com,\nbob@example.com,web\n")

    rows = list(read_rows(stream))

    assert [(r.email, r.status, r.source, r.line) for r in rows] == [
        ("jane@example.com", "subscribed", None, 2),
        ("bob@example.com", "subscribed", "web", 3),
    ]


def test_header_is_required() -> None:
    """A file whose first line names no email column is refused."""
    with pytest.raises(ValueError, match="header naming an email column"):
        list(read_rows(io.StringIO("jane@example.com\n")))


def test_a_terminal_sees_the_progress_bar(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the import draws its progress up to the last row."""
    rows = "".join(f"user{i}@example.com,subscribed,\n" for i in range(1200))
    path = tmp_path / "big.csv"
    path.write_text("email,status,source\n" + rows, encoding="utf-8")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")

    result = cli("signups", "import", str(path))

    assert result.exit_code == 0, result.output
    assert "importing big.csv" in result.stderr
    assert "1200/1200" in result.stderr
    assert result.stdout.splitlines() == ["big.csv: 1200 added, 0 updated, 0 rejected"]


def test_without_a_terminal_no_progress_is_drawn(cli: Cli, tmp_path: Path) -> None:
    """Piped output stays free of progress lines, so scripts read the summary."""
    path = tmp_path / "small.csv"
    path.write_text("email\njane@example.com\n", encoding="utf-8")

    result = cli("signups", "import", str(path))

    assert result.exit_code == 0, result.output
    assert "importing" not in result.stderr

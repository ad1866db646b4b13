"""How store commands start and fail: settings, database, one error line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from snsreceiver.cli.main import app
from snsreceiver.cli.runner import cli_actor


def test_bad_settings_exit_2_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad SNSRECEIVER_* variable is named, with exit code 2."""
    monkeypatch.setenv("SNSRECEIVER_DATABASE_URL", "mysql://db/mail")

    result = CliRunner().invoke(app, ["tokens", "list"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid settings: SNSRECEIVER_DATABASE_URL")
    assert len(result.stderr.splitlines()) == 1


def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that refuses connections ends the command in one line."""
    monkeypatch.setenv(
        "SNSRECEIVER_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    )

    result = CliRunner().invoke(app, ["status", "jane@example.com"])

    assert result.exit_code == 1
    assert result.stderr.startswith("error: the database")
    assert len(result.stderr.splitlines()) == 1


def test_a_real_process_shows_no_traceback(tmp_path: Path) -> None:
    """Run as a program, a failing command prints one line and exits 1."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'store.db'}"

    result = subprocess.run(
        [sys.executable, "-m", "snsreceiver", "tokens", "list"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SNSRECEIVER_DATABASE_URL": url},
    )

    assert result.returncode == 1
    assert result.stderr.startswith("error: the database is unavailable")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_actor_names_the_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changes from the command line are signed cli:<login name>."""
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")

    assert cli_actor() == "cli:alice"

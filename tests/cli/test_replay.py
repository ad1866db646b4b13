"""`snsreceiver replay`: its lines, its summary and its exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pytest

from snsreceiver.cli.replay import PROGRESS_FROM, run
from snsreceiver.fixtures.replay import AddressState, Observation
from tests.fixtures.helpers import FIXTURES, REPO, SYNTHETIC


def _run(*arguments: str, database: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "SNSRECEIVER_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    return subprocess.run(  # noqa: S603  # arguments are this test's literals
        [sys.executable, "-m", "snsreceiver", "replay", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=environment,
    )


def _in_process(*paths: Path, database: Path) -> subprocess.CompletedProcess[str]:
    return _run(
        *map(str, paths),
        "--in-process",
        "--env-file",
        "fixtures/replay.env",
        database=database,
    )


def _copy(name: str, folder: Path) -> Path:
    source = SYNTHETIC / f"{name}.json"
    target = folder / source.name
    shutil.copyfile(source, target)
    shutil.copyfile(
        source.with_name(source.name + ".expect"),
        target.with_name(target.name + ".expect"),
    )
    return target


class TestReplayCommand:
    def test_all_passing_exits_zero(self, tmp_path: Path) -> None:
        """Passing fixtures print pass lines and a summary, exit code 0."""
        bounce = _copy("event/bounce-permanent", tmp_path)

        result = _in_process(bounce, database=tmp_path / "r.db")

        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            f"pass {bounce} 200 accepted",
            "1 passed, 0 failed",
        ]

    def test_a_differing_outcome_fails_the_run(self, tmp_path: Path) -> None:
        """One wrong expectation: a FAIL line, the tally, and exit code 1."""
        good = _copy("event/bounce-permanent", tmp_path)
        bad = _copy("rejected/stale", tmp_path)
        expect = bad.with_name(bad.name + ".expect")
        document = json.loads(expect.read_text())
        document["error"] = "signature_invalid"
        expect.write_text(json.dumps(document))

        result = _in_process(tmp_path, database=tmp_path / "r.db")

        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            f"pass {good} 200 accepted",
            f"FAIL {bad} expected 400 signature_invalid got 400 stale_message",
            "1 passed, 1 failed",
        ]

    def test_judged_now_recorded_messages_are_stale(self, tmp_path: Path) -> None:
        """--at now judges by today's clock, long after the fixture was sent."""
        bounce = _copy("event/bounce-permanent", tmp_path)

        result = _run(
            str(bounce),
            "--in-process",
            "--at",
            "now",
            "--env-file",
            "fixtures/replay.env",
            database=tmp_path / "r.db",
        )

        assert result.returncode == 1
        assert "got 400 stale_message" in result.stdout

    def test_target_is_required(self, tmp_path: Path) -> None:
        """Neither --url nor --in-process: one error line, exit code 1."""
        result = _run(str(FIXTURES), database=tmp_path / "r.db")

        assert result.returncode == 1
        assert result.stderr.startswith("error: Choose where to replay")
        assert "Traceback" not in result.stderr

    def test_bad_moment_is_one_error_line(self, tmp_path: Path) -> None:
        """An --at that is no moment is refused before anything is sent."""
        result = _run(
            str(FIXTURES), "--in-process", "--at", "yesterday", database=tmp_path / "r"
        )

        assert result.returncode == 1
        assert result.stderr.startswith("error: --at is 'yesterday'")

    def test_unreachable_server_is_one_error_line(self, tmp_path: Path) -> None:
        """A server that is not there is reported without a traceback."""
        bounce = _copy("event/bounce-permanent", tmp_path)

        result = _run(
            str(bounce), "--url", "http://127.0.0.1:9/sns", database=tmp_path / "r"
        )

        assert result.returncode == 1
        assert result.stderr.startswith("error: http://127.0.0.1:9/sns could not")


class AcceptingTarget:
    async def send(
        self, body: bytes, headers: Mapping[str, str], at: datetime | None
    ) -> Observation:
        return Observation(200, "accepted")

    async def suppression(self, email: str) -> AddressState | None:
        return None


class TestProgress:
    async def test_terminal_gets_a_bar_and_every_line(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """On a terminal, many fixtures still print one line each under a bar."""
        paths = []
        for number in range(PROGRESS_FROM):
            path = tmp_path / f"{number:02d}-{'x' * 120}.json"
            path.write_text("{}")
            paths.append(path)
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

        summary = await run(paths, AcceptingTarget(), "now")

        output = capsys.readouterr().out
        assert summary.passed == PROGRESS_FROM
        for path in paths:
            assert f"pass {path} 200 accepted\n" in output

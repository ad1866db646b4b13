"""`snsreceiver fixtures generate` and `snsreceiver fixtures export`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from snsreceiver.fixtures.catalogue import CATALOGUE
from snsreceiver.store import Store, create_engine, upgrade
from tests.fixtures.helpers import FIXTURES, REPO, SYNTHETIC, ingest


def _run(*arguments: str, database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # arguments are this test's literals
        [sys.executable, "-m", "snsreceiver", "fixtures", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={
            "PATH": os.environ.get("PATH", ""),
            "SNSRECEIVER_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        },
    )


async def _production(database: Path) -> None:
    store = Store(create_engine(f"sqlite+aiosqlite:///{database}"))
    await upgrade(store.engine)
    for name in ("notification/bounce-permanent", "notification/delivery"):
        await ingest(store, (SYNTHETIC / f"{name}.json").read_bytes())
    await store.engine.dispose()


class TestGenerateCommand:
    def test_writes_the_catalogue(self, tmp_path: Path) -> None:
        """The command rewrites FOLDER/synthetic and says how many it wrote."""
        shutil.copytree(FIXTURES / "ses", tmp_path / "ses")
        shutil.copytree(FIXTURES / "test-key", tmp_path / "test-key")

        result = _run("generate", str(tmp_path), database=tmp_path / "unused.db")

        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{len(CATALOGUE)} fixtures written")
        assert (tmp_path / "synthetic" / "ses-topic-validated.json").is_file()


class TestExportCommand:
    async def test_exports_by_address(self, tmp_path: Path) -> None:
        """--address picks the messages about one person, with expectations."""
        database = tmp_path / "prod.db"
        await _production(database)

        result = _run(
            "export",
            str(tmp_path / "out"),
            "--address",
            "jane+notification-bounce-permanent@example.com",
            database=database,
        )

        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == (
            f"1 messages exported to {tmp_path / 'out'}"
        )
        written = sorted((tmp_path / "out").iterdir())
        assert [path.name.endswith(".expect") for path in written] == [False, True]
        assert (
            written[0].read_bytes()
            == (SYNTHETIC / "notification" / "bounce-permanent.json").read_bytes()
        )

    async def test_masked_export_hides_the_address(self, tmp_path: Path) -> None:
        """--mask leaves no original address and marks the expectation."""
        database = tmp_path / "prod.db"
        await _production(database)

        result = _run("export", str(tmp_path / "out"), "--mask", database=database)

        assert result.returncode == 0, result.stderr
        for path in (tmp_path / "out").iterdir():
            assert b"@example.com" not in path.read_bytes()
            if path.name.endswith(".expect"):
                assert json.loads(path.read_text())["resigned_with"] == "test-key"

    def test_bad_moment_is_one_usage_line(self, tmp_path: Path) -> None:
        """A --since that is no time ends in one error line and exit code 2."""
        result = _run(
            "export", str(tmp_path), "--since", "last week", database=tmp_path / "x"
        )

        assert result.returncode == 2
        assert result.stderr.startswith("error: Invalid value for '--since'")
        assert len(result.stderr.strip().splitlines()) == 1

    async def test_time_range_without_offset_is_utc(self, tmp_path: Path) -> None:
        """--since and --until without an offset select by UTC sending time."""
        database = tmp_path / "prod.db"
        await _production(database)

        result = _run(
            "export",
            str(tmp_path / "out"),
            "--since",
            "2026-11-02",
            "--until",
            "2026-11-02T09:00:30",
            database=database,
        )

        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1].startswith("1 messages exported")

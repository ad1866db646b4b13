"""The instruction count's own arithmetic and children, without valgrind."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bench import instructions
from snsreceiver.sns.testkit import TestSigner


def test_per_operation_leaves_the_setup_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run without rounds is subtracted; the rest is shared by each message."""
    setup, per_message = 5_000_000, 70_000

    def count(mode: str, rounds: int, key_file: Path, valgrind: str) -> int:
        return setup + rounds * instructions.MESSAGES * per_message

    monkeypatch.setattr(instructions, "_count", count)

    assert instructions.per_operation("verify", Path("k"), "valgrind") == per_message


def test_count_reads_callgrinds_total(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The child runs under callgrind with one hash seed; its total is read back."""
    seen: dict[str, Any] = {}

    def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        seen.update(command=command, env=options["env"])
        return subprocess.CompletedProcess(command, 0, "", "==7== Collected : 123456\n")

    monkeypatch.setattr(subprocess, "run", run)

    total = instructions._count("raw", 3, tmp_path / "key.pem", "/usr/bin/valgrind")

    assert total == 123456
    assert seen["command"][:2] == ["/usr/bin/valgrind", "--tool=callgrind"]
    assert seen["command"][-4:] == ["--child", "raw", "3", str(tmp_path / "key.pem")]
    assert seen["env"]["PYTHONHASHSEED"] == "0"


def test_failed_child_stops_with_its_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "ModuleNotFoundError: x")

    monkeypatch.setattr(subprocess, "run", run)

    with pytest.raises(SystemExit, match="ModuleNotFoundError"):
        instructions._count("verify", 0, tmp_path / "key.pem", "valgrind")


def test_without_valgrind_it_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)

    instructions.main()

    assert capsys.readouterr().out.startswith("skipped: valgrind is not installed")


def test_prints_the_overhead_beyond_rsa(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = {"verify": 400_000.0, "raw": 330_000.0}
    monkeypatch.setattr(instructions.shutil, "which", lambda name: "/bin/valgrind")
    monkeypatch.setattr(
        instructions, "per_operation", lambda mode, key, valgrind: figures[mode]
    )

    instructions.main()

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("330,000")
    assert lines[1].endswith("400,000")
    assert lines[2].split() == ["beyond", "the", "RSA", "check:", "70,000"]


def test_children_do_the_work_they_are_counted_for(
    signing_key: rsa.RSAPrivateKey,
) -> None:
    """Every message verifies in each pass, and the RSA loop checks as often."""
    signer = TestSigner(key=signing_key)

    verified = asyncio.run(instructions._verify(signer, 1))
    checked = instructions._raw(signer, 1)

    assert verified == checked == 2 * instructions.MESSAGES

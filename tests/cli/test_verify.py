"""The offline `snsreceiver verify` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from snsreceiver.cli import verify as verify_command
from snsreceiver.cli.main import app
from snsreceiver.sns.testkit import TestSigner

REAL_AWS = Path(__file__).parents[2] / "fixtures" / "real-aws"
REAL_MESSAGES = sorted(str(path) for path in REAL_AWS.glob("*.json"))


@pytest.fixture(autouse=True)
def aws_requests(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """In-process, verify fetches through a recorder that answers 503, never
    the network."""
    requests: list[httpx.Request] = []

    def unreachable(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(503)

    def offline_client() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.MockTransport(unreachable), follow_redirects=False
        )

    monkeypatch.setattr(verify_command, "aws_client", offline_client)
    return requests


@pytest.fixture
def runner() -> CliRunner:
    """Runs the Typer app in-process, keeping stdout and stderr apart."""
    return CliRunner()


def test_every_real_message_is_valid_at_its_own_time(
    runner: CliRunner, aws_requests: list[httpx.Request]
) -> None:
    """With --at message all recorded AWS messages verify and the exit is 0."""
    result = runner.invoke(
        app, ["verify", "--cert-dir", str(REAL_AWS), "--at", "message", *REAL_MESSAGES]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"valid {path}" for path in REAL_MESSAGES]
    assert aws_requests == []


def test_a_certificate_neither_pinned_nor_fetched_is_reported(
    runner: CliRunner, aws_requests: list[httpx.Request], tmp_path: Path
) -> None:
    """Without the pinned file the command fetches the URL once and says the
    certificate is unavailable, which a later run may not meet."""
    path = Path(REAL_MESSAGES[0])
    empty = tmp_path / "certs"
    empty.mkdir()

    result = runner.invoke(
        app, ["verify", "--cert-dir", str(empty), "--at", "message", str(path)]
    )

    assert result.exit_code == 1
    assert result.stdout.startswith(f"invalid {path} certificate_unavailable:")
    [request] = aws_requests
    assert str(request.url) == json.loads(path.read_bytes())["SigningCertURL"]


def test_unset_allow_list_is_announced(runner: CliRunner) -> None:
    """Without SNSRECEIVER_TOPIC_ARNS the command says any topic is accepted."""
    result = runner.invoke(
        app,
        ["verify", "--cert-dir", str(REAL_AWS), "--at", "message", REAL_MESSAGES[0]],
    )

    assert "any topic" in result.stderr


def test_tampered_message_is_invalid_with_code(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A changed signed field prints `invalid FILE CODE: sentence` and exits 1."""
    document = json.loads(Path(REAL_MESSAGES[0]).read_bytes())
    document["Message"] += "!"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))

    result = runner.invoke(
        app,
        [
            "verify",
            "--cert-dir",
            str(REAL_AWS),
            "--at",
            "message",
            REAL_MESSAGES[0],
            str(tampered),
        ],
    )

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"valid {REAL_MESSAGES[0]}"
    assert lines[1].startswith(f"invalid {tampered} signature_invalid: Signature of")


def test_recorded_message_judged_now_is_stale(runner: CliRunner) -> None:
    """The default --at now refuses a message sent years ago."""
    result = runner.invoke(
        app, ["verify", "--cert-dir", str(REAL_AWS), REAL_MESSAGES[0]]
    )

    assert result.exit_code == 1
    assert f"invalid {REAL_MESSAGES[0]} stale_message:" in result.stdout


def test_a_given_moment_judges_a_real_message_then(runner: CliRunner) -> None:
    """--at ISO-8601 replaces the clock: four minutes after it was sent, a
    2017 message and its certificate (valid until 2017-08-22) are valid."""
    path = REAL_AWS / "aws-php-sns-message-validator_http_with-subject.json"

    result = runner.invoke(
        app,
        [
            "verify",
            "--cert-dir",
            str(REAL_AWS),
            "--at",
            "2017-06-20T00:20:00+00:00",
            str(path),
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == f"valid {path}\n"


@pytest.mark.parametrize(
    ("minutes_after", "code"),
    [(5, None), (30, "certificate_expired"), (120, "stale_message")],
    ids=["certificate-still-valid", "certificate-expired", "message-stale"],
)
def test_a_given_moment_judges_certificate_and_timestamp(
    minutes_after: int, code: str | None, runner: CliRunner, tmp_path: Path
) -> None:
    """The certificate expires ten minutes after the message was sent, and two
    hours on the message is past the default age of 3,900 s: --at decides,
    where --at message would call every one of these valid."""
    sent = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    signer = TestSigner(
        not_before=sent - timedelta(days=1), not_after=sent + timedelta(minutes=10)
    )
    signer.pin(tmp_path / "certs")
    message = tmp_path / "message.json"
    message.write_bytes(signer.envelope(message="{}", timestamp=sent))
    moment = (sent + timedelta(minutes=minutes_after)).isoformat()

    result = runner.invoke(
        app,
        ["verify", "--cert-dir", str(tmp_path / "certs"), "--at", moment, str(message)],
    )

    if code is None:
        assert result.exit_code == 0, result.output
        assert result.stdout == f"valid {message}\n"
    else:
        assert result.exit_code == 1
        assert result.stdout.startswith(f"invalid {message} {code}: ")


def test_topic_allow_list_applies_when_set(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SNSRECEIVER_TOPIC_ARNS set, other topics are invalid."""
    monkeypatch.setenv("SNSRECEIVER_TOPIC_ARNS", "arn:aws:sns:us-east-1:123456789012:x")

    result = runner.invoke(
        app,
        ["verify", "--cert-dir", str(REAL_AWS), "--at", "message", REAL_MESSAGES[0]],
    )

    assert result.exit_code == 1
    assert "topic_not_allowed" in result.stdout
    assert "any topic" not in result.stderr


def test_cert_dir_comes_from_the_environment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SNSRECEIVER_CERT_DIR works like --cert-dir; test-signed mail verifies now."""
    signer = TestSigner()
    signer.pin(tmp_path / "certs")
    message = tmp_path / "message.json"
    message.write_bytes(signer.envelope(timestamp=datetime.now(UTC)))
    monkeypatch.setenv("SNSRECEIVER_CERT_DIR", str(tmp_path / "certs"))

    result = runner.invoke(app, ["verify", str(message)])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"valid {message}\n"


def test_unreadable_and_malformed_files(runner: CliRunner, tmp_path: Path) -> None:
    """Missing files and non-JSON files are reported per file, not as a crash."""
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    missing = tmp_path / "missing.json"

    result = runner.invoke(
        app, ["verify", "--at", "message", str(garbage), str(missing)]
    )

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"invalid {garbage} invalid_json: The message body is not valid JSON.",
        f"invalid {missing} unreadable_file: The file cannot be read "
        "(No such file or directory).",
    ]


@pytest.mark.parametrize("at", ["yesterday", "2026-01-01T00:00:00"])
def test_bad_at_is_one_line_and_exit_two(runner: CliRunner, at: str) -> None:
    """--at must be message, now or a zoned ISO time; otherwise one error line."""
    result = runner.invoke(app, ["verify", "--at", at, REAL_MESSAGES[0]])

    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --at {at!r}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_describes_the_command(runner: CliRunner) -> None:
    """`verify --help` explains the options and output."""
    result = runner.invoke(app, ["verify", "--help"])

    assert result.exit_code == 0
    assert "--cert-dir" in result.stdout
    assert "--at" in result.stdout


def test_installed_command_exits_without_traceback(tmp_path: Path) -> None:
    """Run as a process, an invalid file ends in lines, never a traceback."""
    copy = tmp_path / "m.json"
    shutil.copy(REAL_MESSAGES[0], copy)
    copy.write_text(copy.read_text().replace("Hello", "Hellp"))

    result = subprocess.run(  # noqa: S603  # our own interpreter and temp files
        [
            sys.executable,
            "-m",
            "snsreceiver",
            "verify",
            "--cert-dir",
            str(REAL_AWS),
            "--at",
            "message",
            str(copy),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout.startswith(f"invalid {copy} ")
    assert "Traceback" not in result.stderr


def test_missing_cert_dir_is_one_line_and_exit_two(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A --cert-dir that is not a directory is reported before any work."""
    result = runner.invoke(
        app, ["verify", "--cert-dir", str(tmp_path / "nope"), REAL_MESSAGES[0]]
    )

    assert result.exit_code == 2
    assert (
        result.stderr == f"error: --cert-dir {tmp_path / 'nope'} is not a directory\n"
    )

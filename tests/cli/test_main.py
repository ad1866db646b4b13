"""The command line's entry point."""

from __future__ import annotations

import subprocess
import sys


def test_module_invocation_shows_help() -> None:
    """`python -m snsreceiver --help` lists the serve command."""
    result = subprocess.run(
        [sys.executable, "-m", "snsreceiver", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0
    assert "serve" in result.stdout


def test_bad_settings_end_in_one_line_and_exit_code_two() -> None:
    """A configuration error is one line on stderr, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "snsreceiver", "serve"],
        capture_output=True,
        text=True,
        check=False,
        env={"SNSRECEIVER_PORT": "not-a-port", "PATH": ""},
    )

    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid settings: SNSRECEIVER_PORT")
    assert "Traceback" not in result.stderr


def test_usage_errors_are_one_line() -> None:
    """An unknown command is one error line and exit code 2, not a framed panel."""
    result = subprocess.run(
        [sys.executable, "-m", "snsreceiver", "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr == "error: No such command 'no-such-command'.\n"


def test_no_arguments_prints_help_and_succeeds() -> None:
    """`snsreceiver` alone shows its help, listing the commands."""
    result = subprocess.run(
        [sys.executable, "-m", "snsreceiver"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0
    assert "verify" in result.stdout

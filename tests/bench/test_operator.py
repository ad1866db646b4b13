"""The operator benchmark, run small, so that it cannot rot unnoticed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import operator


def test_small_run_reports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store of 300 rows is built, read back, measured and fully exported."""
    operator.main(
        [
            "--suppressions",
            "300",
            "--signups",
            "300",
            "--lookups",
            "5",
            "--checks",
            "2",
            "--db",
            str(tmp_path / "bench.db"),
        ]
    )

    output = capsys.readouterr().out
    for name in (
        "store get_status",
        "store check, 1,000 addresses",
        "GET /v1/suppressions/{email}",
        "POST /v1/suppressions/check, 1,000",
    ):
        assert f"| {name} |" in output
    assert re.search(r"CSV export: 300 rows, .* \(\+\d+\.\d MiB\)", output)


def test_addresses_overlap_as_described() -> None:
    """Half the signups are suppressed addresses; the others are their own."""
    assert operator.signup_email(0, 10) == operator.suppressed_email(0)
    assert operator.signup_email(4, 10) == operator.suppressed_email(2)
    assert operator.signup_email(1, 10) == "signup0000001@example.org"
    assert operator.signup_email(40, 10) == "signup0000040@example.org"

"""The address type shared by the API and the command line."""

from __future__ import annotations

import pytest

from snsreceiver.api.emails import parse_email


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("jane@example.com", "jane@example.com"),
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("<bounce+tag@mail.example.org>", "bounce+tag@mail.example.org"),
        ('"odd@local"@example.com', '"odd@local"@example.com'),
    ],
)
def test_addresses_are_normalised(given: str, expected: str) -> None:
    """Whitespace, brackets and case do not make a second address."""
    assert parse_email(given) == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("", "required"),
        ("jane", "not an email address"),
        ("@example.com", "not an email address"),
        ("jane@", "not an email address"),
        ("jane@localhost", "not an email address"),
        ("jane doe@example.com", "not an email address"),
        ("j" * 320 + "@example.com", "at most 320"),
    ],
)
def test_non_addresses_are_refused(given: str, problem: str) -> None:
    """The error says what is wrong."""
    with pytest.raises(ValueError, match=problem):
        parse_email(given)

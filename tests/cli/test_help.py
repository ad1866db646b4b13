"""Every command has help text with an example, so `--help` always teaches."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from snsreceiver.cli.main import app


def commands() -> list[tuple[str, Any]]:
    """Every command and group, by its full name, walked from the root.

    Typer carries its own copy of click, so groups are told apart by their
    ``commands`` rather than by class.
    """
    found: list[tuple[str, Any]] = []

    def walk(name: str, command: Any) -> None:
        found.append((name, command))
        for child_name, child in sorted(getattr(command, "commands", {}).items()):
            walk(f"{name} {child_name}".strip(), child)

    walk("", typer.main.get_command(app))
    return found


LEAVES = [(name, cmd) for name, cmd in commands() if not hasattr(cmd, "commands")]


def test_the_walk_finds_every_command() -> None:
    """The walk sees the commands the README documents."""
    assert {name for name, _ in LEAVES} == {
        "serve",
        "status",
        "suppress",
        "unsuppress",
        "suppressions list",
        "suppressions export",
        "signups import",
        "tokens create",
        "tokens list",
        "tokens revoke",
        "db upgrade",
        "subscriptions list",
        "subscriptions confirm",
        "verify",
        "replay",
        "fixtures generate",
        "fixtures export",
    }


@pytest.mark.parametrize(("name", "command"), commands(), ids=lambda v: str(v))
def test_every_command_and_group_has_help(name: str, command: Any) -> None:
    """No command or group is listed without a sentence saying what it does."""
    assert (command.help or "").strip(), f"`snsreceiver {name}` has no help"


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[n for n, _ in LEAVES])
def test_every_command_shows_an_example(name: str, command: Any) -> None:
    """Each command's help ends with an example that runs that very command."""
    help_text = command.help or ""

    assert f"Example: snsreceiver {name}" in help_text


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[n for n, _ in LEAVES])
def test_every_parameter_is_described(name: str, command: Any) -> None:
    """Options and arguments each say what they are for."""
    for parameter in command.params:
        assert (getattr(parameter, "help", None) or "").strip(), (
            f"`snsreceiver {name}` does not describe {parameter.name}"
        )

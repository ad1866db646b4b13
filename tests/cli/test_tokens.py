"""``snsreceiver tokens create|list|revoke``."""

from __future__ import annotations

from snsreceiver.store import Store, TokenInfo
from tests.cli.conftest import Cli


def authenticate(cli: Cli, token: str) -> TokenInfo | None:
    async def work(store: Store) -> TokenInfo | None:
        return await store.authenticate(token)

    return cli.with_store(work)


def test_create_prints_the_token_alone_on_the_last_line(cli: Cli) -> None:
    """A script can take the last line of output as the token."""
    result = cli("tokens", "create", "campaign-tool", "--scope", "write")

    assert result.exit_code == 0, result.output
    token = result.stdout.splitlines()[-1]
    assert token.startswith("snsr_")
    assert " " not in token
    info = authenticate(cli, token)
    assert info is not None
    assert (info.name, info.scope) == ("campaign-tool", "write")


def test_scope_defaults_to_read(cli: Cli) -> None:
    """Without --scope the token may only read."""
    result = cli("tokens", "create", "dashboard")

    info = authenticate(cli, result.stdout.splitlines()[-1])
    assert info is not None
    assert info.scope == "read"


def test_unknown_scope_is_refused(cli: Cli) -> None:
    """Only read and write are scopes."""
    result = cli("tokens", "create", "x", "--scope", "admin")

    assert result.exit_code == 1
    assert result.stderr == "error: --scope 'admin' is not one of read, write\n"


def test_duplicate_name_is_refused(cli: Cli) -> None:
    """A name is given once."""
    cli("tokens", "create", "dashboard")

    result = cli("tokens", "create", "dashboard")

    assert result.exit_code == 1
    assert result.stderr == "error: a token named 'dashboard' already exists\n"


def test_list_shows_names_and_scopes_never_secrets(cli: Cli) -> None:
    """The list names each token and says whether it is revoked."""
    token = cli("tokens", "create", "b-writer", "--scope", "write").stdout.split()[-1]
    cli("tokens", "create", "a-reader")
    cli("tokens", "revoke", "a-reader")

    result = cli("tokens", "list")

    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SCOPE", "CREATED", "LAST", "USED", "REVOKED"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["a-reader", "read"],
        ["b-writer", "write"],
    ]
    assert lines[1].split()[-1] != "-"
    assert lines[2].split()[-1] == "-"
    assert token not in result.stdout


def test_empty_list_says_how_to_begin(cli: Cli) -> None:
    """With no tokens the list says how to make one."""
    result = cli("tokens", "list")

    assert result.stdout == (
        "No tokens yet; create one with `snsreceiver tokens create`.\n"
    )


def test_revoke_takes_effect_at_once(cli: Cli) -> None:
    """A revoked token authenticates no more."""
    token = cli("tokens", "create", "dashboard").stdout.splitlines()[-1]

    result = cli("tokens", "revoke", "dashboard")

    assert result.exit_code == 0
    assert result.stdout == "Revoked token 'dashboard'.\n"
    assert authenticate(cli, token) is None


def test_revoking_an_unknown_name_fails(cli: Cli) -> None:
    """A typo in the name is reported, not ignored."""
    result = cli("tokens", "revoke", "nobody")

    assert result.exit_code == 1
    assert result.stderr == "error: no token is named 'nobody'\n"

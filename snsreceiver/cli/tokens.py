"""``tokens create|list|revoke``: the API tokens of the operator API.

A token is shown once, when it is made, alone on the last line of standard
output so a script can capture it (``token=$(snsreceiver tokens create ... |
tail -n 1)``); the store keeps only its hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from snsreceiver.cli.runner import fail, run_with_store
from snsreceiver.settings import Settings
from snsreceiver.store import Store, TokenInfo

app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)

SCOPES = ("read", "write")


@app.command("create")
def create_token(
    name: Annotated[str, typer.Argument(help="A name for the token's holder.")],
    scope: Annotated[
        str,
        typer.Option(help="read: look up and list; write: also change suppressions."),
    ] = "read",
) -> None:
    """Create an API token and print it, once, on the last line.

    Example: snsreceiver tokens create campaign-tool --scope read
    """
    if scope not in SCOPES:
        fail(f"--scope {scope!r} is not one of read, write")

    async def work(store: Store, settings: Settings) -> str:
        return await store.create_token(name, scope)

    token = run_with_store(work)
    typer.echo(f"Created {scope} token {name!r}. It is shown only this once:")
    typer.echo(token)


@app.command("list")
def list_tokens() -> None:
    """List every token's name, scope and use; never the token itself.

    Example: snsreceiver tokens list
    """

    async def work(store: Store, settings: Settings) -> list[TokenInfo]:
        return await store.list_tokens()

    tokens = run_with_store(work)
    if not tokens:
        typer.echo("No tokens yet; create one with `snsreceiver tokens create`.")
        return

    typer.echo(f"{'NAME':<24} {'SCOPE':<6} {'CREATED':<26} {'LAST USED':<26} REVOKED")
    for token in tokens:
        typer.echo(
            f"{token.name:<24} {token.scope:<6} {_when(token.created_at):<26} "
            f"{_when(token.last_used_at):<26} {_when(token.revoked_at)}"
        )


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")


@app.command("revoke")
def revoke_token(
    name: Annotated[str, typer.Argument(help="The name of the token to revoke.")],
) -> None:
    """Revoke a token; requests with it fail from the next one on.

    Example: snsreceiver tokens revoke campaign-tool
    """

    async def work(store: Store, settings: Settings) -> None:
        await store.revoke_token(name)

    run_with_store(work)
    typer.echo(f"Revoked token {name!r}.")

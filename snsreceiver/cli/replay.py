"""``snsreceiver replay``: send recorded fixtures and compare what happens.

The command is a thin shell over :mod:`snsreceiver.fixtures.replay`: it picks
the target (a running server, or the delivery handler in process against the
configured store), prints one line per message and a final ``N passed, N
failed``, and exits 1 when any fixture did not get what it expects.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import Progress

from snsreceiver.errors import InvalidRequest
from snsreceiver.fixtures.collection import collect
from snsreceiver.fixtures.replay import (
    AddressState,
    HttpTarget,
    InProcessTarget,
    Moment,
    Summary,
    Target,
    Verdict,
    api_lookup,
    replay,
)
from snsreceiver.moments import parse_aware
from snsreceiver.settings import Settings, load_settings

EXIT_MISMATCH = 1
PROGRESS_FROM = 20


def parse_moment(value: str) -> Moment:
    """``message``, ``now`` or an ISO 8601 moment with a UTC offset."""
    if value in ("message", "now"):
        return value  # type: ignore[return-value]  # narrowed by the test above
    moment = parse_aware(value)
    if moment is None:
        raise InvalidRequest(
            f"--at is {value!r}; expected message, now or an ISO 8601 moment with "
            "a UTC offset, such as 2026-11-02T09:00:00Z.",
            code="invalid_moment",
        )
    return moment


def replay_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Fixture files or folders; folders replay every fixture with an "
            "expectation beside it, in path order.",
        ),
    ],
    url: Annotated[
        str | None,
        typer.Option(
            help="Post to this running server's webhook, e.g. "
            "http://127.0.0.1:8000/sns."
        ),
    ] = None,
    in_process: Annotated[
        bool,
        typer.Option(
            "--in-process",
            help="Hand messages to the delivery handler against the configured store.",
        ),
    ] = False,
    at: Annotated[
        str,
        typer.Option(
            help="Judge each message at: message (its own Timestamp), now, or an "
            "ISO 8601 moment."
        ),
    ] = "message",
    cert_dir: Annotated[
        Path | None,
        typer.Option(
            help="Pinned certificates for --in-process; overrides SNSRECEIVER_CERT_DIR."
        ),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option(
            help="Settings file the fixtures assume, e.g. fixtures/replay.env; "
            "SNSRECEIVER_* variables still win."
        ),
    ] = None,
    api_token: Annotated[
        str | None,
        typer.Option(
            envvar="SNSRECEIVER_API_TOKEN",
            help="With --url, a read token to check suppression expectations "
            "through the operator API.",
        ),
    ] = None,
) -> None:
    """Replay recorded SNS messages and check each against its expectation.

    Example: snsreceiver replay fixtures/ --in-process --env-file fixtures/replay.env
    """
    if (url is None) == (not in_process):
        raise InvalidRequest(
            "Choose where to replay: --url URL of a running server, or --in-process.",
            code="replay_target_missing",
        )

    moment = parse_moment(at)
    files = collect(paths)
    if url is not None:
        summary = asyncio.run(_over_http(files, url, moment, api_token))
    else:
        overrides: dict[str, object] = {}
        if env_file is not None:
            overrides["_env_file"] = env_file
        if cert_dir is not None:
            overrides["cert_dir"] = cert_dir
        settings = load_settings(**overrides)
        summary = asyncio.run(_in_process(files, settings, moment))

    typer.echo(summary.line())
    if summary.unchecked and url is not None and not api_token:
        typer.echo(
            "Suppression states are read through the operator API: give a read "
            "token with --api-token or SNSRECEIVER_API_TOKEN to check them.",
            err=True,
        )
    if summary.failed:
        raise typer.Exit(EXIT_MISMATCH)


async def _over_http(
    files: list[Path], url: str, at: Moment, api_token: str | None
) -> Summary:
    async with httpx.AsyncClient(timeout=30.0) as client:
        lookup = api_lookup(client, url, api_token) if api_token else None
        target = HttpTarget(url, client, lookup=lookup)
        return await run(files, target, at)


async def _in_process(files: list[Path], settings: Settings, at: Moment) -> Summary:
    from snsreceiver.api.services import open_services

    async with open_services(settings) as services:

        async def lookup(email: str) -> AddressState:
            status = await services.store.get_status(email)
            return AddressState(status.suppressed, status.reason)

        target = InProcessTarget(services.deliveries, lookup, settings.max_body_bytes)
        return await run(files, target, at)


async def run(files: list[Path], target: Target, at: Moment) -> Summary:
    """Replays ``files``, with a progress bar when a person watches many."""
    if not sys.stdout.isatty() or len(files) < PROGRESS_FROM:
        return await replay(files, target, at=at, on_verdict=_echo)

    console = Console()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("replaying", total=len(files))

        def show(verdict: Verdict) -> None:
            progress.console.print(
                verdict.line(), markup=False, highlight=False, soft_wrap=True
            )
            progress.advance(task)

        return await replay(files, target, at=at, on_verdict=show)


def _echo(verdict: Verdict) -> None:
    typer.echo(verdict.line())

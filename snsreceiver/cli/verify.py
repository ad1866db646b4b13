"""The ``snsreceiver verify`` command: checks saved SNS messages offline.

A thin shell over :class:`~snsreceiver.sns.verifier.MessageVerifier` with the same
settings as the server, except that an unset topic allow-list accepts any topic.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import httpx
import typer

from snsreceiver.errors import MalformedMessage, SnsReceiverError
from snsreceiver.moments import parse_aware
from snsreceiver.settings import Settings, load_settings
from snsreceiver.sns.certificates import CertificateStore
from snsreceiver.sns.message import parse_message
from snsreceiver.sns.verifier import MessageVerifier

EXIT_INVALID = 1
EXIT_USAGE = 2


def verify(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Saved SNS message bodies (JSON files).",
            metavar="FILE",
            show_default=False,
        ),
    ],
    cert_dir: Annotated[
        Path | None,
        typer.Option(
            help="Pinned signing certificates [env: SNSRECEIVER_CERT_DIR].",
        ),
    ] = None,
    at: Annotated[
        str,
        typer.Option(
            help=(
                "When to judge the timestamp and certificate: 'message' (the "
                "message's own Timestamp), 'now', or an ISO-8601 time with a zone."
            ),
        ),
    ] = "now",
) -> None:
    """Verify saved SNS messages without a server.

    Prints 'valid FILE' or 'invalid FILE CODE: reason' for each file and exits 0
    only when every file is valid.

    Example: snsreceiver verify --cert-dir fixtures/real-aws --at message msg.json
    """
    moment = _parse_at(at)
    overrides: dict[str, object] = {}
    if cert_dir is not None:
        if not cert_dir.is_dir():
            typer.echo(f"error: --cert-dir {cert_dir} is not a directory", err=True)
            raise typer.Exit(EXIT_USAGE)
        overrides["cert_dir"] = cert_dir
    settings = load_settings(**overrides)

    if not settings.topic_arns:
        typer.echo(
            "note: SNSRECEIVER_TOPIC_ARNS is not set, so messages from any topic "
            "are accepted",
            err=True,
        )

    all_valid = asyncio.run(_verify_files(files, moment, settings))
    if not all_valid:
        raise typer.Exit(EXIT_INVALID)


def aws_client() -> httpx.AsyncClient:
    """The client that fetches certificates not pinned; tests replace it."""
    return httpx.AsyncClient(follow_redirects=False)


async def _verify_files(
    files: list[Path], moment: datetime | None, settings: Settings
) -> bool:
    all_valid = True
    async with aws_client() as client:
        store = CertificateStore.from_settings(settings, client)
        verifier = MessageVerifier(settings, store, any_topic=not settings.topic_arns)
        for path in files:
            problem = await _verify_file(verifier, path, moment)
            if problem is None:
                typer.echo(f"valid {path}")
            else:
                all_valid = False
                typer.echo(f"invalid {path} {problem.code}: {problem.message}")
    return all_valid


async def _verify_file(
    verifier: MessageVerifier, path: Path, moment: datetime | None
) -> SnsReceiverError | None:
    """The reason ``path`` is invalid, or None when it verifies."""
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        return MalformedMessage(
            f"The file cannot be read ({exc.strerror}).", code="unreadable_file"
        )

    try:
        when = moment
        if when is None:
            when = parse_message(body).timestamp
        await verifier.verify(body, at=when)
    except SnsReceiverError as exc:
        return exc
    return None


def _parse_at(value: str) -> datetime | None:
    """None for 'message', the current time for 'now', else an aware time."""
    if value == "message":
        return None
    if value == "now":
        return datetime.now(UTC)
    moment = parse_aware(value)
    if moment is None:
        typer.echo(
            f"error: --at {value!r} is not 'message', 'now' or an ISO-8601 time "
            "with a zone (e.g. 2026-03-06T19:55:38Z)",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    return moment

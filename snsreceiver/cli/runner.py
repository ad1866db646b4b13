"""How every store command runs: settings, engine, one event loop, one-line errors.

The commands are thin: each hands an async function to :func:`run_with_store`,
which builds the settings and the engine the same way the server does, checks that
the database schema is current, runs the function with :func:`asyncio.run`, and
turns any failure into one ``error: ...`` line on standard error and a non-zero
exit code.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from snsreceiver.errors import ConfigurationError, InvalidRequest, SnsReceiverError
from snsreceiver.settings import Settings, load_settings
from snsreceiver.store import Store, create_engine, current_revision_is_head

# The exit codes of snsreceiver.cli.main: 2 for settings, 1 for everything else.
EXIT_FAILURE = 1
EXIT_CONFIGURATION = 2

T = TypeVar("T")
StoreWork = Callable[[Store, Settings], Coroutine[Any, Any, T]]


def fail(message: str, *, exit_code: int = EXIT_FAILURE) -> NoReturn:
    """Ends the command with one ``error:`` line on standard error."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(exit_code)


def cli_actor() -> str:
    """The actor recorded for changes made from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run_with_store(work: StoreWork[T], *, check_schema: bool = True) -> T:
    """Runs ``work`` against the configured store; failures end the command.

    ``check_schema`` refuses to touch a database whose migrations are not
    current, with the command that fixes it; only ``db upgrade`` turns it off.
    """
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        fail(str(exc), exit_code=EXIT_CONFIGURATION)

    try:
        return asyncio.run(_run(work, settings, check_schema=check_schema))
    except SnsReceiverError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(f"the database refused the command: {_first_line(exc)}")
    except OSError as exc:
        fail(str(exc))


async def _run(work: StoreWork[T], settings: Settings, *, check_schema: bool) -> T:
    engine = create_engine(settings.database_url)
    try:
        if check_schema and not await current_revision_is_head(engine):
            raise InvalidRequest(
                "the database schema is not at the newest migration; run "
                "`snsreceiver db upgrade` first",
                code="migrations_pending",
            )
        return await work(Store(engine), settings)
    finally:
        await engine.dispose()


def _first_line(exc: BaseException) -> str:
    """The driver's own sentence, without the SQL and parameters after it."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(exc).__name__

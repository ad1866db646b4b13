"""Entry point of the ``snsreceiver`` command and its ``serve`` command.

Each group of commands lives in its own module and is attached here. Every command
ends a failure with one ``error: ...`` line on standard error and a non-zero exit
code, never a traceback.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer
from typer.exceptions import TyperException

from snsreceiver.cli import db, signups, subscriptions, suppressions, tokens
from snsreceiver.cli.fixtures import fixtures_app
from snsreceiver.cli.replay import replay_command
from snsreceiver.cli.verify import verify
from snsreceiver.errors import ConfigurationError, SnsReceiverError
from snsreceiver.settings import load_settings

EXIT_FAILURE = 1
EXIT_CONFIGURATION = 2

app = typer.Typer(
    name="snsreceiver",
    help="Receive Amazon SES feedback over Amazon SNS and keep a mailing list clean.",
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback(invoke_without_command=True)
def root(context: typer.Context) -> None:
    """Receive Amazon SES feedback over Amazon SNS and keep a mailing list clean.

    Settings come from SNSRECEIVER_* environment variables; see the README.
    """
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to bind [env: SNSRECEIVER_HOST]."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on [env: SNSRECEIVER_PORT]."),
    ] = None,
) -> None:
    """Run the HTTP server (webhook and operator API).

    Example: snsreceiver serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from snsreceiver.api.app import create_app
    from snsreceiver.logs import configure_logging

    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    application = create_app(settings)
    # What is loaded by now lives as long as the process. Freezing it keeps the
    # collector's full passes short: over it, they stalled a request ~100 ms.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


app.command()(verify)
app.command()(suppressions.status)
app.command()(suppressions.suppress)
app.command()(suppressions.unsuppress)
app.add_typer(suppressions.app, name="suppressions")
app.add_typer(signups.app, name="signups")
app.add_typer(tokens.app, name="tokens")
app.add_typer(db.app, name="db")
app.add_typer(subscriptions.app, name="subscriptions")
app.command("replay")(replay_command)
app.add_typer(fixtures_app)


def main(argv: list[str] | None = None) -> None:
    """Runs the command line, turning every error into one line and an exit code.

    Click's standalone mode is off so that usage errors reach us too and are
    printed as one ``error:`` line instead of a framed panel.
    """
    try:
        result = app(args=argv, prog_name="snsreceiver", standalone_mode=False)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(EXIT_FAILURE)
    except TyperException as exc:
        # Typer's own usage and parameter errors (it carries its own click).
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        typer.echo(f"error: {message}", err=True)
        sys.exit(getattr(exc, "exit_code", EXIT_CONFIGURATION))
    except ConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIGURATION)
    except SnsReceiverError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    if isinstance(result, int):
        sys.exit(result)

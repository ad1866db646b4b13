"""Runs the real commands against a fresh database of each kind."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest
from typer.testing import CliRunner, Result

from snsreceiver.cli.main import app
from snsreceiver.store import Store, create_engine

T = TypeVar("T")


@dataclass
class Cli:
    """Invokes ``snsreceiver`` commands, and reaches the same database directly."""

    database_url: str

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(app, list(args), input=input)

    def with_store(self, work: Callable[[Store], Awaitable[T]]) -> T:
        """Runs ``work`` on a store of the command's database, for set-up and checks."""

        async def run() -> T:
            engine = create_engine(self.database_url)
            try:
                return await work(Store(engine))
            finally:
                await engine.dispose()

        return asyncio.run(run())


def command_line(url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("SNSRECEIVER_DATABASE_URL", url)
    monkeypatch.setenv("USER", "ops")
    monkeypatch.setenv("LOGNAME", "ops")
    return Cli(url)


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The command line on an empty database at the newest migration."""
    return command_line(database_url, monkeypatch)


@pytest.fixture
def bare_cli(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The command line on a database without tables, never migrated."""
    return command_line(empty_database_url, monkeypatch)

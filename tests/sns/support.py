"""Test doubles for the SNS tests: a stopped clock and a recording certificate host."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TOPIC = DEFAULT_TOPIC_ARN
REAL_AWS = Path(__file__).parents[2] / "fixtures" / "real-aws"


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class CertServer:
    """The SNS certificate host as a mock transport that records every request.

    By default it serves ``pem`` for any path; ``respond`` replaces that answer,
    and ``gate`` (when set) holds every response until it is opened.
    """

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.requests: list[httpx.Request] = []
        self.respond: Callable[[httpx.Request], httpx.Response] | None = None
        self.gate: asyncio.Event | None = None
        self.transport = httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if self.respond is not None:
            return self.respond(request)
        return httpx.Response(200, content=self.pem)

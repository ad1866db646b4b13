"""The application factory: builds the FastAPI app from a settings object.

Long-lived resources are created once in the lifespan (see
:mod:`snsreceiver.api.services`) and closed on shutdown, never per request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from fastapi import FastAPI

import snsreceiver
from snsreceiver.api import health, operations, signups, suppressions, webhook
from snsreceiver.api.errors import install_error_handlers
from snsreceiver.api.limits import ApiBodyLimit
from snsreceiver.api.services import open_services
from snsreceiver.settings import Settings, load_settings

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    http_client: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """Builds the app; ``settings`` defaults to the environment's.

    ``http_client`` and ``clock`` are seams for tests: an httpx client on a mock
    transport, and a fixed "now" for judging message timestamps.
    """
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.topic_arns:
            logger.warning(
                "no topic allow-list: every SNS message will be refused; set "
                "SNSRECEIVER_TOPIC_ARNS to the comma-separated ARNs of your topics"
            )
        if settings.replay_clock:
            logger.warning(
                "SNSRECEIVER_REPLAY_CLOCK is on: clients may choose the moment "
                "messages are judged at; use it only to replay fixtures"
            )
        async with open_services(
            settings, http_client=http_client, clock=clock
        ) as services:
            app.state.services = services
            yield

    app = FastAPI(
        title="snsreceiver",
        version=snsreceiver.__version__,
        description=(
            "Receives Amazon SES feedback over Amazon SNS, keeps suppressions, and "
            "answers whether an address may still be mailed."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(ApiBodyLimit, limit=settings.max_api_body_bytes)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(webhook.router)
    app.include_router(operations.router)
    app.include_router(suppressions.router)
    app.include_router(signups.router)
    return app

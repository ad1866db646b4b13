"""The application factory: builds the FastAPI app from a settings object.

Long-lived resources are created once in the lifespan and closed on shutdown,
never per request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import snsreceiver
from snsreceiver.api import health
from snsreceiver.api.errors import install_error_handlers
from snsreceiver.settings import Settings, load_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Builds the app; ``settings`` defaults to the environment's."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.topic_arns:
            logger.warning(
                "no topic allow-list: every SNS message will be refused; set "
                "SNSRECEIVER_TOPIC_ARNS to the comma-separated ARNs of your topics"
            )
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
    install_error_handlers(app)
    app.include_router(health.router)
    return app

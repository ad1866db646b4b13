"""Turns snsreceiver errors into the JSON error shape every endpoint shares.

The body is ``{"error": {"code": "...", "message": "..."}}``: ``code`` is stable and
meant for machines, ``message`` is one sentence for people.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from snsreceiver.errors import SnsReceiverError

logger = logging.getLogger(__name__)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def error_response(error: SnsReceiverError) -> JSONResponse:
    return JSONResponse(
        status_code=error.status, content=error_body(error.code, error.message)
    )


async def _handle_snsreceiver_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SnsReceiverError)
    return error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SnsReceiverError, _handle_snsreceiver_error)

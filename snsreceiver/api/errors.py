"""Turns snsreceiver errors into the JSON error shape every endpoint shares.

The body is ``{"error": {"code": "...", "message": "..."}}``: ``code`` is stable and
meant for machines, ``message`` is one sentence for people. FastAPI's own
validation errors (a bad path parameter, query or body) take the same shape with
the code ``invalid_request``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from snsreceiver.errors import AuthenticationRequired, SnsReceiverError

logger = logging.getLogger(__name__)

# The operator API's tokens are the only credentials this handler sees: the
# webhook answers its own HTTP Basic challenge.
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="snsreceiver"'}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def error_response(error: SnsReceiverError) -> JSONResponse:
    return JSONResponse(
        status_code=error.status, content=error_body(error.code, error.message)
    )


async def _handle_snsreceiver_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SnsReceiverError)
    response = error_response(exc)
    if isinstance(exc, AuthenticationRequired):
        response.headers.update(BEARER_CHALLENGE)
    return response


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=HTTPStatus.UNPROCESSABLE_ENTITY,
        content=error_body("invalid_request", describe_validation(exc.errors())),
    )


def describe_validation(errors: Sequence[Any]) -> str:
    """One sentence naming the first bad field and what was wrong with it.

    The location keeps pydantic's leading ``path``, ``query`` or ``body``, so
    ``path email`` or ``body emails 3`` say where to look.
    """
    if not errors:
        return "The request is not valid."

    first = errors[0]
    location = " ".join(str(part) for part in first.get("loc", ()))
    message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    message = message.rstrip(".")
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"Invalid {location or 'request'}: {message}{more}."


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SnsReceiverError, _handle_snsreceiver_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)

"""The JSON error shape, for our errors and for FastAPI's validation errors."""

from __future__ import annotations

from http import HTTPStatus

import httpx
from fastapi import FastAPI

from snsreceiver.api.errors import describe_validation, install_error_handlers
from snsreceiver.errors import AuthenticationRequired, InvalidRequest


def app_raising(error: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fail")
    async def fail() -> None:
        raise error

    @app.get("/number/{value}")
    async def number(value: int) -> int:
        return value

    return app


async def get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_our_errors_carry_code_message_and_status() -> None:
    """An InvalidRequest becomes its status and the error shape."""
    app = app_raising(InvalidRequest("Gone.", code="gone", status=HTTPStatus.NOT_FOUND))

    response = await get(app, "/fail")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "gone", "message": "Gone."}}


async def test_authentication_errors_carry_a_bearer_challenge() -> None:
    """401 tells the client which scheme to use."""
    response = await get(app_raising(AuthenticationRequired("Token!")), "/fail")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="snsreceiver"'


async def test_validation_errors_take_the_same_shape() -> None:
    """FastAPI's 422 names the bad field in one sentence."""
    response = await get(app_raising(RuntimeError()), "/number/seven")

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid_request",
            "message": "Invalid path value: Input should be a valid integer, "
            "unable to parse string as an integer.",
        }
    }


def test_several_problems_are_counted() -> None:
    """Only the first problem is spelled out; the rest are counted."""
    message = describe_validation(
        [
            {"loc": ("body", "emails", 0), "msg": "Value error, bad"},
            {"loc": ("body", "emails", 3), "msg": "Value error, bad"},
        ]
    )

    assert message == "Invalid body emails 0: bad (and 1 more problems)."

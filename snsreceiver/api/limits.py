"""A byte cap on the operator API's request bodies, enforced before anything reads them.

FastAPI reads and parses a request's JSON body before it runs the endpoint's
dependencies, token check included, so without a cap anyone could make the
server hold and parse a body of any size. This ASGI middleware reads the body of
every ``/v1`` request first, at most ``limit`` bytes of it, and answers 413 with
the usual JSON error shape as soon as the declared length or the bytes received
go past the limit. A body within the limit is handed on unchanged. The webhook
has a cap of its own (``SNSRECEIVER_MAX_BODY_BYTES``) and is not touched.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from snsreceiver.api.errors import error_body

API_PREFIX = "/v1/"


class ApiBodyLimit:
    """Refuses ``/v1`` request bodies larger than ``limit`` bytes with 413."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self._app = app
        self._limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self._app(scope, receive, send)
            return

        declared = _declared_length(scope)
        if declared is not None and declared > self._limit:
            await self._refuse(send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before its body was complete
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break

        await self._app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body(
                "body_too_large",
                f"The request body is larger than {self._limit} bytes "
                "(SNSRECEIVER_MAX_API_BODY_BYTES).",
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over ``body`` once, then listens to the client again."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

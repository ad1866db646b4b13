"""Bearer tokens for the operator API, and the dependencies that demand them.

Every ``/v1`` endpoint takes :data:`ReadToken` or :data:`WriteToken`. A token is
looked up by the store, which keeps only its hash and compares in constant time,
so a revoked token fails on the very next request. A write token may also read.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from snsreceiver.api.services import ServicesDep
from snsreceiver.errors import AuthenticationRequired, PermissionDenied
from snsreceiver.store import TokenInfo

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description=(
        "A token made with `snsreceiver tokens create NAME --scope read|write`, "
        "sent as `Authorization: Bearer <token>`."
    ),
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def require_read(credentials: Credentials, services: ServicesDep) -> TokenInfo:
    """The caller's token, of either scope; 401 when there is no valid one."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationRequired(
            "This endpoint needs an API token in an Authorization: Bearer header."
        )

    token = await services.store.authenticate(credentials.credentials)
    if token is None:
        raise AuthenticationRequired("The API token is unknown or has been revoked.")
    return token


async def require_write(
    token: Annotated[TokenInfo, Depends(require_read)],
) -> TokenInfo:
    """The caller's token, which must have the write scope; 403 otherwise."""
    if token.scope != "write":
        raise PermissionDenied(
            f"The token {token.name!r} has the read scope; this endpoint needs write."
        )
    return token


ReadToken = Annotated[TokenInfo, Depends(require_read)]
WriteToken = Annotated[TokenInfo, Depends(require_write)]

# The error answers every /v1 endpoint documents, beside its own.
READ_ERRORS: dict[int | str, dict[str, str]] = {
    HTTPStatus.UNAUTHORIZED: {"description": "No valid API token."},
    HTTPStatus.UNPROCESSABLE_ENTITY: {"description": "A parameter is not valid."},
}
WRITE_ERRORS: dict[int | str, dict[str, str]] = {
    **READ_ERRORS,
    HTTPStatus.FORBIDDEN: {"description": "The token has only the read scope."},
}

"""``/v1/signups``: read and write the signups that share the suppression store.

The launch page or an import writes signups here. A signup for a suppressed
address is accepted, and its answer shows the suppression at once, so nobody
mistakes a fresh signup for permission to mail.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Body, Response

from snsreceiver.api.auth import READ_ERRORS, WRITE_ERRORS, ReadToken, WriteToken
from snsreceiver.api.emails import EmailPath
from snsreceiver.api.models import SignupRequest, SignupStatusDocument
from snsreceiver.api.services import ServicesDep
from snsreceiver.errors import InvalidRequest
from snsreceiver.store import AddressStatus, Store

router = APIRouter(prefix="/v1/signups", tags=["signups"])


async def signup_document(store: Store, email: str) -> SignupStatusDocument:
    """The signup of ``email`` with its suppression; 404 when it never signed up."""
    status: AddressStatus = await store.get_status(email)
    if status.signup is None:
        raise InvalidRequest(
            f"{email} has no signup.",
            code="signup_not_found",
            status=HTTPStatus.NOT_FOUND,
        )

    return SignupStatusDocument(
        email=status.email,
        status=status.signup.status,
        source=status.signup.source,
        created_at=status.signup.created_at,
        updated_at=status.signup.updated_at,
        suppressed=status.suppressed,
        reason=status.reason,
        since=status.since,
    )


@router.get(
    "/{email}",
    summary="Signup of one address",
    description=(
        "The address's signup status and source, with its suppression: a "
        "subscribed address that is suppressed must still not be mailed."
    ),
    responses={
        **READ_ERRORS,
        HTTPStatus.NOT_FOUND: {"description": "The address never signed up."},
    },
)
async def get_signup(
    services: ServicesDep, token: ReadToken, email: EmailPath
) -> SignupStatusDocument:
    return await signup_document(services.store, email)


@router.put(
    "/{email}",
    summary="Add or update a signup",
    description=(
        "Adds the address as a signup (201) or updates its status and source "
        "(200). A signup for a suppressed address is accepted and shows the "
        "suppression in its answer."
    ),
    status_code=HTTPStatus.OK,
    responses={
        **WRITE_ERRORS,
        HTTPStatus.CREATED: {
            "description": "The signup was added.",
            "model": SignupStatusDocument,
        },
    },
)
async def put_signup(
    services: ServicesDep,
    token: WriteToken,
    email: EmailPath,
    request: Annotated[SignupRequest, Body()],
    response: Response,
) -> SignupStatusDocument:
    added = await services.store.upsert_signup(
        email, status=request.status, source=request.source
    )

    if added:
        response.status_code = HTTPStatus.CREATED
    return await signup_document(services.store, email)

"""``/v1/suppressions``: look up, list, export, check, suppress and lift.

Modelled on the SES v2 account suppression list (get, list with filters and
paging, put, delete), with what SES does not keep: the history of every change
and the evidence it rests on. Reads need a token of either scope, changes a write
token, whose name lands in the history as the actor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from snsreceiver.api.auth import READ_ERRORS, WRITE_ERRORS, ReadToken, WriteToken
from snsreceiver.api.emails import EmailPath
from snsreceiver.api.export import MEDIA_TYPES, export_lines
from snsreceiver.api.models import (
    MAX_CHECK_EMAILS,
    AddressStatusDocument,
    CheckRequest,
    CheckResponse,
    CheckResultDocument,
    NoteRequest,
    SuppressionDocument,
    SuppressionPage,
)
from snsreceiver.api.services import Services, ServicesDep
from snsreceiver.errors import InvalidRequest
from snsreceiver.store import AddressStatus, TokenInfo
from snsreceiver.suppression.state import Reason

router = APIRouter(prefix="/v1/suppressions", tags=["suppressions"])

ANSWER: Final = TypeAdapter(dict[str, Any])
"""Serialises a check's answer, built as plain fields, without validating it."""


def token_actor(token: TokenInfo) -> str:
    """How a token's change is signed in the history."""
    return f"token:{token.name}"


def status_document(services: Services, status: AddressStatus) -> AddressStatusDocument:
    return AddressStatusDocument.build(
        status,
        window_days=services.settings.soft_bounce_window_days,
        threshold=services.settings.soft_bounce_threshold,
    )


@router.get(
    "",
    summary="List or export suppressed addresses",
    description=(
        "Suppressed addresses, oldest suppression first, filtered by reason and by "
        "when they were suppressed (`since` inclusive, `until` exclusive; without "
        "an offset, UTC). With `format=json` (the default) the answer is one page "
        "of at most `limit` rows and a `next_cursor` for the next. With "
        "`format=csv` or `format=ndjson` the whole matching list is streamed, "
        "ignoring `limit` and `cursor`, with memory flat however long it is."
    ),
    response_model=SuppressionPage,
    responses={
        **READ_ERRORS,
        HTTPStatus.BAD_REQUEST: {"description": "The cursor is not valid."},
        HTTPStatus.OK: {
            "description": "A page, or the streamed export.",
            "content": {media_type: {} for media_type in MEDIA_TYPES.values()},
        },
    },
)
async def list_suppressions(
    services: ServicesDep,
    token: ReadToken,
    reason: Annotated[Reason | None, Query(description="Only this reason.")] = None,
    since: Annotated[
        datetime | None, Query(description="Suppressed at or after this time.")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="Suppressed before this time.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows per page.")] = 100,
    cursor: Annotated[
        str | None, Query(description="The next_cursor of the previous page.")
    ] = None,
    format: Annotated[
        Literal["json", "csv", "ndjson"],
        Query(description="json for a page; csv or ndjson to export everything."),
    ] = "json",
) -> SuppressionPage | StreamingResponse:
    if format != "json":
        rows = services.store.iter_suppressions(reason=reason, since=since, until=until)
        chunks = export_lines(rows, format)
        # The first chunk is read before answering, so a database that cannot be
        # read gives a 503 in the error shape, not a 200 with a cut-off file.
        first = await anext(chunks, "")
        return StreamingResponse(
            _prepend(first, chunks),
            media_type=MEDIA_TYPES[format],
            headers={
                "Content-Disposition": f'attachment; filename="suppressions.{format}"'
            },
        )

    page = await services.store.list_suppressions(
        reason=reason, since=since, until=until, limit=limit, cursor=cursor
    )
    return SuppressionPage(
        items=[SuppressionDocument.model_validate(row) for row in page.items],
        next_cursor=page.next_cursor,
    )


async def _prepend(first: str, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    yield first
    async for chunk in rest:
        yield chunk


@router.post(
    "/check",
    summary="Check addresses before a send",
    description=(
        f"Answers for up to {MAX_CHECK_EMAILS} addresses at once, in the order "
        "given, whether each may be mailed, and if not, why. A sending job calls "
        "this before a campaign. Addresses never seen are mailable."
    ),
    response_model=CheckResponse,
    responses={
        **READ_ERRORS,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE: {
            "description": f"More than {MAX_CHECK_EMAILS} addresses."
        },
    },
)
async def check_suppressions(
    services: ServicesDep, token: ReadToken, request: CheckRequest
) -> Response:
    if len(request.emails) > MAX_CHECK_EMAILS:
        raise InvalidRequest(
            f"The check takes at most {MAX_CHECK_EMAILS} addresses per request; "
            f"this one has {len(request.emails)}.",
            code="too_many_emails",
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        )

    results = [
        CheckResultDocument.fields(result)
        for result in await services.store.check(request.emails)
    ]
    answer = {
        "results": results,
        "not_mailable": sum(not result["mailable"] for result in results),
    }
    # The fields come from the store's typed answers, so they are serialised as
    # they are, in pydantic's core: validating them into CheckResponse first
    # (as FastAPI would) gives the same bytes and costs more than the lookup.
    return Response(ANSWER.dump_json(answer), media_type="application/json")


@router.get(
    "/{email}",
    summary="Status of one address",
    description=(
        "Whether the address is suppressed, why and since when, its last SES "
        "event, its soft bounce count and window, whether SES suppresses it, its "
        "signup, and the history of every change with its evidence. An address "
        "never seen is not an error: it is not suppressed."
    ),
    responses=READ_ERRORS,
)
async def get_suppression(
    services: ServicesDep, token: ReadToken, email: EmailPath
) -> AddressStatusDocument:
    return status_document(services, await services.store.get_status(email))


@router.put(
    "/{email}",
    summary="Suppress an address by hand",
    description=(
        "Suppresses the address with reason `manual`. An address already "
        "suppressed keeps its reason and since; the note is still added to its "
        "history. The token's name is recorded as the actor."
    ),
    responses=WRITE_ERRORS,
)
async def put_suppression(
    services: ServicesDep,
    token: WriteToken,
    email: EmailPath,
    request: Annotated[NoteRequest, Body()],
) -> AddressStatusDocument:
    status = await services.store.suppress_manually(
        email, note=request.note, actor=token_actor(token)
    )
    return status_document(services, status)


@router.delete(
    "/{email}",
    summary="Lift a suppression",
    description=(
        "Lifts the address's suppression and clears its soft bounce count, with "
        "the note and the token's name in the history. A later hard bounce or "
        "complaint suppresses it again. Answers 409 when it is not suppressed."
    ),
    responses={
        **WRITE_ERRORS,
        HTTPStatus.CONFLICT: {"description": "The address is not suppressed."},
    },
)
async def delete_suppression(
    services: ServicesDep,
    token: WriteToken,
    email: EmailPath,
    request: Annotated[NoteRequest, Body()],
) -> AddressStatusDocument:
    status = await services.store.unsuppress(
        email, note=request.note, actor=token_actor(token)
    )
    return status_document(services, status)

"""``POST /sns``: where Amazon SNS delivers messages.

Status codes are chosen for SNS, which retries 5xx answers and time-outs and gives
up on 4xx: 200 once a message is committed (or was committed by an earlier
delivery), 4xx with the JSON error shape for a message that can never succeed, 503
when a retry may succeed. The webhook needs no token: its authentication is the
AWS signature, optionally behind HTTP Basic credentials put in the subscription
URL (SNS sends them only after a 401 challenge).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import time
from datetime import datetime
from http import HTTPStatus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from snsreceiver.api.errors import error_body, error_response
from snsreceiver.api.services import Services, ServicesDep
from snsreceiver.delivery import DeliveryResult
from snsreceiver.errors import (
    AuthenticationRequired,
    DeliveryTimedOut,
    InvalidRequest,
    MessageRejected,
    MessageTooLarge,
    SnsReceiverError,
)
from snsreceiver.fixtures import REPLAY_AT_HEADER
from snsreceiver.logs import DELIVERY_LOGGER
from snsreceiver.moments import parse_aware
from snsreceiver.settings import Settings
from snsreceiver.sns.verifier import DeliveryHeaders

router = APIRouter(tags=["webhook"])
logger = logging.getLogger(__name__)
delivery_log = logging.getLogger(DELIVERY_LOGGER)

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="snsreceiver", charset="UTF-8"'}


@router.post(
    "/sns",
    summary="Receive an SNS message",
    description=(
        "The HTTPS endpoint an SNS subscription posts to. Verifies the AWS "
        "signature, then confirms subscriptions or applies SES feedback. Answers "
        "200 when the message is committed or a duplicate, 4xx when it can never "
        "succeed, 503 when SNS should retry."
    ),
    responses={
        400: {"description": "Malformed, stale or mismatched message."},
        401: {"description": "HTTP Basic credentials required and missing."},
        403: {"description": "Topic not allowed, bad certificate or signature."},
        413: {"description": "Body larger than SNSRECEIVER_MAX_BODY_BYTES."},
        503: {"description": "Temporary failure; SNS should retry."},
    },
)
async def receive_sns(request: Request, services: ServicesDep) -> JSONResponse:
    started = time.perf_counter()
    # Until the message is verified, what the log says of it is what the
    # delivery headers claim.
    verified = False
    sns_headers = _sns_headers(request)
    message_type = sns_headers.get("x-amz-sns-message-type", "unknown")
    message_id = sns_headers.get("x-amz-sns-message-id", "-")
    topic = sns_headers.get("x-amz-sns-topic-arn", "-")

    try:
        _check_basic_auth(request, services.settings)
        body = await _read_body(request, services.settings.max_body_bytes)
        result = await _handle_in_time(services, body, request, sns_headers)
    except SnsReceiverError as error:
        response = error_response(error)
        if isinstance(error, AuthenticationRequired):
            response.headers.update(BASIC_CHALLENGE)
        outcome = f"rejected:{error.code}"
        services.metrics.rejections.labels(error.code).inc()
        level = logging.WARNING if isinstance(error, MessageRejected) else logging.ERROR
        logger.log(level, "refused SNS message %s: %s", message_id, error)
    except Exception:
        logger.exception("failed to handle SNS message %s", message_id)
        response = JSONResponse(
            status_code=HTTPStatus.INTERNAL_SERVER_ERROR,
            content=error_body(
                "internal_error", "The message could not be handled; SNS will retry."
            ),
        )
        outcome = "error"
    else:
        verified = True
        message_type = result.message.type
        message_id = result.message.message_id
        topic = result.message.topic_arn
        outcome = result.outcome
        for action in result.actions:
            services.metrics.suppression_actions.labels(action).inc()
        response = JSONResponse(
            status_code=HTTPStatus.OK,
            content={"status": outcome, "message_id": message_id},
        )

    elapsed = time.perf_counter() - started
    services.metrics.messages.labels(message_type, outcome.split(":")[0]).inc()
    services.metrics.handler_seconds.labels(message_type).observe(elapsed)
    # The line's fields are built only when someone reads the delivery log.
    if delivery_log.isEnabledFor(logging.INFO):
        duration_ms = round(elapsed * 1000, 1)
        delivery_log.info(
            "sns message=%s topic=%s type=%s outcome=%s status=%d duration_ms=%.1f",
            message_id,
            topic,
            message_type,
            outcome,
            response.status_code,
            duration_ms,
            # The same facts as fields, for SNSRECEIVER_LOG_FORMAT=json.
            extra={
                "sns_message_id": message_id,
                "topic_arn": topic,
                "message_type": message_type,
                "outcome": outcome,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "verified": verified,
            },
        )
    return response


async def _handle_in_time(
    services: Services, body: bytes, request: Request, sns_headers: DeliveryHeaders
) -> DeliveryResult:
    """Handles the delivery, giving up in time for SNS to hear a 503.

    A transaction cut short rolls back, so a retry finds nothing half done; one
    that committed just before the deadline makes the retry a duplicate.
    """
    limit = services.settings.delivery_timeout
    at = _replay_moment(request, services.settings)
    try:
        async with asyncio.timeout(limit):
            return await services.deliveries.handle(body, sns_headers, at=at)
    except TimeoutError:
        raise DeliveryTimedOut(
            f"Handling the message took over {limit:g} s; SNS will deliver it again."
        ) from None


def _sns_headers(request: Request) -> DeliveryHeaders:
    """The ``x-amz-sns-*`` headers, the only ones the verifier compares.

    One pass over the raw list, whose names ASGI servers hand over in lower
    case; copying every header through Starlette's mapping cost 3 to 4 µs.
    """
    return DeliveryHeaders.from_asgi(request.headers.raw)


def _check_basic_auth(request: Request, settings: Settings) -> None:
    """Demands the configured HTTP Basic credentials, when there are any."""
    if settings.webhook_username is None or settings.webhook_password is None:
        return

    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        user, _, password = decoded.partition(":")
        expected_password = settings.webhook_password.get_secret_value()
        user_ok = hmac.compare_digest(user.encode(), settings.webhook_username.encode())
        password_ok = hmac.compare_digest(password.encode(), expected_password.encode())
        if user_ok and password_ok:
            return

    raise AuthenticationRequired(
        "This endpoint needs the HTTP Basic credentials configured for the "
        "SNS subscription."
    )


def _replay_moment(request: Request, settings: Settings) -> datetime | None:
    """The moment a replayed fixture asks to be judged at, if replays may ask.

    Only with SNSRECEIVER_REPLAY_CLOCK on: ``snsreceiver replay --at message``
    uses it to judge recorded messages at their own Timestamp.
    """
    value = request.headers.get(REPLAY_AT_HEADER)
    if not settings.replay_clock or value is None:
        return None

    moment = parse_aware(value)
    if moment is None:
        raise InvalidRequest(
            f"{REPLAY_AT_HEADER} is {value[:40]!r}; expected an ISO 8601 moment "
            "with a UTC offset.",
            code="invalid_replay_moment",
        )
    return moment


async def _read_body(request: Request, limit: int) -> bytes:
    """Reads the body, refusing it as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise MessageTooLarge(
            f"The body is {declared} bytes; at most {limit} are accepted."
        )

    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise MessageTooLarge(f"The body is over {limit} bytes, the accepted most.")
        chunks.append(chunk)
    return b"".join(chunks)

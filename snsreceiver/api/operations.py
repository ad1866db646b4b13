"""What operators and their monitoring poll: readiness and Prometheus metrics.

Neither needs a token: ``/readyz`` tells a load balancer or orchestrator whether
to send traffic, and ``/metrics`` holds counts, never addresses.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from snsreceiver.api.services import ServicesDep
from snsreceiver.errors import StoreUnavailable
from snsreceiver.metrics import CONTENT_TYPE
from snsreceiver.store.engine import current_revision_is_head
from snsreceiver.suppression.state import Reason

router = APIRouter(tags=["health"])


class Readiness(BaseModel):
    status: str
    database: str


@router.get(
    "/readyz",
    summary="Readiness check",
    description=(
        "Answers 200 when the database answers and its schema is at the newest "
        "migration, 503 with the JSON error shape otherwise. Needs no token."
    ),
    responses={503: {"description": "Database unreachable or migrations pending."}},
)
async def readyz(services: ServicesDep) -> Readiness:
    if not await current_revision_is_head(services.store.engine):
        raise StoreUnavailable(
            "The database schema is not at the newest migration; run "
            "`snsreceiver db upgrade`.",
            code="migrations_pending",
        )
    return Readiness(status="ready", database=services.store.engine.dialect.name)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description=(
        "Metrics in the Prometheus text format: SNS messages by type and outcome, "
        "rejections by error code, certificate cache hits, misses and fetches, "
        "handler latency, and suppressed addresses by reason (counted at a "
        "scrape, at most every SNSRECEIVER_METRICS_COUNT_INTERVAL seconds). Needs "
        "no token."
    ),
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}}},
)
async def metrics(services: ServicesDep) -> Response:
    counts = await services.suppression_counts.get()
    for reason in Reason:
        services.metrics.suppressions.labels(str(reason)).set(counts.get(reason, 0))
    return Response(content=services.metrics.render(), media_type=CONTENT_TYPE)

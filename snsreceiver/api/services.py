"""The long-lived resources of a running app, and the dependency that hands them out.

:func:`open_services` creates them once (the httpx client, the certificate cache,
the database engine and its pool) and closes them on the way out; the app's
lifespan keeps them open for as long as it serves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import httpx
from fastapi import Depends, Request

from snsreceiver.delivery import DeliveryHandler
from snsreceiver.metrics import Metrics, RecentCount
from snsreceiver.settings import Settings
from snsreceiver.sns.certificates import CertificateStore
from snsreceiver.sns.verifier import MessageVerifier
from snsreceiver.store import Store, create_engine, upgrade
from snsreceiver.suppression.policy import SuppressionPolicy


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    http_client: httpx.AsyncClient
    certificates: CertificateStore
    store: Store
    deliveries: DeliveryHandler
    metrics: Metrics
    suppression_counts: RecentCount


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    http_client: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[Services]:
    """Creates every long-lived resource, and closes them all on exit.

    ``http_client`` is injected by tests (with an ``httpx.MockTransport``); when
    it is None a client is created here, and closed here too.
    """
    async with AsyncExitStack() as stack:
        if http_client is None:
            http_client = await stack.enter_async_context(
                httpx.AsyncClient(follow_redirects=False)
            )

        engine = create_engine(settings.database_url)
        stack.push_async_callback(engine.dispose)
        if settings.migrate_on_start:
            await upgrade(engine)

        certificates = CertificateStore.from_settings(settings, http_client)
        verifier = (
            MessageVerifier(settings, certificates)
            if clock is None
            else MessageVerifier(settings, certificates, clock=clock)
        )
        store = Store(engine)
        metrics = Metrics()
        metrics.callbacks.add_counter(
            "snsreceiver_certificate_cache_hits",
            "Signing certificates served from the cache.",
            lambda: certificates.hits,
        )
        metrics.callbacks.add_counter(
            "snsreceiver_certificate_cache_misses",
            "Signing certificate look-ups that missed the cache.",
            lambda: certificates.misses,
        )
        metrics.callbacks.add_counter(
            "snsreceiver_certificate_fetches",
            "Signing certificates fetched from AWS.",
            lambda: certificates.fetches,
        )

        yield Services(
            settings=settings,
            http_client=http_client,
            certificates=certificates,
            store=store,
            deliveries=DeliveryHandler(
                settings,
                verifier,
                store,
                SuppressionPolicy.from_settings(settings),
                http_client,
            ),
            metrics=metrics,
            suppression_counts=RecentCount(
                store.count_suppressions, settings.metrics_count_interval
            ),
        )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

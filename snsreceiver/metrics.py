"""Prometheus metrics, one registry per application.

A registry of its own (rather than prometheus_client's global one) lets several
apps live in one process, as they do in the tests, without clashing names.
Figures that other components already count, such as the certificate cache's hits,
are read at scrape time by :class:`_CallbackCollector` instead of being copied.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Sample = tuple[tuple[str, ...], float]


class _CallbackCollector(Collector):
    """Reports values computed at scrape time by plain callables."""

    def __init__(self) -> None:
        self._counters: list[tuple[str, str, Callable[[], float]]] = []
        self._gauges: list[
            tuple[str, str, tuple[str, ...], Callable[[], Iterable[Sample]]]
        ] = []

    def add_counter(self, name: str, doc: str, read: Callable[[], float]) -> None:
        self._counters.append((name, doc, read))

    def add_gauge(
        self,
        name: str,
        doc: str,
        labels: tuple[str, ...],
        read: Callable[[], Iterable[Sample]],
    ) -> None:
        self._gauges.append((name, doc, labels, read))

    def collect(self) -> Iterator[Metric]:
        for name, doc, read in self._counters:
            yield CounterMetricFamily(name, doc, value=read())
        for name, doc, labels, read_samples in self._gauges:
            family = GaugeMetricFamily(name, doc, labels=list(labels))
            for label_values, value in read_samples():
                family.add_metric(list(label_values), value)
            yield family


class Metrics:
    """Every metric the service exports, registered in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.callbacks = _CallbackCollector()
        self.registry.register(self.callbacks)

        self.messages = Counter(
            "snsreceiver_messages",
            "SNS messages received, by message type and outcome.",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.rejections = Counter(
            "snsreceiver_rejections",
            "SNS requests refused, by error code.",
            ["code"],
            registry=self.registry,
        )
        self.suppression_actions = Counter(
            "snsreceiver_suppression_actions",
            "Changes of suppression state recorded, by history action.",
            ["action"],
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "snsreceiver_handler_seconds",
            "Time to handle one SNS request, from body read to response.",
            ["type"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.suppressions = Gauge(
            "snsreceiver_suppressions",
            "Addresses suppressed, by reason; counted by the store at a scrape, at "
            "most every SNSRECEIVER_METRICS_COUNT_INTERVAL seconds.",
            ["reason"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


class RecentCount:
    """A costly count, made again only when the last one is ``interval`` s old.

    Counting suppressions by reason scans the table (a tenth of a second or more
    at a million rows), and every replica is scraped. Scrapes that arrive while a
    count is under way wait for it rather than starting their own.
    """

    def __init__(
        self,
        count: Callable[[], Awaitable[dict[str, int]]],
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._count = count
        self._interval = interval
        self._clock = clock
        self._lock = asyncio.Lock()
        self._value: dict[str, int] | None = None
        self._counted_at = 0.0

    async def get(self) -> dict[str, int]:
        """The last count if it is recent enough, else a new one."""
        async with self._lock:
            now = self._clock()
            if self._value is None or now - self._counted_at >= self._interval:
                self._value = await self._count()
                self._counted_at = self._clock()
            return self._value

"""The metrics registry's helpers: a count made again only when it is old."""

from __future__ import annotations

import asyncio

from snsreceiver.metrics import RecentCount


class FakeStore:
    """Counts how often it was asked, and answers what it was told."""

    def __init__(self) -> None:
        self.calls = 0
        self.value = {"bounce": 1}
        self.delay = 0.0

    async def count(self) -> dict[str, int]:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return dict(self.value)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestRecentCount:
    async def test_a_recent_count_is_reused(self) -> None:
        """Inside the interval the store is not asked again, even if it changed."""
        store, clock = FakeStore(), Clock()
        counts = RecentCount(store.count, 30, clock=clock)

        first = await counts.get()
        store.value = {"bounce": 2}
        clock.now += 29
        second = await counts.get()

        assert (first, second, store.calls) == ({"bounce": 1}, {"bounce": 1}, 1)

    async def test_an_old_count_is_made_again(self) -> None:
        """Once the interval has passed, the next scrape sees the store's figure."""
        store, clock = FakeStore(), Clock()
        counts = RecentCount(store.count, 30, clock=clock)

        await counts.get()
        store.value = {"bounce": 2}
        clock.now += 30
        again = await counts.get()

        assert (again, store.calls) == ({"bounce": 2}, 2)

    async def test_zero_interval_counts_every_time(self) -> None:
        """An interval of 0 asks the store at every scrape."""
        store = FakeStore()
        counts = RecentCount(store.count, 0, clock=Clock())

        for _ in range(3):
            await counts.get()

        assert store.calls == 3

    async def test_concurrent_scrapes_share_one_count(self) -> None:
        """Scrapes arriving during a count wait for it instead of counting too."""
        store = FakeStore()
        store.delay = 0.05
        counts = RecentCount(store.count, 30, clock=Clock())

        answers = await asyncio.gather(*(counts.get() for _ in range(5)))

        assert store.calls == 1
        assert answers == [{"bounce": 1}] * 5

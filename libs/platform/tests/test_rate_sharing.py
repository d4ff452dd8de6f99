"""Sharing a deployment's rate by the consumer count on a work queue."""

import asyncio

import pytest
from prometheus_client import CollectorRegistry, Gauge

from cohort_platform.rate_sharing import RateSharer, share_of
from cohort_platform.testing import eventually

from .fakes import FakeConsumerCounter, FakeRateLimiter


@pytest.mark.parametrize(
    ("consumers", "share"),
    [(1, 5.0), (2, 2.5), (3, 5 / 3), (4, 1.25), (10, 0.5)],
)
def test_each_instance_takes_an_equal_share(consumers: int, share: float) -> None:
    assert share_of(5.0, consumers) == pytest.approx(share)
    assert share_of(5.0, consumers) * consumers == pytest.approx(5.0)


@pytest.mark.parametrize("consumers", [0, -1])
def test_no_consumers_counted_means_this_instance_is_alone(consumers: int) -> None:
    # Just started and not yet consuming, or its consumer is being re-attached.
    assert share_of(5.0, consumers) == 5.0


async def test_refresh_applies_the_share_for_the_current_count_and_sets_the_gauges() -> None:
    registry = CollectorRegistry()
    rate = Gauge("test_rate", "rate", registry=registry)
    instances = Gauge("test_instances", "instances", registry=registry)
    limiter = FakeRateLimiter(rate=6.0)
    sharer = RateSharer(
        limiter,
        FakeConsumerCounter([3]),
        total_rate=6.0,
        name="test",
        rate_gauge=rate,
        instances_gauge=instances,
    )
    assert registry.get_sample_value("test_rate") == 6.0

    assert await sharer.refresh() == 2.0
    assert limiter.rate == 2.0
    assert sharer.consumers == 3
    assert registry.get_sample_value("test_rate") == 2.0
    assert registry.get_sample_value("test_instances") == 3


async def test_survivors_take_the_share_of_an_instance_that_died_and_give_it_back() -> None:
    limiter = FakeRateLimiter(rate=6.0)
    counter = FakeConsumerCounter([3, 2, 2, 3])
    sharer = RateSharer(limiter, counter, total_rate=6.0, name="test")

    for _ in range(4):
        await sharer.refresh()

    assert limiter.rates_set == [2.0, 3.0, 3.0, 2.0]


async def test_a_failed_count_keeps_the_last_share() -> None:
    limiter = FakeRateLimiter(rate=6.0)
    counter = FakeConsumerCounter([2, ConnectionError("broker gone"), 3])
    sharer = RateSharer(limiter, counter, total_rate=6.0, name="test")

    assert await sharer.refresh() == 3.0
    assert await sharer.refresh() == 3.0
    assert limiter.rates_set == [3.0]
    assert await sharer.refresh() == 2.0


async def test_a_count_that_hangs_is_given_up_and_the_share_kept() -> None:
    class HangingCounter:
        async def consumers(self) -> int:
            await asyncio.Event().wait()
            return 1

    limiter = FakeRateLimiter(rate=4.0)
    sharer = RateSharer(limiter, HangingCounter(), total_rate=4.0, name="test", read_timeout_s=0.05)
    assert await sharer.refresh() == 4.0
    assert limiter.rates_set == []


async def test_start_applies_a_share_at_once_then_refreshes_every_period() -> None:
    limiter = FakeRateLimiter(rate=6.0)
    counter = FakeConsumerCounter([1, 1, 2])
    sharer = RateSharer(limiter, counter, total_rate=6.0, name="test", period_s=0.01)

    await sharer.start()
    assert limiter.rates_set == [6.0]

    async def halved() -> bool:
        return limiter.rate == 3.0

    try:
        await eventually(halved, seconds=2)
    finally:
        await sharer.stop()

    asked = counter.asked
    await asyncio.sleep(0.05)
    assert counter.asked == asked  # stopped: a draining instance keeps its last share
    assert limiter.rate == 3.0

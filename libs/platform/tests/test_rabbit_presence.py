"""Presence and busy sharing against the real RabbitMQ: the consumer count is fresh, a dropped
connection or a deleted queue ends a registration, and sharers with work split the limit
without the shares in force ever adding up to more than the total."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from cohort_contracts.routing import RESOLVE_ROWS
from cohort_platform.busy_sharing import BusyRateSharer, SharingTimes
from cohort_platform.namespaces import delete_namespace
from cohort_platform.rabbit_presence import RabbitPresence, presence_queue
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, isolated_settings, rabbit_namespace
from cohort_platform.topology import Topology
from cohort_testing.rabbit import rabbit_channel

pytestmark = pytest.mark.integration

TOTAL = 30.0
TIMES = SharingTimes(lease_s=0.2, period_s=0.04, linger_s=0.2)


def presence(rabbit: RabbitSettings) -> RabbitPresence:
    return RabbitPresence(rabbit.rabbitmq_url, presence_queue(Topology(rabbit), RESOLVE_ROWS.queue))


async def test_the_count_is_of_registered_instances_now(rabbitmq_url: str) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit:
        first, second = presence(rabbit), presence(rabbit)
        try:
            await first.join()
            assert first.joined
            assert await first.busy() == 1
            await second.join()
            assert await first.busy() == await second.busy() == 2
            await second.leave()
            assert not second.joined
            assert await first.busy() == 1
            await second.join()
            await second.aclose()  # the connection goes: so does the registration
            assert await first.busy() == 1
        finally:
            await first.aclose()
            await second.aclose()


async def test_a_deleted_presence_queue_ends_the_registration(rabbitmq_url: str) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit:
        registered = presence(rabbit)
        try:
            await registered.join()
            async with rabbit_channel(rabbit.rabbitmq_url) as channel:
                await channel.queue_delete(presence_queue(Topology(rabbit), RESOLVE_ROWS.queue))

            async def gone() -> bool:
                return not registered.joined

            await eventually(gone, seconds=5)
            with pytest.raises(Exception, match="NOT_FOUND"):
                await registered.busy()
        finally:
            await registered.aclose()


async def test_deleting_the_namespace_removes_the_presence_queue(rabbitmq_url: str) -> None:
    rabbit = isolated_settings(rabbitmq_url)
    registered = presence(rabbit)
    await registered.join()
    await registered.aclose()
    await delete_namespace(rabbit)

    observer = presence(rabbit)
    try:
        with pytest.raises(Exception, match="NOT_FOUND"):
            await observer.busy()
    finally:
        await observer.aclose()


@asynccontextmanager
async def busy_sharer(
    rabbit: RabbitSettings,
) -> AsyncIterator[tuple[BusyRateSharer, asyncio.Event]]:
    """A sharer with work while the event is set: requests one after another, as lookups do."""
    sharer = BusyRateSharer(presence(rabbit), total_rate=TOTAL, name="test", times=TIMES)
    working = asyncio.Event()
    working.set()

    async def work() -> None:
        while True:
            await working.wait()
            await sharer.acquire()

    await sharer.start()
    worker = asyncio.create_task(work())
    try:
        yield sharer, working
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await sharer.stop()


async def test_instances_with_work_share_the_limit_and_never_exceed_it(rabbitmq_url: str) -> None:
    async with (
        rabbit_namespace(rabbitmq_url) as rabbit,
        busy_sharer(rabbit) as (a, a_working),
        busy_sharer(rabbit) as (b, _),
        busy_sharer(rabbit) as (c, _),
    ):
        sharers = [a, b, c]
        in_force: list[float] = []
        sampling = True

        async def sample() -> None:
            while sampling:
                in_force.append(sum(s.rate for s in sharers))
                await asyncio.sleep(0.005)

        sampler = asyncio.create_task(sample())

        def rates_are(*expected: float) -> Callable[[], Awaitable[bool]]:
            async def reached() -> bool:
                return [s.rate for s in sharers] == pytest.approx(list(expected))

            return reached

        try:
            await eventually(rates_are(TOTAL / 3, TOTAL / 3, TOTAL / 3), seconds=15)
            a_working.clear()  # a runs out of work: its share goes to the others
            await eventually(rates_are(0, TOTAL / 2, TOTAL / 2), seconds=15)
            assert not a.joined
            a_working.set()  # and comes back
            await eventually(rates_are(TOTAL / 3, TOTAL / 3, TOTAL / 3), seconds=15)
        finally:
            sampling = False
            await sampler

        assert max(in_force) <= TOTAL + 1e-9
        assert len(in_force) > 100

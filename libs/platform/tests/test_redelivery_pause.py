"""A failing handler's message goes back to its queue after a pause that doubles with each
delivery, on the real RabbitMQ. Without it, a failure lasting a moment (a connection being
re-established after a broker restart) used up every delivery of the send batches in flight in
150 ms, and they were dead-lettered though nothing was wrong with them (the chaos run)."""

import time
from collections.abc import AsyncIterator
from itertools import pairwise
from uuid import uuid4

import pytest
from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import MESSAGES_SENT
from cohort_contracts.sending import MessagesSent
from cohort_platform.broker import make_broker, publish, start_consuming
from cohort_platform.redelivery import PermanentError, redeliver_on_error, redelivery_pause
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, queue_depth, rabbit_namespace
from cohort_platform.topology import Topology

DLQ = f"{MESSAGES_SENT.queue}.dlq"
PAUSE_S = 0.2


def test_the_pause_doubles_up_to_the_longest() -> None:
    assert [redelivery_pause(n, 0.5, 10.0) for n in range(1, 8)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        10.0,
        10.0,
    ]
    assert redelivery_pause(1_000, 0.5, 10.0) == 10.0
    assert redelivery_pause(3, 0.0, 10.0) == 0.0


@pytest.fixture
async def rabbit(rabbitmq_url: str) -> AsyncIterator[RabbitSettings]:
    async with rabbit_namespace(
        rabbitmq_url, cohort_delivery_limit=3, cohort_redelivery_pause_s=PAUSE_S
    ) as settings:
        yield settings


def event() -> MessagesSent:
    return MessagesSent(
        correlation_id=uuid4(), org_id="A81001", campaign_id=uuid4(), batch_id=uuid4(), outcomes=[]
    )


async def consuming(settings: RabbitSettings, error: Exception) -> tuple[RabbitBroker, list[float]]:
    topology = Topology(settings)
    broker = make_broker(settings)
    taken: list[float] = []

    @broker.subscriber(*topology.subscription(MESSAGES_SENT))
    @redeliver_on_error
    async def fails(_: MessagesSent) -> None:
        taken.append(time.monotonic())
        raise error

    await start_consuming(broker, topology)
    await publish(broker, topology, MESSAGES_SENT, event())
    return broker, taken


@pytest.mark.integration
async def test_a_failing_message_is_redelivered_after_growing_pauses(
    rabbit: RabbitSettings,
) -> None:
    broker, taken = await consuming(rabbit, ConnectionError("channel closed"))
    async with broker:

        async def dead_lettered() -> bool:
            return await queue_depth(rabbit, DLQ) == 1

        await eventually(dead_lettered, seconds=15)

    # Delivered up to the limit and once more, each after the pause of the one before.
    assert len(taken) == 4
    gaps = [later - earlier for earlier, later in pairwise(taken)]
    for delivery, gap in enumerate(gaps, start=1):
        assert gap >= redelivery_pause(delivery, PAUSE_S, 10.0) * 0.95, gaps


@pytest.mark.integration
async def test_a_permanent_failure_is_dead_lettered_without_a_pause(
    rabbit: RabbitSettings,
) -> None:
    broker, taken = await consuming(rabbit, PermanentError("cannot be handled"))
    async with broker:
        started = time.monotonic()

        async def dead_lettered() -> bool:
            return await queue_depth(rabbit, DLQ) == 1

        await eventually(dead_lettered, seconds=15)
        assert time.monotonic() - started < PAUSE_S * 5

    assert len(taken) == 1

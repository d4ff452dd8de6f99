"""Against the real RabbitMQ: the tests' own channel, and draining a queue."""

import uuid

import aio_pika
import pytest

from cohort_testing.rabbit import drain, rabbit_channel

pytestmark = pytest.mark.integration


async def test_drain_takes_every_ready_message_in_order_and_leaves_the_queue_empty(
    rabbitmq_url: str,
) -> None:
    name = f"test-drain-{uuid.uuid4().hex[:12]}"
    async with rabbit_channel(rabbitmq_url) as channel:
        await channel.declare_queue(name, auto_delete=False)
        try:
            for n in range(3):
                await channel.default_exchange.publish(aio_pika.Message(b"%d" % n), name)

            first = await drain(rabbitmq_url, name)
            second = await drain(rabbitmq_url, name)

            assert [m.body for m in first] == [b"0", b"1", b"2"]
            assert second == []
        finally:
            await channel.queue_delete(name)


async def test_draining_a_queue_that_does_not_exist_fails(rabbitmq_url: str) -> None:
    with pytest.raises(aio_pika.exceptions.ChannelClosed):
        await drain(rabbitmq_url, f"test-missing-{uuid.uuid4().hex[:12]}")

"""Real-RabbitMQ helpers: publish raw commands, listen on the events exchange like campaign."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika

from cohort_contracts.envelope import Message
from cohort_contracts.ingest import RowsResolved
from cohort_contracts.routing import RESOLVE_ROWS, ROWS_RESOLVED
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import queue_depth
from cohort_platform.topology import Topology
from cohort_testing.rabbit import rabbit_channel


async def _exchange(
    channel: aio_pika.abc.AbstractChannel, topology: Topology, relative: str
) -> aio_pika.abc.AbstractExchange:
    # Same arguments as cohort_platform.topology, so declaring here is idempotent.
    return await channel.declare_exchange(
        topology.name(relative), aio_pika.ExchangeType.TOPIC, durable=True
    )


async def publish_command(rabbit: RabbitSettings, body: Message | bytes) -> None:
    topology = Topology(rabbit)
    payload = body if isinstance(body, bytes) else body.model_dump_json().encode()
    async with rabbit_channel(rabbit.rabbitmq_url) as channel:
        exchange = await _exchange(channel, topology, RESOLVE_ROWS.exchange)
        await exchange.publish(
            aio_pika.Message(
                payload,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=RESOLVE_ROWS.routing_key,
        )


class EventListener:
    def __init__(self) -> None:
        self.events: asyncio.Queue[RowsResolved] = asyncio.Queue()

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            await self.events.put(RowsResolved.model_validate_json(message.body))

    async def next(self) -> RowsResolved:
        async with asyncio.timeout(15):
            return await self.events.get()


@asynccontextmanager
async def listen_for_rows_resolved(rabbit: RabbitSettings) -> AsyncIterator[EventListener]:
    """A private queue bound to the events exchange with ROWS_RESOLVED's routing key."""
    topology = Topology(rabbit)
    listener = EventListener()
    async with rabbit_channel(rabbit.rabbitmq_url) as channel:
        exchange = await _exchange(channel, topology, ROWS_RESOLVED.exchange)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=ROWS_RESOLVED.routing_key)
        await queue.consume(listener.on_message)
        yield listener


async def wait_for_depth(rabbit: RabbitSettings, queue: str, depth: int) -> int:
    """Polls until ``queue`` holds ``depth`` ready messages (up to 20 s); returns the last seen."""
    deadline = asyncio.get_running_loop().time() + 20
    seen = await queue_depth(rabbit, queue)
    while seen != depth and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
        seen = await queue_depth(rabbit, queue)
    return seen

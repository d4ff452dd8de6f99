"""What tests do to the real RabbitMQ beside the services: open a channel of their own, and take
every message waiting in a queue. Names are absolute (a test namespaces them itself), so this
library needs neither the topology nor the contracts."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage


@asynccontextmanager
async def rabbit_channel(url: str) -> AsyncIterator[AbstractChannel]:
    """A channel on a connection of its own, both closed on the way out."""
    connection = await aio_pika.connect(url)
    async with connection:
        yield await connection.channel()


async def drain(url: str, queue: str) -> list[AbstractIncomingMessage]:
    """Takes (and acknowledges) every message ready in ``queue`` now, oldest first; the queue
    must exist. Messages a consumer holds unacknowledged are not ready, so not taken."""
    async with rabbit_channel(url) as channel:
        declared = await channel.declare_queue(queue, passive=True)
        taken = []
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            taken.append(message)
        return taken

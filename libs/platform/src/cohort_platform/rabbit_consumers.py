"""``rate_sharing.ConsumerCounter``: the consumer count RabbitMQ reports for a queue, asked with a
passive ``queue.declare`` (its ``declare-ok`` carries ``consumer_count``).

Two details matter:

- The declare goes through aiormq's channel (``get_underlay_channel()``), sent afresh on every
  call. aio-pika's ``declare_queue(passive=True)`` hands back a queue object, and FastStream's
  declarer caches those, so their counts would be as old as the first declare.
- It runs on a connection of its own, not the broker's. A passive declare of a queue that does
  not exist (yet) is a channel error that closes the channel; that must never be the channel
  that carries our consumer. After any failure the connection is dropped and made again on
  the next call."""

import asyncio

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection


class RabbitConsumerCounter:
    def __init__(self, rabbitmq_url: str, queue: str, *, timeout_s: float = 5.0) -> None:
        self._url = rabbitmq_url
        self._queue = queue
        self._timeout_s = timeout_s
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None

    async def consumers(self) -> int:
        try:
            async with asyncio.timeout(self._timeout_s):
                channel = await self._open_channel()
                underlay = await channel.get_underlay_channel()
                declared = await underlay.queue_declare(self._queue, passive=True)
        except BaseException:
            await self.aclose()
            raise
        return int(declared.consumer_count or 0)

    async def aclose(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and not connection.is_closed:
            await connection.close()

    async def _open_channel(self) -> AbstractChannel:
        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self._url)
            self._channel = None
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._connection.channel(publisher_confirms=False)
        return self._channel

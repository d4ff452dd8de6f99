"""An AMQP connection and channel of a component's own, never the broker's, for asking RabbitMQ
about a queue (``rabbit_consumers``, ``rabbit_presence``).

- Its own, because a passive ``queue.declare`` of a queue that does not exist (yet) is a channel
  error that closes the channel; that must never be the channel that carries our consumers.
- The declare goes through aiormq's channel (``get_underlay_channel()``), sent afresh on every
  call: aio-pika's ``declare_queue(passive=True)`` hands back a queue object, and FastStream's
  declarer caches those, so their counts would be as old as the first declare.
- The connection is not a robust one, and after any failure (or timeout) it is dropped and
  opened afresh on the next call: what rides on it (a presence registration) ends with it."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection
from pamqp.commands import Queue

T = TypeVar("T")


class SideChannel:
    """``on_drop`` is told whenever the connection is dropped (what rode on it is gone)."""

    def __init__(
        self, rabbitmq_url: str, *, timeout_s: float, on_drop: Callable[[], None] | None = None
    ) -> None:
        self._url = rabbitmq_url
        self._timeout_s = timeout_s
        self._on_drop = on_drop
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        #: The open aiormq channel, if any (its ``consumers`` are the ones still registered).
        self.underlay: aiormq.Channel | None = None

    async def guarded(self, call: Awaitable[T]) -> T:
        """``call`` within the timeout; after any failure the connection is dropped."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await call
        except BaseException:
            await self.aclose()
            raise

    async def consumer_count(self, queue: str) -> int:
        """How many consumers ``queue`` has now, as a passive declare of it answers."""
        declared = await self.guarded(self._passive_declare(queue))
        return int(declared.consumer_count or 0)

    async def open(self) -> aiormq.Channel:
        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self._url)
            self._channel = self.underlay = None
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._connection.channel(publisher_confirms=False)
            underlay = await self._channel.get_underlay_channel()
            if not isinstance(underlay, aiormq.Channel):  # its consumers are read (presence)
                raise TypeError(f"unexpected AMQP channel {type(underlay).__name__}")
            self.underlay = underlay
        assert self.underlay is not None
        return self.underlay

    async def aclose(self) -> None:
        connection = self._connection
        self._connection = self._channel = self.underlay = None
        if self._on_drop is not None:
            self._on_drop()
        if connection is not None and not connection.is_closed:
            await connection.close()

    async def _passive_declare(self, queue: str) -> Queue.DeclareOk:
        underlay = await self.open()
        return await underlay.queue_declare(queue, passive=True)

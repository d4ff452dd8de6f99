"""``busy_sharing.Presence`` on RabbitMQ: an instance that wants requests is a consumer on a
presence queue (``<work queue>.busy``), and the consumer count RabbitMQ reports for that queue
(a passive ``queue.declare``) is the number of such instances.

- Nothing is published to the queue; a stray message would be dropped (``no_ack``). It is a
  classic, non-durable queue that deletes itself after ``EXPIRES_MS`` unused, so a namespace
  left behind does not keep it (``namespaces.delete_namespace`` removes it too).
- The registration and the reads share one connection and one channel of their own, never
  the broker's: a passive declare of a missing queue closes its channel, and when the
  connection goes, the registration and the reads end together (busy_sharing rule 1). The
  connection is not a robust one: one that re-consumed by itself after a reconnect would
  register again without the wait a joining instance owes.
- After any failure the connection is dropped (which also ends a registration) and opened
  afresh on the next call."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection
from aiormq.abc import DeliveredMessage
from pamqp.commands import Queue

from .topology import Topology

T = TypeVar("T")

#: A presence queue nobody has used for an hour is deleted by the broker.
EXPIRES_MS = 3_600_000
SUFFIX = ".busy"


def presence_queue(topology: Topology, work_queue: str) -> str:
    """The presence queue of the instances consuming ``work_queue`` (a relative name)."""
    return topology.name(work_queue + SUFFIX)


async def _drop(message: DeliveredMessage) -> None:
    """Nothing is published to a presence queue; anything that is, is dropped unread."""


class RabbitPresence:
    def __init__(self, rabbitmq_url: str, queue: str, *, timeout_s: float = 5.0) -> None:
        self._url = rabbitmq_url
        self._queue = queue
        self._timeout_s = timeout_s
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._underlay: aiormq.Channel | None = None
        self._consumer_tag: str | None = None

    @property
    def joined(self) -> bool:
        underlay = self._underlay
        return (
            self._consumer_tag is not None
            and underlay is not None
            and not underlay.is_closed
            # aiormq forgets a consumer the broker has cancelled (e.g. its queue was deleted).
            and self._consumer_tag in underlay.consumers
        )

    async def join(self) -> None:
        if self.joined:
            return
        await self._guarded(self._join())

    async def leave(self) -> None:
        tag, self._consumer_tag = self._consumer_tag, None
        underlay = self._underlay
        if tag is None or underlay is None or underlay.is_closed:
            return
        await self._guarded(underlay.basic_cancel(tag))

    async def busy(self) -> int:
        declared = await self._guarded(self._declare(passive=True))
        return int(declared.consumer_count or 0)

    async def aclose(self) -> None:
        connection = self._connection
        self._connection = self._channel = self._underlay = None
        self._consumer_tag = None
        if connection is not None and not connection.is_closed:
            await connection.close()

    async def _join(self) -> None:
        await self._declare(passive=False)
        underlay = await self._open()
        consumed = await underlay.basic_consume(self._queue, _drop, no_ack=True)
        self._consumer_tag = consumed.consumer_tag

    async def _declare(self, *, passive: bool) -> Queue.DeclareOk:
        underlay = await self._open()
        if passive:
            return await underlay.queue_declare(self._queue, passive=True)
        return await underlay.queue_declare(
            self._queue, durable=False, arguments={"x-expires": EXPIRES_MS}
        )

    async def _guarded(self, call: Awaitable[T]) -> T:
        """``call`` within the timeout; after any failure the connection is dropped."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await call
        except BaseException:
            await self.aclose()
            raise

    async def _open(self) -> aiormq.Channel:
        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self._url)
            self._channel = self._underlay = None
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._connection.channel(publisher_confirms=False)
            underlay = await self._channel.get_underlay_channel()
            if not isinstance(underlay, aiormq.Channel):  # its consumers are what ``joined`` reads
                raise TypeError(f"unexpected AMQP channel {type(underlay).__name__}")
            self._underlay = underlay
        assert self._underlay is not None
        return self._underlay

"""``busy_sharing.Presence`` on RabbitMQ: an instance that wants requests is a consumer on a
presence queue (``<work queue>.busy``), and the consumer count RabbitMQ reports for that queue
(a passive ``queue.declare``) is the number of such instances.

- Nothing is published to the queue; a stray message would be dropped (``no_ack``). It is a
  classic, non-durable queue that deletes itself after ``EXPIRES_MS`` unused, so a namespace
  left behind does not keep it (``namespaces.delete_namespace`` removes it too).
- The registration and the reads share one connection and one channel of their own
  (``rabbit_side_channel``), never the broker's: when the connection goes, the registration and
  the reads end together (busy_sharing rule 1). The connection is not a robust one: one that
  re-consumed by itself after a reconnect would register again without the wait a joining
  instance owes.
- After any failure the connection is dropped (which also ends a registration) and opened
  afresh on the next call."""

from aiormq.abc import DeliveredMessage

from .rabbit_side_channel import SideChannel
from .topology import Topology

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
        self._queue = queue
        self._side = SideChannel(rabbitmq_url, timeout_s=timeout_s, on_drop=self._forget)
        self._consumer_tag: str | None = None

    @property
    def joined(self) -> bool:
        underlay = self._side.underlay
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
        await self._side.guarded(self._join())

    async def leave(self) -> None:
        tag, self._consumer_tag = self._consumer_tag, None
        underlay = self._side.underlay
        if tag is None or underlay is None or underlay.is_closed:
            return
        await self._side.guarded(underlay.basic_cancel(tag))

    async def busy(self) -> int:
        return await self._side.consumer_count(self._queue)

    async def aclose(self) -> None:
        await self._side.aclose()

    def _forget(self) -> None:
        # The registration rode on the connection just dropped.
        self._consumer_tag = None

    async def _join(self) -> None:
        underlay = await self._side.open()
        await underlay.queue_declare(
            self._queue, durable=False, arguments={"x-expires": EXPIRES_MS}
        )
        consumed = await underlay.basic_consume(self._queue, _drop, no_ack=True)
        self._consumer_tag = consumed.consumer_tag

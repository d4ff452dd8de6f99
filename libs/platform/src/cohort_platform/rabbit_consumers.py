"""``rate_sharing.ConsumerCounter``: the consumer count RabbitMQ reports for a queue, asked with a
passive ``queue.declare`` (its ``declare-ok`` carries ``consumer_count``) on a connection of its
own (``rabbit_side_channel``: why its own, why afresh, and what happens after a failure)."""

from .rabbit_side_channel import SideChannel


class RabbitConsumerCounter:
    def __init__(self, rabbitmq_url: str, queue: str, *, timeout_s: float = 5.0) -> None:
        self._queue = queue
        self._side = SideChannel(rabbitmq_url, timeout_s=timeout_s)

    async def consumers(self) -> int:
        return await self._side.consumer_count(self._queue)

    async def aclose(self) -> None:
        await self._side.aclose()

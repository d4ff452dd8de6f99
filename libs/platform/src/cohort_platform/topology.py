"""Builds the broker objects for the names in ``cohort_contracts.routing`` and declares them.

Every work queue is a durable quorum queue with a delivery limit and at-least-once
dead-lettering into ``<queue>.dlq``; it is bounded with ``reject-publish`` so a full queue pushes
back on the publisher instead of dropping work (RabbitMQ needs that overflow mode for
at-least-once dead-lettering, see reference/stack.md §7)."""

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from cohort_contracts.routing import ALL_ROUTES, DEAD_LETTER_EXCHANGE, Route

from .settings import RabbitSettings


class Topology:
    def __init__(self, settings: RabbitSettings) -> None:
        self.namespace = settings.cohort_namespace
        self._delivery_limit = settings.cohort_delivery_limit
        self._max_length = settings.cohort_max_queue_length

    def name(self, relative: str) -> str:
        return f"{self.namespace}.{relative}"

    def exchange(self, relative: str) -> RabbitExchange:
        return RabbitExchange(self.name(relative), type=ExchangeType.TOPIC, durable=True)

    def dead_letter_exchange(self) -> RabbitExchange:
        return RabbitExchange(
            self.name(DEAD_LETTER_EXCHANGE), type=ExchangeType.DIRECT, durable=True
        )

    def queue(self, route: Route) -> RabbitQueue:
        return RabbitQueue(
            self.name(route.queue),
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=route.routing_key,
            arguments={
                "x-delivery-limit": self._delivery_limit,
                "x-dead-letter-exchange": self.name(DEAD_LETTER_EXCHANGE),
                "x-dead-letter-routing-key": route.queue,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
                "x-max-length": self._max_length,
            },
        )

    def subscription(self, route: Route) -> tuple[RabbitQueue, RabbitExchange]:
        """The queue a route's consumer reads and the exchange it is bound to: a subscriber's
        (or a described publisher's) first two arguments."""
        return self.queue(route), self.exchange(route.exchange)

    def dead_letter_queue(self, route: Route) -> RabbitQueue:
        return RabbitQueue(
            self.name(f"{route.queue}.dlq"),
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=route.queue,
        )

    async def declare(
        self,
        broker: RabbitBroker,
        routes: tuple[Route, ...] = ALL_ROUTES,
        *,
        leave: frozenset[str] = frozenset(),
    ) -> None:
        """Declare every queue, its dead-letter queue and bindings (idempotent); the queues
        named in ``leave`` only get their dead-letter queue (their subscriber declares them).

        Publishers declare too, so a message is never unroutable because its consumer has not
        started yet."""
        dlx = await broker.declare_exchange(self.dead_letter_exchange())
        for route in routes:
            exchange = await broker.declare_exchange(self.exchange(route.exchange))
            if self.name(route.queue) not in leave:
                queue = await broker.declare_queue(self.queue(route))
                await queue.bind(exchange, routing_key=route.routing_key)
            dlq = await broker.declare_queue(self.dead_letter_queue(route))
            await dlq.bind(dlx, routing_key=route.queue)

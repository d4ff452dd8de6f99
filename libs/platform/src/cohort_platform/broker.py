"""One way to build a broker and publish on it, for every service."""

import logging
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from faststream.rabbit.subscriber import RabbitSubscriber

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route

from .errors import describe
from .message_metrics import MessageMetrics
from .redelivery import delivery_number, pause_before_redelivery
from .rpc import RpcClient, RpcServing
from .settings import RabbitSettings
from .topology import Topology

log = logging.getLogger("cohort.broker")


class IdOnlyErrorLog(BaseMiddleware):
    """Logs a failed handler with what an operator needs and no payload: the exception's type
    and scrubbed message (``errors.describe``), the message id, routing key and how many times
    the broker has delivered it (quorum queues count deliveries in ``x-delivery-count``; the
    message is dead-lettered when that reaches ``COHORT_DELIVERY_LIMIT``).

    FastStream's own logger is switched off: its error lines quote the exception, and a pydantic
    validation error quotes the payload, which can hold patient data (DESIGN §4)."""

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except Exception as exc:
            raw = getattr(msg, "raw_message", None)
            log.warning(
                "handler failed",
                extra={
                    "message_id": msg.message_id,
                    "correlation_id": msg.correlation_id,
                    "routing_key": getattr(raw, "routing_key", None),
                    "redelivered": getattr(raw, "redelivered", None),
                    "delivery_count": delivery_number(msg),
                    **describe(exc),
                },
            )
            raise


def make_broker(settings: RabbitSettings, *, prefetch: int = 16) -> RabbitBroker:
    return RabbitBroker(
        settings.rabbitmq_url,
        logger=None,
        graceful_timeout=settings.cohort_graceful_timeout_s,
        # Tracing first (outermost), so a failure's log line is written inside its span. It
        # costs next to nothing while tracing is off (cohort_platform.tracing). A request
        # dropped by ``RpcServing`` is not counted as handled.
        # The pause outside the error log, so a failure is logged when it happens.
        middlewares=[
            RabbitTelemetryMiddleware(),
            RpcServing,
            MessageMetrics,
            pause_before_redelivery(
                settings.cohort_redelivery_pause_s, settings.cohort_redelivery_pause_max_s
            ),
            IdOnlyErrorLog,
        ],
        # on_return_raises: an unroutable message is an error, not a silent drop.
        default_channel=Channel(prefetch_count=prefetch, on_return_raises=True),
    )


async def publish(broker: RabbitBroker, topology: Topology, route: Route, message: Message) -> None:
    """Publish a persistent message and wait for the broker's confirm."""
    await broker.publish(
        message,
        exchange=topology.exchange(route.exchange),
        routing_key=route.routing_key,
        persist=True,
        message_id=str(message.message_id),
        correlation_id=str(message.correlation_id),
        timeout=30.0,
    )


class RabbitPublisher:
    """A service's publisher (its ``ports`` say which routes): ``publish`` on one broker and
    topology."""

    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def publish(self, route: Route, message: Message) -> None:
        await publish(self._broker, self._topology, route, message)


async def publish_encoded(
    broker: RabbitBroker,
    topology: Topology,
    route: Route,
    body: bytes,
    *,
    message_id: str,
    correlation_id: str,
) -> None:
    """``publish`` for a message already serialised as its contract model's JSON (built in bulk
    where a model per item would cost more than everything else: gateway's row batches)."""
    await broker.publish(
        body,
        exchange=topology.exchange(route.exchange),
        routing_key=route.routing_key,
        persist=True,
        message_id=message_id,
        correlation_id=correlation_id,
        content_type="application/json",
        timeout=30.0,
    )


async def start_consuming(
    broker: RabbitBroker, topology: Topology, *rpc_clients: RpcClient
) -> None:
    """Connect, declare the whole topology and the reply queues, then start the subscribers.
    Declaring first means a message rejected in the first moments is dead-lettered into a queue
    that already exists, and a reply to an early request finds its queue, instead of either
    being dropped."""
    await broker.connect()
    # A subscriber on a channel of its own (a prefetch of its own) declares its queue itself:
    # FastStream keeps one object per queue, bound to the channel that declared it first, and
    # consumes on that channel, so a queue declared here would be consumed at the broker's
    # prefetch instead.
    own_channel = frozenset(
        sub.queue.name
        for sub in broker.subscribers
        if isinstance(sub, RabbitSubscriber) and sub.channel is not None
    )
    await topology.declare(broker, leave=own_channel)
    for rpc in rpc_clients:
        await rpc.declare()
    await broker.start()

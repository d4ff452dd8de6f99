"""Request/reply over RabbitMQ without FastStream's per-broker request lock.

FastStream 0.7.8's ``broker.request`` holds one lock for the whole round trip, so a process can
have only one request in flight (reference/stack.md §1). Here every caller process owns an
exclusive reply queue and matches replies to waiting futures by correlation id, so concurrent
HTTP requests stay concurrent. What a request and its reply mean is the caller's business: this
sends a message to a route and hands back the reply's bytes.

``RpcServing`` is the answering side's half, in every service's broker: a request whose asker
has stopped waiting is dropped unhandled, and a reply whose asker has gone is dropped; neither
is dead-lettered, because neither is work that failed (the asker was told it timed out, and
asks again or reports the failure)."""

import asyncio
import logging
import time
import uuid
from typing import Any

from aio_pika.exceptions import AMQPError, ChannelInvalidStateError, PublishError
from faststream import BaseMiddleware
from faststream.exceptions import AckMessage
from faststream.message import StreamMessage
from faststream.rabbit import RabbitBroker, RabbitMessage, RabbitQueue
from faststream.response import PublishCommand
from faststream.response.publish_type import PublishType
from prometheus_client import Counter

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route

from .topology import Topology

log = logging.getLogger("cohort.rpc")

#: When the asker stops waiting, in milliseconds since the epoch (the asker's clock; hosts
#: keep time by NTP, and the timeouts here are seconds).
REPLY_BY = "x-cohort-reply-by"

ABANDONED = Counter(
    "cohort_rpc_abandoned",
    "Requests dropped without an answer because their asker had stopped waiting ('request': "
    "taken from the queue after its deadline; 'reply': answered, but the asker's reply queue "
    "had gone, e.g. it restarted)",
    ["what"],
)
for _what in ("request", "reply"):
    ABANDONED.labels(_what)


class RpcTimeout(Exception):
    """Nobody answered in time (down, overloaded or the request was lost)."""


class RpcUnavailable(RpcTimeout):
    """The request could not be sent: the connection to RabbitMQ is down or being
    re-established. No answer will come; asking again shortly may work."""


class RpcClient:
    """Register with ``attach`` before the broker starts; then ``call`` from any task."""

    def __init__(self, broker: RabbitBroker, topology: Topology, *, caller: str, timeout: float):
        self._broker = broker
        self._topology = topology
        self._timeout = timeout
        self._pending: dict[str, asyncio.Future[bytes]] = {}
        self.reply_queue = topology.name(f"replies.{caller}.{uuid.uuid4().hex}")
        self._queue = RabbitQueue(self.reply_queue, durable=False, exclusive=True, auto_delete=True)

    def attach(self) -> None:
        # A private reply queue, no contract: left out of the AsyncAPI document.
        @self._broker.subscriber(self._queue, no_reply=True, include_in_schema=False)
        async def on_reply(msg: RabbitMessage) -> None:
            future = self._pending.pop(msg.correlation_id, None)
            if future is not None and not future.done():
                future.set_result(msg.body)

    async def declare(self) -> None:
        """Declare the reply queue once connected, before any subscriber starts: FastStream
        starts subscribers in no set order, so a handler that calls out at startup could
        otherwise get its reply routed to a queue that does not exist yet, and lose it."""
        await self._broker.declare_queue(self._queue)

    async def call(self, request: Message, route: Route) -> bytes:
        """The reply's body; raises ``RpcTimeout``."""
        key = str(request.message_id)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            await self._broker.publish(
                request,
                exchange=self._topology.exchange(route.exchange),
                routing_key=route.routing_key,
                reply_to=self.reply_queue,
                correlation_id=key,
                message_id=key,
                # A request nobody picked up in time is worthless: the answering side drops
                # it (``RpcServing``). Not a per-message TTL: RabbitMQ dead-letters expired
                # messages, which would fill the dead-letter queue with requests that failed
                # nothing.
                headers={REPLY_BY: int((time.time() + self._timeout) * 1000)},
                timeout=self._timeout,
            )
            body = await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            raise RpcTimeout(type(request).__name__) from exc
        except (AMQPError, ChannelInvalidStateError, ConnectionError) as exc:
            # A closed channel fails at once; its connection comes back by itself.
            raise RpcUnavailable(type(request).__name__) from exc
        finally:
            self._pending.pop(key, None)
        return body


class RpcServing(BaseMiddleware):
    """Drops, counted and logged, what no asker waits for any more (see the module's note)."""

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        reply_by = (msg.headers or {}).get(REPLY_BY)
        late_ms = int(time.time() * 1000) - reply_by if isinstance(reply_by, int) else 0
        if msg.reply_to and late_ms > 0:
            ABANDONED.labels("request").inc()
            log.info(
                "request dropped: its asker stopped waiting",
                extra={"message_id": msg.message_id, "late_ms": late_ms},
            )
            raise AckMessage
        return await call_next(msg)

    async def publish_scope(self, call_next: Any, cmd: PublishCommand) -> Any:
        if cmd.publish_type is not PublishType.REPLY:
            return await call_next(cmd)
        try:
            return await call_next(cmd)
        except PublishError:
            # Unroutable (channels return what reaches no queue): the asker's private reply
            # queue has gone with its connection. The request was handled; only the answer is
            # lost, and the asker has timed out. Rejecting the request would dead-letter work
            # that succeeded.
            ABANDONED.labels("reply").inc()
            log.warning(
                "reply dropped: its asker has gone", extra={"correlation_id": cmd.correlation_id}
            )
            return None

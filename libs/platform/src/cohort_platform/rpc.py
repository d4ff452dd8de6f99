"""Request/reply over RabbitMQ without FastStream's per-broker request lock.

FastStream 0.7.8's ``broker.request`` holds one lock for the whole round trip, so a process can
have only one request in flight (reference/stack.md §1). Here every caller process owns an
exclusive reply queue and matches replies to waiting futures by correlation id, so concurrent
HTTP requests stay concurrent. What a request and its reply mean is the caller's business: this
sends a message to a route and hands back the reply's bytes."""

import asyncio
import uuid

from faststream.rabbit import RabbitBroker, RabbitMessage, RabbitQueue

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route

from .topology import Topology


class RpcTimeout(Exception):
    """Nobody answered in time (down, overloaded or the request was lost)."""


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
                # A request nobody picked up in time is worthless: let the broker drop it.
                expiration=self._timeout,
                timeout=self._timeout,
            )
            body = await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            raise RpcTimeout(type(request).__name__) from exc
        finally:
            self._pending.pop(key, None)
        return body

"""Dead-letter queues: what is in them, why, and putting messages back (``cohort dlq``).

Every work queue dead-letters into ``<queue>.dlq`` (``topology``). A dead-lettered message
keeps its properties and gains an ``x-death`` header: one entry per queue and reason, each with
the queue it died in, the reason (``rejected``: a handler gave up or the payload did not
validate; ``delivery_limit``: it failed ``COHORT_DELIVERY_LIMIT`` times; ``expired``: a request
nobody answered in time), the exchange and the routing keys it was first published with.

Reading a queue without consuming it is done as RabbitMQ's management UI does: fetch with
``basic.get`` (unacked), then give back every message not chosen (``nack`` with requeue). A
message is replayed by publishing it, with its own ``message_id`` and properties, to the
exchange and routing key it was first published with, waiting for the broker's confirm, and
only then acking the dead-lettered copy. At-least-once dead-lettering can leave two copies of
one message in a DLQ; a replay publishes one and removes both, so a message is replayed once.
Consumers are idempotent by ``message_id`` (DESIGN §3), which covers the one window left: the
tool dying between the confirm and the ack."""

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from cohort_contracts.routing import ALL_ROUTES, Route

from .settings import RabbitSettings
from .topology import Topology

#: Headers RabbitMQ adds when it dead-letters or redelivers; a replayed message starts afresh.
_BROKER_HEADERS = frozenset(
    {
        "x-death",
        "x-first-death-reason",
        "x-first-death-queue",
        "x-first-death-exchange",
        "x-last-death-reason",
        "x-last-death-queue",
        "x-last-death-exchange",
        "x-delivery-count",
    }
)
REPLAYED_HEADER = "x-cohort-replayed-at"


class UnknownQueue(ValueError):
    """Not one of Cohort's work queues or their DLQs."""


@dataclass(frozen=True)
class Death:
    reason: str
    queue: str
    exchange: str
    routing_key: str
    count: int
    time: datetime | None


@dataclass(frozen=True)
class DeadLetter:
    """A dead-lettered message as an operator may see it: properties and headers, and the body
    only for ``--show-payload`` (it can hold patient data)."""

    message_id: str | None
    correlation_id: str | None
    content_type: str | None
    reply_to: str | None
    deaths: tuple[Death, ...]
    headers: dict[str, Any]
    body: bytes = field(repr=False)

    @property
    def first_death(self) -> Death | None:
        # x-death is newest first; the message's own route is where it first died.
        return self.deaths[-1] if self.deaths else None

    @property
    def reason(self) -> str:
        return self.first_death.reason if self.first_death else "unknown"


@dataclass(frozen=True)
class DlqSummary:
    queue: str
    depth: int
    reasons: dict[str, int]


@dataclass(frozen=True)
class ReplayResult:
    replayed: list[str]
    duplicates_removed: int
    skipped: dict[str, str]
    not_found: list[str]


def resolve_route(name: str) -> Route:
    """``ingest.resolve-rows``, ``ingest.resolve-rows.dlq`` or a routing key → its route."""
    relative = name.removesuffix(".dlq")
    for route in ALL_ROUTES:
        if relative in (route.queue, route.routing_key):
            return route
    known = ", ".join(sorted(f"{r.queue}.dlq" for r in ALL_ROUTES))
    raise UnknownQueue(f"{name!r} is not a Cohort queue; the DLQs are: {known}")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _deaths(headers: dict[str, Any]) -> tuple[Death, ...]:
    deaths = []
    for entry in headers.get("x-death") or ():
        keys = entry.get("routing-keys") or [""]
        when = entry.get("time")
        deaths.append(
            Death(
                reason=_text(entry.get("reason", "unknown")),
                queue=_text(entry.get("queue", "")),
                exchange=_text(entry.get("exchange", "")),
                routing_key=_text(keys[0]),
                count=int(entry.get("count", 1)),
                time=when.replace(tzinfo=UTC) if isinstance(when, datetime) else None,
            )
        )
    return tuple(deaths)


def _dead_letter(message: AbstractIncomingMessage) -> DeadLetter:
    headers = dict(message.headers or {})
    return DeadLetter(
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        content_type=message.content_type,
        reply_to=message.reply_to,
        deaths=_deaths(headers),
        headers={k: v for k, v in headers.items() if k not in _BROKER_HEADERS},
        body=message.body,
    )


class DeadLetters:
    """Operations on one deployment's DLQs (``COHORT_NAMESPACE`` at ``RABBITMQ_URL``)."""

    def __init__(self, settings: RabbitSettings) -> None:
        self._settings = settings
        self._topology = Topology(settings)

    def dlq_name(self, route: Route) -> str:
        return self._topology.name(f"{route.queue}.dlq")

    @asynccontextmanager
    async def _channel(self) -> AsyncIterator[AbstractChannel]:
        connection = await aio_pika.connect(self._settings.rabbitmq_url)
        async with connection:
            # on_return_raises: a replay that reaches no queue is an error, never a silent drop.
            yield await connection.channel(publisher_confirms=True, on_return_raises=True)

    async def _depth(self, channel: AbstractChannel, queue: str) -> int:
        underlay = await channel.get_underlay_channel()
        declared = await underlay.queue_declare(queue, passive=True)
        return int(declared.message_count or 0)

    @asynccontextmanager
    async def _fetched(
        self, channel: AbstractChannel, route: Route, limit: int
    ) -> AsyncIterator[list[AbstractIncomingMessage]]:
        """Up to ``limit`` messages, held unacked; whatever the caller leaves unsettled goes
        back to the queue on the way out."""
        queue = await channel.get_queue(self.dlq_name(route), ensure=True)
        held: list[AbstractIncomingMessage] = []
        try:
            while len(held) < limit:
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                held.append(message)
            yield held
        finally:
            for message in held:
                if not message.processed:
                    await message.nack(requeue=True)

    async def summaries(self, *, sample: int = 1000) -> list[DlqSummary]:
        """Every DLQ with its depth and the reasons of (up to ``sample`` of) its messages."""
        result = []
        async with self._channel() as channel:
            for route in ALL_ROUTES:
                depth = await self._depth(channel, self.dlq_name(route))
                reasons: Counter[str] = Counter()
                if depth:
                    async with self._fetched(channel, route, min(depth, sample)) as held:
                        reasons.update(_dead_letter(m).reason for m in held)
                result.append(DlqSummary(self.dlq_name(route), depth, dict(reasons)))
        return result

    async def show(self, route: Route, *, limit: int = 20) -> list[DeadLetter]:
        async with self._channel() as channel, self._fetched(channel, route, limit) as held:
            return [_dead_letter(m) for m in held]

    async def replay(
        self, route: Route, message_ids: Iterable[str] | None, *, limit: int = 10_000
    ) -> ReplayResult:
        """Publish the chosen messages (all, when ``message_ids`` is None) once each to where
        they were first published, then remove them and any duplicate copies from the DLQ."""
        wanted = None if message_ids is None else set(message_ids)
        replayed: list[str] = []
        skipped: dict[str, str] = {}
        duplicates = 0
        async with self._channel() as channel, self._fetched(channel, route, limit) as held:
            for message in held:
                letter = _dead_letter(message)
                key = letter.message_id or f"(no message_id, delivery {message.delivery_tag})"
                if wanted is not None and key not in wanted:
                    continue
                if key in replayed:
                    await message.ack()
                    duplicates += 1
                    continue
                refusal = _refusal(letter)
                if refusal:
                    skipped[key] = refusal
                    continue
                await self._republish(channel, message, letter)
                await message.ack()
                replayed.append(key)
        missing = sorted((wanted or set()) - set(replayed) - set(skipped))
        return ReplayResult(replayed, duplicates, skipped, missing)

    async def _republish(
        self, channel: AbstractChannel, message: AbstractIncomingMessage, letter: DeadLetter
    ) -> None:
        death = letter.first_death
        assert death is not None  # _refusal turned away messages without x-death
        headers = dict(letter.headers)
        headers[REPLAYED_HEADER] = datetime.now(UTC).isoformat()
        exchange = await channel.get_exchange(death.exchange, ensure=True)
        await exchange.publish(
            aio_pika.Message(
                body=message.body,
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                message_id=message.message_id,
                correlation_id=message.correlation_id,
                app_id=message.app_id,
                type=message.type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=death.routing_key,
            mandatory=True,
        )

    async def purge(self, route: Route, message_ids: Iterable[str] | None) -> int:
        """Delete the chosen messages, or the whole DLQ; returns how many went."""
        async with self._channel() as channel:
            if message_ids is None:
                queue = await channel.get_queue(self.dlq_name(route), ensure=True)
                purged = await queue.purge()
                return int(purged.message_count or 0)
            wanted = set(message_ids)
            depth = await self._depth(channel, self.dlq_name(route))
            removed = 0
            async with self._fetched(channel, route, depth) as held:
                for message in held:
                    if message.message_id in wanted:
                        await message.ack()
                        removed += 1
            return removed


def _refusal(letter: DeadLetter) -> str | None:
    if letter.first_death is None:
        return "no x-death header: not dead-lettered by RabbitMQ, so its route is unknown"
    if letter.reply_to:
        return "a request whose caller has stopped waiting (reply_to set); purge it instead"
    return None

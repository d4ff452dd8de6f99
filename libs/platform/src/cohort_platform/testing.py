"""Helpers for tests that use the real RabbitMQ: a private namespace per test, removed after."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aio_pika

from .namespaces import delete_namespace
from .settings import RabbitSettings
from .topology import Topology

__all__ = ["delete_namespace", "eventually", "isolated_settings", "queue_depth", "rabbit_namespace"]


def isolated_settings(rabbitmq_url: str, **overrides: object) -> RabbitSettings:
    """Settings with a fresh namespace, so parallel or repeated runs never see each other."""
    return RabbitSettings(
        rabbitmq_url=rabbitmq_url,
        cohort_namespace=f"test-{uuid.uuid4().hex[:12]}",
        **overrides,  # type: ignore[arg-type]
    )


@asynccontextmanager
async def rabbit_namespace(rabbitmq_url: str, **overrides: object) -> AsyncIterator[RabbitSettings]:
    settings = isolated_settings(rabbitmq_url, **overrides)
    try:
        yield settings
    finally:
        await delete_namespace(settings)


async def queue_depth(settings: RabbitSettings, relative_queue: str) -> int:
    """Messages ready in a queue (a passive declare; aio-pika's cached one would be stale)."""
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        underlay = await channel.get_underlay_channel()
        result = await underlay.queue_declare(Topology(settings).name(relative_queue), passive=True)
        return int(result.message_count or 0)


async def eventually(predicate: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Wait until ``predicate`` holds; for state that lives in another process or the broker,
    where polling is the only way to observe it."""
    async with asyncio.timeout(seconds):
        while not await predicate():  # noqa: ASYNC110 - the state is not ours to signal
            await asyncio.sleep(0.05)

"""Integration tests: the real RabbitMQ, a private namespace per test, a fake campaign."""

import asyncio
import os
from collections.abc import AsyncIterator, Callable

import aio_pika
import pytest

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import rabbit_namespace

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
DELIVERY_LIMIT = 2


@pytest.fixture
async def rabbit() -> AsyncIterator[RabbitSettings]:
    try:
        connection = await aio_pika.connect(RABBITMQ_URL, timeout=3)
    except Exception:
        pytest.skip(f"no RabbitMQ at {RABBITMQ_URL}")
    await connection.close()
    async with rabbit_namespace(
        RABBITMQ_URL, cohort_delivery_limit=DELIVERY_LIMIT, cohort_rpc_timeout_s=5.0
    ) as settings:
        yield settings


async def eventually(check: Callable[[], bool], *, within_s: float = 15.0) -> None:
    """Waits until ``check()`` holds; fails the test if it never does."""
    for _ in range(int(within_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    pytest.fail("condition not met in time")

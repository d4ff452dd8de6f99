"""Integration tests: the real RabbitMQ, a private namespace per test, a fake campaign."""

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import rabbit_namespace

DELIVERY_LIMIT = 2


@pytest.fixture
async def rabbit(rabbitmq_url: str) -> AsyncIterator[RabbitSettings]:
    async with rabbit_namespace(
        rabbitmq_url, cohort_delivery_limit=DELIVERY_LIMIT, cohort_rpc_timeout_s=5.0
    ) as settings:
        yield settings


async def eventually(check: Callable[[], bool], *, within_s: float = 15.0) -> None:
    """Waits until ``check()`` holds; fails the test if it never does."""
    for _ in range(int(within_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    pytest.fail("condition not met in time")

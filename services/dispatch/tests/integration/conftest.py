"""Integration tests: the real RabbitMQ, a private namespace per test, a fake campaign."""

from collections.abc import AsyncIterator, Callable

import pytest

from cohort_platform import testing
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import queue_depth, rabbit_namespace

DELIVERY_LIMIT = 2


@pytest.fixture
async def rabbit(rabbitmq_url: str) -> AsyncIterator[RabbitSettings]:
    async with rabbit_namespace(
        rabbitmq_url, cohort_delivery_limit=DELIVERY_LIMIT, cohort_rpc_timeout_s=5.0
    ) as settings:
        yield settings


async def eventually(check: Callable[[], bool], *, within_s: float = 15.0) -> None:
    """Waits until ``check()`` holds (state the fake campaign records); fails the test if it
    never does."""

    async def holds() -> bool:
        return check()

    await testing.eventually(holds, within_s)


async def wait_for_depth(rabbit: RabbitSettings, queue: str, depth: int) -> None:
    """Waits until ``queue`` holds ``depth`` ready messages."""

    async def reached() -> bool:
        return await queue_depth(rabbit, queue) == depth

    await testing.eventually(reached)

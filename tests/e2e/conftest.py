import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import delete_namespace
from cohort_testing.servers import SHARED

from .stack import Stack


@pytest.fixture(scope="session", autouse=True)
def _broker(rabbitmq_url: str) -> Iterator[None]:
    """Every stack uses the RabbitMQ the test session found (``RABBITMQ_URL``, else a
    testcontainers one); without any, every end-to-end test is skipped with the reason."""
    previous = os.environ.get("RABBITMQ_URL")
    os.environ["RABBITMQ_URL"] = rabbitmq_url
    yield
    if previous is None:
        os.environ.pop("RABBITMQ_URL", None)
    else:
        os.environ["RABBITMQ_URL"] = previous


@pytest.fixture(scope="session", autouse=True)
def _store() -> Iterator[None]:
    """The end-to-end suite runs against a real MongoDB wherever one exists (``MONGODB_URL``,
    else a testcontainers one where Docker runs), and on the in-process stand-in otherwise."""
    previous = os.environ.get("MONGODB_URL")
    if (url := SHARED.mongodb().url) is not None:
        os.environ["MONGODB_URL"] = url
    yield
    if previous is None:
        os.environ.pop("MONGODB_URL", None)
    else:
        os.environ["MONGODB_URL"] = previous


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(log_dir=Path(tmp_path_factory.mktemp("e2e-logs")))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        asyncio.run(
            delete_namespace(
                RabbitSettings(
                    rabbitmq_url=running.rabbitmq_url, cohort_namespace=running.namespace
                )
            )
        )

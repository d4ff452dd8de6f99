import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import delete_namespace

from .stack import Stack


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

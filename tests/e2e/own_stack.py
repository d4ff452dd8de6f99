"""For modules that need a stack with settings of their own: the same start, stop and clean-up
as conftest's ``stack`` fixture, with ``extra_env``."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import delete_namespace

from .stack import Stack


def run_stack(
    log_dir: Path, extra_env: dict[str, str], *, with_patient: bool = False
) -> Iterator[Stack]:
    running = Stack(log_dir=log_dir, extra_env=extra_env, with_patient=with_patient)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        settings = RabbitSettings(
            rabbitmq_url=running.rabbitmq_url, cohort_namespace=running.namespace
        )
        asyncio.run(delete_namespace(settings))

"""A stack's life in a test module or script: started, then stopped and its RabbitMQ namespace
deleted whatever happened meanwhile. Conftest's ``stack`` fixture uses it as it is; modules that
need settings of their own use ``run_stack`` with ``extra_env``."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import delete_namespace

from .stack import Stack


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        settings = RabbitSettings(rabbitmq_url=stack.rabbitmq_url, cohort_namespace=stack.namespace)
        asyncio.run(delete_namespace(settings))


def run_stack(
    tmp_path_factory: pytest.TempPathFactory,
    extra_env: dict[str, str],
    *,
    with_patient: bool = False,
) -> Iterator[Stack]:
    """A module fixture's stack, its processes' logs in a temporary folder of their own."""
    log_dir = Path(tmp_path_factory.mktemp("e2e-logs"))
    with running(Stack(log_dir=log_dir, extra_env=extra_env, with_patient=with_patient)) as stack:
        yield stack

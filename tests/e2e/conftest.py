from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from cohort_testing.servers import SHARED

from .browser import chromium
from .own_stack import running
from .stack import Stack


@pytest.fixture(scope="session", autouse=True)
def _broker(rabbitmq_url: str) -> Iterator[None]:
    """Every stack uses the RabbitMQ the test session found (``RABBITMQ_URL``, else a
    testcontainers one); without any, every end-to-end test is skipped with the reason."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RABBITMQ_URL", rabbitmq_url)
        yield


@pytest.fixture(scope="session", autouse=True)
def _store() -> Iterator[None]:
    """The end-to-end suite runs against a real MongoDB wherever one exists (``MONGODB_URL``,
    else a testcontainers one where Docker runs), and on the in-process stand-in otherwise."""
    with pytest.MonkeyPatch.context() as env:
        if (url := SHARED.mongodb().url) is not None:
            env.setenv("MONGODB_URL", url)
        yield


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running(Stack(log_dir=Path(tmp_path_factory.mktemp("e2e-logs")))) as stack:
        yield stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running_browser:
        yield running_browser

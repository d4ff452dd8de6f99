from collections.abc import Iterator
from pathlib import Path

import pytest

from .stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(log_dir=Path(tmp_path_factory.mktemp("e2e-logs")))
    try:
        running.start()
        yield running
    finally:
        running.stop()

from collections.abc import Iterator
from pathlib import Path

import pytest

from cohort_testing.mesh_sandbox import MeshSandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeshSandbox]:
    base = Path(tmp_path_factory.mktemp("mesh"))
    running = MeshSandbox(base / "logs", base / "store").start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def fresh_sandbox(sandbox: MeshSandbox) -> MeshSandbox:
    """Every test starts with empty mailboxes (the sandbox's own reset)."""
    sandbox.reset()
    return sandbox

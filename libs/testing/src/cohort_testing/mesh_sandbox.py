"""NHS England's mesh-sandbox for tests: started as a process of its own (its own venv, made by
``scripts/mesh-sandbox.sh``), full HMAC authentication, messages kept as files in ``store`` so a
restart keeps them. Also the fake GP system (``python -m fake_gp``) beside it."""

import json
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .child_server import ChildServer

ROOT = Path(__file__).resolve().parents[4]
SHARED_KEY = "cohort-dev-shared-key"
SENDER = "X26COHORT1"
SENDER_PASSWORD = "cohort-dev-mesh-password"
PRACTICE_MAILBOXES = {"A81001": "A81001GP1", "A81002": "A81002GP1"}


class MeshSandbox(ChildServer):
    def __init__(self, log_dir: Path, store: Path, port: int | None = None) -> None:
        super().__init__("mesh-sandbox", log_dir, port)
        self.store = store

    def start(self) -> "MeshSandbox":
        self._run(
            ["bash", "scripts/mesh-sandbox.sh", "run"],
            {
                "MESH_SANDBOX_PORT": str(self.port),
                "MESH_SANDBOX_STORE": str(self.store),
                "MESH_SANDBOX_SHARED_KEY": SHARED_KEY,
            },
            "/health",
            120,
        )
        return self

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def reset(self) -> None:
        """Empty every mailbox. The sandbox's own reset (``DELETE /messageexchange/admin/reset``)
        reloads the file store from disk, so the files are removed and the sandbox restarted."""
        self.stop()
        shutil.rmtree(self.store, ignore_errors=True)
        self.start()

    def report(
        self,
        *,
        mailbox: str,
        linked_message_id: str,
        local_id: str,
        code: str,
        description: str,
        workflow_id: str = "GPCONNECT_SEND_DOCUMENT",
    ) -> None:
        """Drops a MESH error REPORT (an NDR) into ``mailbox``, as MESH does when a message it
        accepted is not delivered."""
        self._request(
            "POST",
            "/messageexchange/admin/report",
            {
                "mailbox_id": mailbox,
                "code": code,
                "description": description,
                "workflow_id": workflow_id,
                "linked_message_id": linked_message_id,
                "local_id": local_id,
            },
        )


class FakeGp(ChildServer):
    """``python -m fake_gp`` on the practice mailboxes; ``behaviours`` as FAKE_GP_BEHAVIOURS."""

    def __init__(self, log_dir: Path, mesh_url: str, behaviours: str = "", port: int | None = None):
        super().__init__("fake-gp", log_dir, port)
        self.mesh_url = mesh_url
        self.behaviours = behaviours

    def start(self) -> "FakeGp":
        self._run(
            [sys.executable, "-m", "fake_gp"],
            {
                "FAKE_GP_PORT": str(self.port),
                "FAKE_GP_MESH_URL": self.mesh_url,
                "FAKE_GP_BEHAVIOURS": self.behaviours,
                "FAKE_GP_MESH_SHARED_KEY": SHARED_KEY,
                "FAKE_GP_POLL_INTERVAL_S": "0.3",
            },
            "/healthz",
            60,
        )
        return self

    def documents(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/_sim/documents", timeout=30) as response:
            found: list[dict[str, Any]] = json.loads(response.read())
        return found

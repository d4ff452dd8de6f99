"""NHS England's mesh-sandbox for tests: started as a process of its own (its own venv, made by
``scripts/mesh-sandbox.sh``), full HMAC authentication, messages kept as files in ``store`` so a
restart keeps them. Also the fake GP system (``python -m fake_gp``) beside it."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .ports import free_port

ROOT = Path(__file__).resolve().parents[4]
SHARED_KEY = "cohort-dev-shared-key"
SENDER = "X26COHORT1"
SENDER_PASSWORD = "cohort-dev-mesh-password"
PRACTICE_MAILBOXES = {"A81001": "A81001GP1", "A81002": "A81002GP1"}


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not ready in {seconds}s")
        time.sleep(0.2)


class _Process:
    def __init__(self, name: str, log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            args, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
        return self.process

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class _LocalServer:
    """A server run as a child process on a local port, its output in ``<name>.log``."""

    def __init__(self, name: str, log_dir: Path, port: int | None) -> None:
        self.port = port or free_port()
        self._proc = _Process(name, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, args: list[str], env: dict[str, str], health: str, seconds: float) -> None:
        """Spawns the server and returns once ``health`` answers 200."""
        process = self._proc.spawn(args, env)
        _wait(f"{self.url}{health}", process, self._proc.log, seconds)

    def stop(self) -> None:
        self._proc.stop()


class MeshSandbox(_LocalServer):
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

    def restart(self) -> None:
        self.stop()
        self.start()

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


class FakeGp(_LocalServer):
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

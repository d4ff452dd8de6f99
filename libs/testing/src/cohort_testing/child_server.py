"""A server a test runs as a child process on a loopback port (mesh-sandbox, the fake GP
system, the OIDC provider): its output in ``<log_dir>/<name>.log``, ready once its health URL
answers 200, stopped with SIGTERM (SIGKILL after 15 s)."""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Self

from .ports import free_port

ROOT = Path(__file__).resolve().parents[4]


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
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


class ChildProcess:
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


class ChildServer(ABC):
    """A server run as a child process on a local port, its output in ``<name>.log``."""

    def __init__(self, name: str, log_dir: Path, port: int | None) -> None:
        self.port = port or free_port()
        self._proc = ChildProcess(name, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, args: list[str], env: dict[str, str], health: str, seconds: float) -> None:
        """Spawns the server and returns once ``health`` answers 200."""
        process = self._proc.spawn(args, env)
        wait_until_ready(f"{self.url}{health}", process, self._proc.log, seconds)

    @abstractmethod
    def start(self) -> Self:
        """Spawns it (``_run``) and returns once it is ready."""

    def stop(self) -> None:
        self._proc.stop()

    def restart(self) -> None:
        self.stop()
        self.start()

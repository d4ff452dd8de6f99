"""A RabbitMQ node of the chaos run's own, on free ports with its data in a temporary directory.

The chaos run stops and starts its broker; doing that to the shared one at 127.0.0.1:5672 would
break every other test and helper using it. ``rabbitmq-server`` drops to the ``rabbitmq`` user
when started as root, so the directories are handed to that user."""

import os
import pwd
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cohort_testing.ports import free_port


def available() -> str | None:
    """Why a private node cannot be started here, or None if it can."""
    if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
        return "rabbitmq-server and rabbitmqctl are not installed"
    return None


@dataclass
class PrivateBroker:
    base: Path
    node: str = field(default_factory=lambda: f"chaos-{uuid.uuid4().hex[:8]}@localhost")
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.base / "feature_flags"),
            "RABBITMQ_PID_FILE": str(self.base / "rabbitmq.pid"),
            "ERL_CRASH_DUMP": str(self.base / "log" / "erl_crash.dump"),
        }

    def start(self, timeout: float = 90.0) -> "PrivateBroker":
        self.base.chmod(0o755)
        for sub in ("mnesia", "log"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        # No management plugin: nothing here needs it, and it would want a port of its own.
        (self.base / "enabled_plugins").write_text("[].\n")
        # The system config names the shared listener (127.0.0.1:5672): ours replaces it.
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        if os.geteuid() == 0:
            self._give_to_rabbitmq_user()
        log = (self.base / "server.out").open("wb")
        self.process = subprocess.Popen(
            ["rabbitmq-server"], env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        self.await_running(timeout)
        return self

    def _give_to_rabbitmq_user(self) -> None:
        try:
            user = pwd.getpwnam("rabbitmq")
        except KeyError:
            return
        for path in [self.base, *self.base.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)

    def ctl(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["rabbitmqctl", "-q", "-n", self.node, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def await_running(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.ctl("await_startup", "--timeout", "5", timeout=30).returncode != 0:
            if self.process is not None and self.process.poll() is not None:
                tail = (self.base / "server.out").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"private RabbitMQ exited:\n{tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"private RabbitMQ not up in {timeout}s")
            time.sleep(0.5)

    def restart_app(self, down_s: float) -> None:
        """``stop_app``, ``down_s`` seconds without a broker, ``start_app``: every connection
        drops, and queues and persistent messages come back from disk."""
        stopped = self.ctl("stop_app")
        if stopped.returncode != 0:
            raise RuntimeError(f"stop_app failed: {stopped.stderr}")
        time.sleep(down_s)
        started = self.ctl("start_app")
        if started.returncode != 0:
            raise RuntimeError(f"start_app failed: {started.stderr}")
        self.await_running(60)

    def stop(self) -> None:
        if self.process is None:
            return
        self.ctl("stop")
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)

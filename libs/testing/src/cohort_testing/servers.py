"""Which real RabbitMQ and MongoDB the tests run against, and why not when there is none.

In order: the server the environment names (``RABBITMQ_URL``, ``MONGODB_URL``), then a
container started through testcontainers when a Docker engine answers (images pinned), else
nothing, with the reason, so the tests that need the server report themselves as skipped
instead of silently not running. ``python -m cohort_testing.servers`` prints the choice."""

import contextlib
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
RABBITMQ_IMAGE = "rabbitmq:3.13-management"
#: The server version the schema and indexes are written for (DESIGN §8).
MONGODB_IMAGE = "mongo:7.0"


@dataclass(frozen=True)
class Server:
    url: str | None
    #: Where the URL came from, or why there is none.
    source: str

    def describe(self, name: str) -> str:
        if self.url is None:
            return f"{name}: none ({self.source})"
        return f"{name}: {_without_password(self.url)} ({self.source})"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def reachable(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    default = 5672 if parts.scheme.startswith("amqp") else 27017
    address = (parts.hostname or "127.0.0.1", parts.port or default)
    try:
        with socket.create_connection(address, timeout):
            return True
    except OSError:
        return False


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


class Servers:
    """Resolved once per test session; containers are started only when a test asks."""

    def __init__(self) -> None:
        self._containers: list[Any] = []
        self._rabbitmq: Server | None = None
        self._mongodb: Server | None = None
        self._docker: bool | None = None

    def _has_docker(self) -> bool:
        if self._docker is None:
            self._docker = docker_available()
        return self._docker

    def plan(self) -> tuple[Server, Server]:
        """What would be used, without starting anything (for the report header)."""
        rabbit_url = os.environ.get("RABBITMQ_URL", DEFAULT_RABBITMQ_URL)
        if reachable(rabbit_url):
            rabbit = Server(rabbit_url, "RABBITMQ_URL" if "RABBITMQ_URL" in os.environ else "local")
        elif self._has_docker():
            rabbit = Server(None, f"testcontainers {RABBITMQ_IMAGE}, started on first use")
        else:
            rabbit = Server(None, f"nothing answers at {_without_password(rabbit_url)}, no Docker")
        if mongo_url := os.environ.get("MONGODB_URL"):
            mongo = Server(mongo_url, "MONGODB_URL")
        elif self._has_docker():
            mongo = Server(None, f"testcontainers {MONGODB_IMAGE}, started on first use")
        else:
            mongo = Server(
                None,
                "no MONGODB_URL and no Docker engine: tests against a real MongoDB are skipped",
            )
        return rabbit, mongo

    def rabbitmq(self) -> Server:
        if self._rabbitmq is None:
            self._rabbitmq = self._started(self.plan()[0], self._start_rabbitmq)
        return self._rabbitmq

    def mongodb(self) -> Server:
        if self._mongodb is None:
            self._mongodb = self._started(self.plan()[1], self._start_mongodb)
        return self._mongodb

    def _started(self, planned: Server, start: Callable[[], Server]) -> Server:
        """``planned``, or a container ``start`` brings up where nothing answers and Docker runs."""
        if planned.url is None and self._has_docker():
            return start()
        return planned

    def _start_rabbitmq(self) -> Server:
        from testcontainers.community.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer(RABBITMQ_IMAGE).start()
        self._containers.append(container)
        host, port = container.get_container_host_ip(), container.get_exposed_port(container.port)
        url = f"amqp://{container.username}:{container.password}@{host}:{port}/"
        return Server(url, f"testcontainers {RABBITMQ_IMAGE}")

    def _start_mongodb(self) -> Server:
        from testcontainers.community.mongodb import MongoDbContainer

        container = MongoDbContainer(MONGODB_IMAGE).start()
        self._containers.append(container)
        return Server(container.get_connection_url(), f"testcontainers {MONGODB_IMAGE}")

    def stop(self) -> None:
        for container in reversed(self._containers):
            with contextlib.suppress(Exception):
                container.stop()
        self._containers.clear()


#: The one resolution per test process (the plugin's fixtures and any conftest share it, so a
#: container is started at most once).
SHARED = Servers()


def main() -> int:
    rabbit, mongo = Servers().plan()
    sys.stdout.write(
        f"stores: {rabbit.describe('RabbitMQ')}; {mongo.describe('MongoDB')}; "
        "the in-process MongoDB stand-in always\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

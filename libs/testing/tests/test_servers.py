"""Which servers a test run uses, and the reason it gives when there is none."""

import pytest

from cohort_testing import servers
from cohort_testing.servers import Servers


@pytest.fixture
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(servers, "docker_available", lambda: False)


@pytest.mark.usefixtures("no_docker")
def test_the_environment_names_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db.example:27017/")
    monkeypatch.setattr(servers, "reachable", lambda url, timeout=1.0: True)
    monkeypatch.setenv("RABBITMQ_URL", "amqp://cohort:secret@mq.example:5672/")
    rabbit, mongo = Servers().plan()
    assert (rabbit.url, rabbit.source) == ("amqp://cohort:secret@mq.example:5672/", "RABBITMQ_URL")
    assert "secret" not in rabbit.describe("RabbitMQ")
    assert (mongo.url, mongo.source) == ("mongodb://db.example:27017/", "MONGODB_URL")


@pytest.mark.usefixtures("no_docker")
def test_without_servers_or_docker_the_reason_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGODB_URL", raising=False)
    monkeypatch.setenv("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1/")
    found = Servers()
    assert found.rabbitmq().url is None
    assert "no Docker" in found.rabbitmq().source
    assert found.mongodb().url is None
    assert "no MONGODB_URL and no Docker engine" in found.mongodb().source


def test_with_docker_a_container_is_planned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGODB_URL", raising=False)
    monkeypatch.setattr(servers, "docker_available", lambda: True)
    _, mongo = Servers().plan()
    assert mongo.url is None
    assert mongo.source.startswith("testcontainers mongo:7.0")

"""A worker's HTTP face: health, readiness, and its AsyncAPI document."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.rabbit import RabbitBroker, RabbitQueue
from starlette.applications import Starlette
from starlette.testclient import TestClient

from cohort_contracts.ingest import ResolveRows
from cohort_platform.health import broker_ready, service_app, worker_app


@asynccontextmanager
async def nothing(_: Starlette) -> AsyncIterator[None]:
    yield


async def always() -> bool:
    return True


def test_a_worker_serves_the_asyncapi_document_of_what_it_consumes() -> None:
    broker = RabbitBroker("amqp://guest:secret@rabbitmq:5672/")

    @broker.subscriber(RabbitQueue("test.resolve-rows", routing_key="ingest.resolve_rows"))
    async def on_rows(command: ResolveRows) -> None: ...

    app = service_app(nothing, {"broker": always}, asyncapi=("Cohort test", lambda: broker))
    with TestClient(app) as client:
        document = client.get("/asyncapi")
        as_yaml = client.get("/asyncapi.yaml")
        assert client.get("/readyz").json() == {"status": "ready", "checks": {"broker": True}}

    assert document.status_code == 200
    spec = document.json()
    assert spec["info"]["title"] == "Cohort test"
    assert "ResolveRows" in spec["components"]["schemas"]
    assert "secret" not in document.text
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert "asyncapi: 3.0.0" in as_yaml.text


def test_before_the_broker_exists_the_document_is_not_ready() -> None:
    app = service_app(nothing, {}, asyncapi=("Cohort test", lambda: None))
    with TestClient(app) as client:
        assert client.get("/asyncapi").status_code == 503


def test_a_worker_is_ready_when_its_broker_answers_and_its_other_checks_pass() -> None:
    class Broker(RabbitBroker):
        answers = True

        async def ping(self, timeout: float | None) -> bool:  # noqa: ASYNC109 (its signature)
            return self.answers

    broker = Broker("amqp://guest:guest@rabbitmq:5672/")

    async def failing() -> bool:
        raise ConnectionError

    app = worker_app(nothing, "Cohort test", broker, {"mongodb": always})
    down = worker_app(nothing, "Cohort test", broker, {"mongodb": failing})
    with TestClient(app) as client, TestClient(down) as down_client:
        assert client.get("/readyz").json()["checks"] == {"broker": True, "mongodb": True}
        assert down_client.get("/readyz").status_code == 503
        broker.answers = False
        assert client.get("/readyz").json()["checks"] == {"broker": False, "mongodb": True}
        assert client.get("/asyncapi").json()["info"]["title"] == "Cohort test"


async def test_a_broker_not_yet_made_is_not_ready() -> None:
    assert await broker_ready(lambda: None)() is False

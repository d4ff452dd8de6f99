"""Ingest against the real RabbitMQ: each test in its own namespace, PDS a local stub server."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from faststream.rabbit import RabbitBroker

from cohort_contracts.ingest import UploadedRow
from cohort_contracts.routing import RESOLVE_ROWS
from cohort_contracts.vocabulary import UploadReason
from cohort_platform.broker import make_broker
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import queue_depth, rabbit_namespace
from cohort_platform.topology import Topology
from cohort_testing.local_server import serve
from ingest.adapters.rabbit_publisher import RabbitEventPublisher
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.entrypoints.app import create_app
from ingest.entrypoints.consumer import register_consumer
from ingest.handlers import Dependencies

from ..builders import make_command, make_row
from ..fakes import FixedClock, FlakyPublisher
from ..fhir import NHS_NUMBER, make_patient, security
from ..pds_stub import BASE_PATH, PdsStub
from .rabbit import listen_for_rows_resolved, publish_command, wait_for_depth

pytestmark = pytest.mark.integration

RESTRICTED = "9434765919"
DLQ = f"{RESOLVE_ROWS.queue}.dlq"


def ingest_settings(pds_url: str) -> IngestSettings:
    return IngestSettings(
        pds_base_url=pds_url + BASE_PATH,
        pds_rate_limit=1000,
        pds_retry_attempts=2,
        pds_backoff_initial_s=0.001,
        pds_backoff_max_s=0.01,
    )


def pds_stub() -> PdsStub:
    return PdsStub(
        patients={
            NHS_NUMBER: make_patient(),
            RESTRICTED: make_patient(id=RESTRICTED, meta=security("R")),
        }
    )


def sample_rows() -> list[UploadedRow]:
    return [
        make_row(1, NHS_NUMBER),
        make_row(2, "123"),
        make_row(3, RESTRICTED),
        make_row(4, "9727194737"),
    ]


@asynccontextmanager
async def running_consumer(
    rabbit: RabbitSettings, pds_url: str, *, failures: int, fail_before_publish: bool = False
) -> AsyncIterator[FlakyPublisher]:
    """The consumer wired by hand, so a test can put a misbehaving publisher in front."""
    broker: RabbitBroker = make_broker(rabbit, prefetch=2)
    topology = Topology(rabbit)
    directory = build_directory(ingest_settings(pds_url))
    publisher = FlakyPublisher(
        RabbitEventPublisher(broker, topology), failures, fail_before_publish
    )
    register_consumer(broker, topology, Dependencies(directory, publisher, FixedClock()))
    try:
        await broker.start()
        await topology.declare(broker)
        yield publisher
    finally:
        await broker.stop()
        await directory.aclose()


async def test_resolve_rows_on_the_real_queue_publishes_rows_resolved(rabbitmq_url: str) -> None:
    stub = pds_stub()
    async with rabbit_namespace(rabbitmq_url) as rabbit, serve(stub.app()) as pds_url:
        app = create_app(ingest_settings(pds_url), rabbit)
        async with app.router.lifespan_context(app), listen_for_rows_resolved(rabbit) as events:
            transport = httpx2.ASGITransport(app=app)
            async with httpx2.AsyncClient(transport=transport, base_url="http://ingest") as http:
                assert (await http.get("/readyz")).status_code == 200

            command = make_command(sample_rows())
            await publish_command(rabbit, command)
            event = await events.next()

    assert event.correlation_id == command.correlation_id
    assert (event.campaign_id, event.list_id, event.batch_number) == (
        command.campaign_id,
        command.list_id,
        command.batch_number,
    )
    assert [o.row_number for o in event.outcomes] == [1, 2, 3, 4]
    assert [o.reason_code for o in event.outcomes] == [
        None,
        UploadReason.INVALID_NHS_NUMBER,
        UploadReason.RESTRICTED_RECORD,
        UploadReason.NOT_FOUND,
    ]
    assert event.outcomes[0].patient is not None
    assert event.outcomes[0].patient.contact == "447700900123"
    headers = stub.requests_for(NHS_NUMBER)[0].headers
    assert headers["x-correlation-id"] == str(command.correlation_id)
    assert headers["nhsd-end-user-organisation-ods"] == command.org_id


async def test_redelivered_batch_publishes_identical_outcomes(rabbitmq_url: str) -> None:
    stub = pds_stub()
    async with (
        rabbit_namespace(rabbitmq_url) as rabbit,
        serve(stub.app()) as pds_url,
        listen_for_rows_resolved(rabbit) as events,
        # The first publish reaches the broker but "loses its confirm": the handler raises.
        running_consumer(rabbit, pds_url, failures=1) as publisher,
    ):
        command = make_command(sample_rows())
        await publish_command(rabbit, command)
        first = await events.next()
        second = await events.next()
        assert await wait_for_depth(rabbit, RESOLVE_ROWS.queue, 0) == 0
        assert await queue_depth(rabbit, DLQ) == 0

    assert publisher.calls == 2
    assert len(stub.requests_for(NHS_NUMBER)) == 2  # looked up again on redelivery
    assert first.outcomes == second.outcomes
    assert first.list_id == second.list_id == command.list_id


async def test_malformed_commands_are_dead_lettered(rabbitmq_url: str) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, serve(pds_stub().app()) as pds_url:
        app = create_app(ingest_settings(pds_url), rabbit)
        async with app.router.lifespan_context(app):
            await publish_command(rabbit, b'{"kind": "ResolveRows", "rows": "not rows"}')
            await publish_command(rabbit, b"\x00 not json")
            assert await wait_for_depth(rabbit, DLQ, 2) == 2
            assert await queue_depth(rabbit, RESOLVE_ROWS.queue) == 0


async def test_batch_that_keeps_failing_is_dead_lettered_after_the_delivery_limit(
    rabbitmq_url: str,
) -> None:
    async with (
        rabbit_namespace(rabbitmq_url, cohort_delivery_limit=2) as rabbit,
        serve(pds_stub().app()) as pds_url,
        running_consumer(rabbit, pds_url, failures=100, fail_before_publish=True) as publisher,
    ):
        await publish_command(rabbit, make_command(sample_rows()))
        assert await wait_for_depth(rabbit, DLQ, 1) == 1
        assert publisher.calls == 3  # the first delivery and two redeliveries

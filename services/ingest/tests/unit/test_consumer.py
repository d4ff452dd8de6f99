"""The subscriber wiring, in memory (FastStream's TestRabbitBroker)."""

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker

from cohort_contracts.ingest import RowsResolved
from cohort_contracts.routing import RESOLVE_ROWS, ROWS_RESOLVED
from cohort_contracts.vocabulary import UploadReason
from cohort_platform.broker import make_broker, publish
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from ingest.adapters.rabbit_publisher import RabbitEventPublisher
from ingest.domain.patient import parse_patient
from ingest.entrypoints.consumer import register_consumer
from ingest.handlers import Dependencies

from ..builders import make_command, make_row
from ..fakes import FakePatientDirectory, FixedClock
from ..fhir import NHS_NUMBER, make_patient

TOPOLOGY = Topology(RabbitSettings())


@pytest.fixture
def broker(clock: FixedClock) -> RabbitBroker:
    broker = make_broker(RabbitSettings())
    directory = FakePatientDirectory(records={NHS_NUMBER: parse_patient(make_patient())})
    deps = Dependencies(directory, RabbitEventPublisher(broker, TOPOLOGY), clock)
    register_consumer(broker, TOPOLOGY, deps)
    return broker


async def test_resolve_rows_publishes_rows_resolved(broker: RabbitBroker) -> None:
    received: list[RowsResolved] = []

    @broker.subscriber(TOPOLOGY.queue(ROWS_RESOLVED), TOPOLOGY.exchange(ROWS_RESOLVED.exchange))
    async def campaign(event: RowsResolved) -> None:
        received.append(event)

    command = make_command([make_row(1, NHS_NUMBER), make_row(2, "")])
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, TOPOLOGY, RESOLVE_ROWS, command)

    [event] = received
    assert event.correlation_id == command.correlation_id
    assert event.list_id == command.list_id
    assert [o.reason_code for o in event.outcomes] == [None, UploadReason.MISSING_NHS_NUMBER]


async def test_malformed_command_never_reaches_the_handler(broker: RabbitBroker) -> None:
    async with TestRabbitBroker(broker) as test_broker:
        with pytest.raises(Exception, match="validation error"):
            await test_broker.publish(
                {"kind": "ResolveRows", "rows": "not rows"},
                exchange=TOPOLOGY.exchange(RESOLVE_ROWS.exchange),
                routing_key=RESOLVE_ROWS.routing_key,
            )

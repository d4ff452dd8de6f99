"""Every routing key has exactly one consuming service, and it is the one the contracts name
(Notify's test_all_queues_used, for our topology). Built from each service's real
subscriber registration, so a handler removed or added twice fails here."""

from collections import Counter
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.subscriber import RabbitSubscriber

from campaign.entrypoints.consumer import register as register_campaign
from cohort_contracts.routing import ALL_ROUTES, RECORD_ENTRIES, RECORD_STATUS
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from dispatch.entrypoints.consumer import register as register_dispatch
from ingest.entrypoints.consumer import register_consumer as register_ingest
from record.entrypoints.consumer import register as register_record

TOPOLOGY = Topology(RabbitSettings(cohort_namespace="routing-test"))
SERVICES = ("campaign", "ingest", "dispatch", "gateway", "record")
UNUSED: Any = None  # registration only wires handlers; it does not touch their dependencies


def consumed_by(service: str) -> list[str]:
    broker = RabbitBroker()
    if service == "campaign":
        register_campaign(broker, TOPOLOGY, UNUSED, UNUSED)
    elif service == "ingest":
        register_ingest(broker, TOPOLOGY, UNUSED)
    elif service == "dispatch":
        register_dispatch(broker, TOPOLOGY, UNUSED)
    elif service == "record":
        register_record(broker, TOPOLOGY, UNUSED)
    queues = []
    for subscriber in broker.subscribers:
        assert isinstance(subscriber, RabbitSubscriber)
        queues.append(subscriber.queue.name)
    return queues


def test_each_routing_key_has_exactly_one_consuming_service() -> None:
    consumers = {s: consumed_by(s) for s in SERVICES}
    every = Counter(q for queues in consumers.values() for q in queues)
    internal = [r for r in ALL_ROUTES if r.consumer in consumers]
    for route in internal:
        queue = TOPOLOGY.name(route.queue)
        assert every[queue] == 1, f"{route.routing_key} is consumed {every[queue]} times"
        assert queue in consumers[route.consumer], f"{route.routing_key} not in {route.consumer}"
    assert set(every) == {TOPOLOGY.name(r.queue) for r in internal}


def test_save_to_record_is_consumed_by_the_record_service() -> None:
    """The record-entries queue keeps its name from before the record service existed, so
    entries queued by an older deployment are consumed, not stranded."""
    assert RECORD_ENTRIES.queue == "ehr.record-entries"
    assert TOPOLOGY.name(RECORD_ENTRIES.queue) in consumed_by("record")
    assert TOPOLOGY.name(RECORD_STATUS.queue) in consumed_by("campaign")

"""FastStream subscriber: decode ``RecordEntriesRequested`` (or a single ``RecordEntryRequested``),
accept each entry, settle the message
(errors requeue up to the delivery limit; invalid payloads dead-letter at once)."""

from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import RECORD_ENTRIES
from cohort_contracts.sending import RecordEntryEvent
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.topology import Topology

from ..handlers.deps import Deps
from ..handlers.entries import accept_entries


def register(broker: RabbitBroker, topology: Topology, deps: Deps) -> None:
    @broker.subscriber(*topology.subscription(RECORD_ENTRIES))
    @redeliver_on_error
    async def on_record_entry(event: RecordEntryEvent) -> None:
        await accept_entries(event, deps)

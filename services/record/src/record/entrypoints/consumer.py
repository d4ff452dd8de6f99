"""FastStream subscriber: decode ``RecordEntryRequested``, accept it, settle the message
(errors requeue up to the delivery limit; invalid payloads dead-letter at once)."""

from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import RECORD_ENTRIES
from cohort_contracts.sending import RecordEntryRequested
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.topology import Topology

from ..handlers.deps import Deps
from ..handlers.entries import accept_entry


def register(broker: RabbitBroker, topology: Topology, deps: Deps) -> None:
    @broker.subscriber(topology.queue(RECORD_ENTRIES), topology.exchange(RECORD_ENTRIES.exchange))
    @redeliver_on_error
    async def on_record_entry(event: RecordEntryRequested) -> None:
        await accept_entry(event, deps)

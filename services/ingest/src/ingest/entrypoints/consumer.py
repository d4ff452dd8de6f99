"""FastStream subscriber for ``ResolveRows``.

A payload that is not a valid ``ResolveRows`` is rejected before the handler runs and goes to
the dead-letter queue. Anything the handler raises (PDS never makes it raise; a failed publish
does) requeues the batch, which is dead-lettered after the queue's delivery limit."""

from faststream.rabbit import RabbitBroker

from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import RESOLVE_ROWS
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.topology import Topology

from ..handlers import Dependencies, resolve_rows


def register_consumer(broker: RabbitBroker, topology: Topology, deps: Dependencies) -> None:
    @broker.subscriber(topology.queue(RESOLVE_ROWS), topology.exchange(RESOLVE_ROWS.exchange))
    @redeliver_on_error
    async def on_resolve_rows(command: ResolveRows) -> None:
        await resolve_rows(command, deps)

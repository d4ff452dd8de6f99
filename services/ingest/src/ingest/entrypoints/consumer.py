"""FastStream subscriber for ``ResolveRows``.

A payload that is not a valid ``ResolveRows`` is rejected before the handler runs and goes to
the dead-letter queue. Anything the handler raises (PDS never makes it raise; a failed publish
does) requeues the batch, which is dead-lettered after the queue's delivery limit."""

from faststream.rabbit import RabbitBroker

from cohort_contracts.ingest import RecheckPatients, ResolveRows
from cohort_contracts.routing import RECHECK_PATIENTS, RESOLVE_ROWS
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.topology import Topology

from ..handlers import Dependencies, recheck_patients, resolve_rows


def register_consumer(broker: RabbitBroker, topology: Topology, deps: Dependencies) -> None:
    @broker.subscriber(*topology.subscription(RESOLVE_ROWS))
    @redeliver_on_error
    async def on_resolve_rows(command: ResolveRows) -> None:
        await resolve_rows(command, deps)

    @broker.subscriber(*topology.subscription(RECHECK_PATIENTS))
    @redeliver_on_error
    async def on_recheck_patients(command: RecheckPatients) -> None:
        await recheck_patients(command, deps)

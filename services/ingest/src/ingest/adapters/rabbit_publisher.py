from faststream.rabbit import RabbitBroker

from cohort_contracts.ingest import RowsResolved
from cohort_contracts.routing import ROWS_RESOLVED
from cohort_platform.broker import publish
from cohort_platform.topology import Topology


class RabbitEventPublisher:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def rows_resolved(self, event: RowsResolved) -> None:
        await publish(self._broker, self._topology, ROWS_RESOLVED, event)

from faststream.rabbit import RabbitBroker

from cohort_contracts.ingest import PatientsRechecked, RowsResolved
from cohort_contracts.routing import PATIENTS_RECHECKED, ROWS_RESOLVED
from cohort_platform.broker import publish
from cohort_platform.topology import Topology


class RabbitEventPublisher:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def rows_resolved(self, event: RowsResolved) -> None:
        await publish(self._broker, self._topology, ROWS_RESOLVED, event)

    async def patients_rechecked(self, event: PatientsRechecked) -> None:
        await publish(self._broker, self._topology, PATIENTS_RECHECKED, event)

from cohort_contracts.ingest import PatientsRechecked, RowsResolved
from cohort_contracts.routing import PATIENTS_RECHECKED, ROWS_RESOLVED
from cohort_platform.broker import RabbitPublisher


class RabbitEventPublisher(RabbitPublisher):
    """Ingest's events, each on its route."""

    async def rows_resolved(self, event: RowsResolved) -> None:
        await self.publish(ROWS_RESOLVED, event)

    async def patients_rechecked(self, event: PatientsRechecked) -> None:
        await self.publish(PATIENTS_RECHECKED, event)

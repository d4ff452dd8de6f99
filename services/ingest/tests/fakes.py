"""Hand-written fakes for ingest's ports."""

from dataclasses import dataclass, field
from datetime import date

from cohort_contracts.ingest import RowsResolved
from cohort_contracts.vocabulary import UploadReason
from ingest.domain.patient import PdsPatient
from ingest.ports import EventPublisher, LookupContext


@dataclass
class FakePatientDirectory:
    records: dict[str, PdsPatient | UploadReason] = field(default_factory=dict)
    lookups: list[tuple[str, LookupContext]] = field(default_factory=list)

    async def lookup(self, nhs_number: str, context: LookupContext) -> PdsPatient | UploadReason:
        self.lookups.append((nhs_number, context))
        return self.records.get(nhs_number, UploadReason.NOT_FOUND)


@dataclass
class FakePublisher:
    published: list[RowsResolved] = field(default_factory=list)
    failures: int = 0

    async def rows_resolved(self, event: RowsResolved) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker gone")
        self.published.append(event)


@dataclass
class FlakyPublisher:
    """Publishes through ``inner`` and then fails ``failures`` times, as when the broker
    received an event but its confirm never reached us: the batch must be redelivered."""

    inner: EventPublisher
    failures: int = 1
    fail_before_publish: bool = False
    calls: int = 0

    async def rows_resolved(self, event: RowsResolved) -> None:
        self.calls += 1
        if not self.fail_before_publish:
            await self.inner.rows_resolved(event)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("confirm lost")


@dataclass
class FixedClock:
    day: date = date(2026, 11, 27)

    def today(self) -> date:
        return self.day

"""Hand-written fakes for ingest's ports."""

import time
from dataclasses import dataclass, field
from datetime import date

from cohort_contracts.ingest import PatientsRechecked, RowsResolved
from cohort_contracts.vocabulary import UploadReason
from ingest.domain.patient import PdsPatient
from ingest.ports import EventPublisher, LookupContext, TokenUnavailable


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
    rechecked: list[PatientsRechecked] = field(default_factory=list)

    async def rows_resolved(self, event: RowsResolved) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker gone")
        self.published.append(event)

    async def patients_rechecked(self, event: PatientsRechecked) -> None:
        self.rechecked.append(event)


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

    async def patients_rechecked(self, event: PatientsRechecked) -> None:
        await self.inner.patients_rechecked(event)


@dataclass
class FixedClock:
    day: date = date(2026, 11, 27)

    def today(self) -> date:
        return self.day


@dataclass
class FakeRateLimiter:
    rate: float = 5.0
    rates_set: list[float] = field(default_factory=list)
    acquired: int = 0

    def set_rate(self, requests_per_second: float) -> None:
        self.rate = requests_per_second
        self.rates_set.append(requests_per_second)

    async def acquire(self) -> None:
        self.acquired += 1


@dataclass
class FakePresence:
    """``cohort_platform.busy_sharing.Presence`` that counts ``others`` besides this instance."""

    others: int = 0
    joined: bool = False

    async def join(self) -> None:
        self.joined = True

    async def leave(self) -> None:
        self.joined = False

    async def busy(self) -> int:
        return self.others + int(self.joined)

    async def aclose(self) -> None:
        self.joined = False


@dataclass
class FakeTokenProvider:
    """Hands out ``token-1``, ``token-2``... : a new one for each ``refreshed`` call, unless it
    is told to fail (``failure``)."""

    issued: int = 1
    refreshes: int = 0
    failure: TokenUnavailable | None = None
    closed: bool = False

    @property
    def current(self) -> str:
        return f"token-{self.issued}"

    async def access_token(self) -> str:
        if self.failure is not None:
            raise self.failure
        return self.current

    async def refreshed(self, rejected: str) -> str:
        self.refreshes += 1
        if self.failure is not None:
            raise self.failure
        if rejected == self.current:
            self.issued += 1
        return self.current

    async def aclose(self) -> None:
        self.closed = True


@dataclass
class SettableClock:
    """Seconds since the epoch, moved by hand; starts at the real time so JWT ``exp`` claims
    built from it are accepted by a real token endpoint."""

    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

"""What ingest needs from the outside world; adapters implement these, tests fake them."""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from cohort_contracts.ingest import PatientsRechecked, RowsResolved
from cohort_contracts.vocabulary import UploadReason

from .domain.patient import PdsPatient


@dataclass(frozen=True)
class LookupContext:
    """Who a lookup is for: sent to PDS as X-Correlation-ID and NHSD-End-User-Organisation-ODS."""

    correlation_id: str
    org_id: str


class PatientDirectory(Protocol):
    """PDS retrieve by NHS number."""

    async def lookup(self, nhs_number: str, context: LookupContext) -> PdsPatient | UploadReason:
        """The patient PDS holds under ``nhs_number`` (the surviving record if it was
        superseded), or ``NOT_FOUND``, ``INVALID_NHS_NUMBER`` or ``PDS_UNAVAILABLE`` (still
        failing after retries). Never raises for anything PDS or the network does."""
        ...


class TokenUnavailable(Exception):
    """No bearer token could be had. ``retryable``: the token endpoint may answer later (5xx,
    timeout, connection refused); otherwise our credentials or set-up are wrong (4xx)."""

    def __init__(self, cause: str, *, retryable: bool) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retryable = retryable


class AccessTokenProvider(Protocol):
    """Supplies the OAuth bearer token for PDS calls: a fixed one, or one obtained with the
    application-restricted signed-JWT flow (reference/pds.md §5), cached until shortly before
    it expires."""

    async def access_token(self) -> str:
        """A token believed valid. Raises ``TokenUnavailable``."""
        ...

    async def refreshed(self, rejected: str) -> str:
        """A token other than ``rejected`` (which PDS has just answered 401), fetching one unless
        a concurrent caller already has. A provider that cannot refresh returns ``rejected``.
        Raises ``TokenUnavailable``."""
        ...

    async def aclose(self) -> None:
        """Releases what the provider holds (its HTTP client)."""
        ...


class RateLimiter(Protocol):
    """Paces requests to PDS at this instance's share of the deployment's limit
    (``cohort_platform.busy_sharing.BusyRateSharer``; alone, ``cohort_platform.rate_limiter``)."""

    async def acquire(self) -> None:
        """Waits until one more request fits the rate, then counts it."""
        ...


class EventPublisher(Protocol):
    async def rows_resolved(self, event: RowsResolved) -> None:
        """Publish durably (confirmed by the broker) or raise."""
        ...

    async def patients_rechecked(self, event: PatientsRechecked) -> None:
        """Publish durably (confirmed by the broker) or raise."""
        ...


class Clock(Protocol):
    def today(self) -> date:
        """Today's date in the UK, where PDS dates (birth, contact periods) are meant."""
        ...

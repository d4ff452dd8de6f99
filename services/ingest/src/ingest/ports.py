"""What ingest needs from the outside world; adapters implement these, tests fake them."""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from cohort_contracts.ingest import RowsResolved
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


class AccessTokenProvider(Protocol):
    """Supplies the OAuth bearer token for PDS calls.

    The application-restricted flow (reference/pds.md §5: a signed RS512 client assertion
    exchanged at /oauth2/token for a ~10 minute token) will implement this, caching the token
    and refreshing it shortly before it expires."""

    async def access_token(self) -> str: ...


class EventPublisher(Protocol):
    async def rows_resolved(self, event: RowsResolved) -> None:
        """Publish durably (confirmed by the broker) or raise."""
        ...


class Clock(Protocol):
    def today(self) -> date:
        """Today's date in the UK, where PDS dates (birth, contact periods) are meant."""
        ...

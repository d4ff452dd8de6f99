"""The patient's side of a link (booking and questionnaire campaigns): link access, appointments and
the practice's appointment system, questionnaire responses and what patients did."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from ..domain.appointments import (
    AppointmentRecord,
    BookedAppointment,
    FreeSlot,
    NewAppointment,
    PatientEvent,
    Requester,
)
from ..domain.patient_access import LinkAccess
from ..domain.questionnaires import QuestionnaireResponse
from ..domain.time_order import TimePosition


class LinkAccessStore(Protocol):
    """Each link's wrong dates of birth, lock and first confirmation."""

    async def get(self, recipient_id: str) -> LinkAccess: ...
    async def wrong_answer(
        self, org_id: str, campaign_id: UUID, recipient_id: str, at: datetime, max_attempts: int
    ) -> LinkAccess:
        """Count one wrong answer (atomically) and lock at ``max_attempts``; the access after."""
        ...

    async def verified(self, recipient_id: str, at: datetime) -> None:
        """Record the first right answer only."""
        ...


T = TypeVar("T")


class TimeOrderedPages(Protocol[T]):
    """A campaign's appointments or questionnaire responses, in the order of a time and then id:
    a page by how many come before it, or the page after a cursor (however deep, at the cost of
    the first page), with how many in all."""

    async def page(self, campaign_id: UUID, skip: int, limit: int) -> tuple[list[T], int]: ...
    async def page_after(
        self, campaign_id: UUID, after: TimePosition, limit: int
    ) -> tuple[list[T], int]: ...


class AppointmentStore(TimeOrderedPages[AppointmentRecord], Protocol):
    """Recipients' booking attempts and appointments (one ``active`` appointment each). Its
    pages are the booked and cancelled appointments, soonest first."""

    async def add(self, record: AppointmentRecord) -> bool:
        """False if a record with this id exists (a repeated request)."""
        ...

    async def get(self, record_id: str) -> AppointmentRecord | None: ...
    async def retry(self, record_id: str) -> bool:
        """Move a ``failed`` attempt back to ``booking`` (the same request tried again)."""
        ...

    async def booked(self, record: AppointmentRecord) -> None:
        """``booking`` → ``booked``, and it becomes the recipient's active appointment."""
        ...

    async def failed(self, record_id: str, failure: str) -> None: ...
    async def cancelled(self, record_id: str, at: datetime, because: str) -> bool:
        """``booked`` → ``cancelled``; False if it was not booked (already cancelled)."""
        ...

    async def active(self, recipient_id: str) -> AppointmentRecord | None: ...
    async def booked_counts(self, campaign_ids: Sequence[UUID]) -> dict[UUID, int]: ...


class AppointmentSystem(Protocol):
    """The practice's appointment book (GP Connect Appointment Management)."""

    async def find_patient(self, who: Requester, nhs_number: str) -> str | None: ...
    async def free_slots(
        self, who: Requester, start: datetime, end: datetime
    ) -> list[FreeSlot]: ...
    async def book(self, who: Requester, appointment: NewAppointment) -> BookedAppointment: ...
    async def cancel(
        self, who: Requester, appointment_id: str, reason: str
    ) -> BookedAppointment: ...
    async def patient_appointments(
        self, who: Requester, patient_id: str, days: int = 90
    ) -> list[BookedAppointment]: ...


class ResponseStore(TimeOrderedPages[QuestionnaireResponse], Protocol):
    """Completed questionnaire responses, one per recipient. Its pages are oldest first."""

    async def add(self, response: QuestionnaireResponse) -> bool:
        """False if the recipient has answered already."""
        ...

    async def get(self, recipient_id: str) -> QuestionnaireResponse | None: ...

    async def counts(self, campaign_ids: Sequence[UUID]) -> dict[UUID, int]: ...


class PatientEvents(Protocol):
    async def add(self, event: PatientEvent) -> bool:
        """False if an event with this key is stored already (a repeat)."""
        ...

    async def of(self, recipient_id: str) -> list[PatientEvent]: ...
    async def counts(
        self, campaign_ids: Sequence[UUID], actions: Sequence[str]
    ) -> dict[tuple[UUID, str], int]: ...

"""What the patient's side of links needs, beside ``Deps``: built by ``bootstrap``."""

from dataclasses import dataclass, field

from ..domain.patient_access import AccessPolicy, SessionSigner
from ..ports.patient_links import (
    AppointmentStore,
    AppointmentSystem,
    LinkAccessStore,
    PatientEvents,
    ResponseStore,
)


@dataclass(frozen=True)
class PracticeInfo:
    name: str
    phone: str | None = None


@dataclass
class PatientDeps:
    access: LinkAccessStore
    appointments: AppointmentStore
    responses: ResponseStore
    events: PatientEvents
    sessions: SessionSigner
    policy: AccessPolicy = field(default_factory=AccessPolicy)
    #: ODS code -> the practice's name and phone number (the organisations file).
    practices: dict[str, PracticeInfo] = field(default_factory=dict)
    #: The practices' appointment books (GP Connect); None: booking is unavailable.
    appointment_system: AppointmentSystem | None = None
    #: How far ahead free slots are offered.
    booking_weeks: int = 3
    #: Longest a repeated booking request waits for the first one's outcome.
    repeat_wait_s: float = 8.0

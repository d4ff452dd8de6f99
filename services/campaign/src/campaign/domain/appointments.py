"""Appointments as the practice's clinical system holds them (GP Connect Appointment
Management), in the words campaign needs: free slots of one type, and a booked appointment."""

from dataclasses import dataclass
from datetime import datetime

from .errors import CampaignError


@dataclass(frozen=True)
class FreeSlot:
    id: str
    start: datetime
    end: datetime
    #: The practice's own name for the slot type (GP Connect ``Slot.serviceType.text``).
    type_text: str
    location: str | None = None
    #: The location's logical id: a booking names it as a participant.
    location_id: str | None = None
    practitioner: str | None = None
    delivery_channel: str | None = None


@dataclass(frozen=True)
class BookedAppointment:
    id: str
    version: str
    status: str
    start: datetime
    end: datetime
    slot_ids: tuple[str, ...]
    type_text: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class NewAppointment:
    """What booking asks the practice's system for: ``slot`` for the patient (their id on
    that system) at ``location_id`` (one of the slot's locations), described for the practice's
    staff."""

    patient_id: str
    slot: FreeSlot
    location_id: str
    description: str
    comment: str | None = None


@dataclass(frozen=True)
class Requester:
    """Who a request to the practice's system is made for (GP Connect's JWT needs a person:
    the member of staff whose campaign sent the link) and by which organisation."""

    user_id: str
    org_ods: str
    org_name: str
    org_phone: str


class SlotTaken(CampaignError):
    """Someone else booked the slot since it was offered (GP Connect 409 DUPLICATE_REJECTED)."""

    code = "conflict"

    def __init__(self, message: str = "That time has just been booked by someone else.") -> None:
        super().__init__(message, reason="slot_taken")


class AppointmentsUnavailable(CampaignError):
    """The practice's appointment system did not answer, or answered with an error of its own."""

    code = "unavailable"


def matches_type(slot_text: str, code: str, display: str) -> bool:
    """GP Connect slots carry only the practice's own words for their type
    (``serviceType.text``): a slot is of the campaign's type when those words are the
    campaign's appointment type (its display text or its code), ignoring case."""
    text = slot_text.strip().casefold()
    return text in (display.strip().casefold(), code.strip().casefold())


@dataclass
class AppointmentRecord:
    """One booking attempt of a recipient and what became of it: ``booking`` (asked the
    practice's system), ``booked``, ``failed`` (``failure`` says why) or ``cancelled``. Its id
    comes from the recipient and the request's idempotency key, so a repeat finds it."""

    id: str
    org_id: str
    campaign_id: str
    recipient_id: str
    slot_id: str
    start: datetime
    end: datetime
    type_text: str
    created_at: datetime
    status: str = "booking"
    location: str | None = None
    practitioner: str | None = None
    gp_id: str | None = None
    booked_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_because: str | None = None
    failure: str | None = None


@dataclass(frozen=True)
class PatientEvent:
    """Something a patient did through their link (ids and times only in logs; here the
    appointment's time is kept, for staff)."""

    key: str
    org_id: str
    campaign_id: str
    recipient_id: str
    action: str
    at: datetime
    details: dict[str, str]


#: What to bring, by appointment type code; every appointment gets the general advice too.
_BRING = {
    "FLU": "Wear a top that lets you show your upper arm.",
    "COVID": "Wear a top that lets you show your upper arm.",
    "SHINGLES": "Wear a top that lets you show your upper arm.",
    "PNEUMO": "Wear a top that lets you show your upper arm.",
    "ASTHMA": "Bring your inhalers and your asthma action plan.",
    "BP": "Bring any home blood pressure readings you have.",
}


def instructions(code: str) -> str:
    """What to bring, for the confirmation page and message."""
    bring = _BRING.get(code.upper(), "")
    return " ".join(part for part in (bring, "Bring a list of any medicines you take.") if part)

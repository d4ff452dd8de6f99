"""GP Connect's FHIR STU3 resources as Cohort reads and writes them: free slots out of a
search bundle, an appointment out of its resource, and the appointments we send (a booking, a
cancellation, an amendment). Pure: no HTTP; ``gpconnect.py`` carries them."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.appointments import BookedAppointment, FreeSlot, NewAppointment, Requester

UK = ZoneInfo("Europe/London")
SD = "https://fhir.nhs.uk/STU3/StructureDefinition/"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ORG_TYPES = "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1"
BOOKING_ORG = SD + "Extension-GPConnect-BookingOrganisation-1"
CANCELLATION_REASON = SD + "Extension-GPConnect-AppointmentCancellationReason-1"
DELIVERY_CHANNEL = SD + "Extension-GPConnect-DeliveryChannel-2"
Resource = dict[str, Any]


def local_time(moment: datetime) -> str:
    return moment.astimezone(UK).isoformat(timespec="seconds")


def booking_organisation(who: Requester) -> Resource:
    return {
        "resourceType": "Organization",
        "id": "1",
        "meta": {"profile": [SD + "CareConnect-GPC-Organization-1"]},
        "identifier": [{"system": ODS_SYSTEM, "value": who.org_ods}],
        "type": [{"coding": [{"system": ORG_TYPES, "code": "gp-practice"}]}],
        "name": who.org_name,
        "telecom": [{"system": "phone", "value": who.org_phone}],
    }


def slots_of(bundle: Resource) -> list[FreeSlot]:
    resources = [e.get("resource", {}) for e in bundle.get("entry", [])]
    by_ref = {f"{r.get('resourceType')}/{r.get('id')}": r for r in resources}
    found: list[FreeSlot] = []
    for r in resources:
        if r.get("resourceType") != "Slot" or r.get("status") != "free":
            continue
        schedule = by_ref.get(str(r.get("schedule", {}).get("reference")), {})
        actors = [by_ref.get(str(a.get("reference")), {}) for a in schedule.get("actor", [])]
        location: Resource = next((a for a in actors if a.get("resourceType") == "Location"), {})
        person: Resource = next((a for a in actors if a.get("resourceType") == "Practitioner"), {})
        channel = next(
            (
                e.get("valueCode")
                for e in r.get("extension", [])
                if e.get("url") == DELIVERY_CHANNEL
            ),
            None,
        )
        found.append(
            FreeSlot(
                id=str(r["id"]),
                start=datetime.fromisoformat(r["start"]),
                end=datetime.fromisoformat(r["end"]),
                type_text=str((r.get("serviceType") or [{}])[0].get("text", "")),
                location=location.get("name"),
                location_id=location.get("id"),
                practitioner=person_name(person),
                delivery_channel=channel,
            )
        )
    return found


def person_name(practitioner: Resource) -> str | None:
    names = practitioner.get("name") or []
    if not names:
        return None
    name = names[0]
    parts = [*name.get("prefix", []), *name.get("given", []), name.get("family", "")]
    return " ".join(p for p in parts if p) or None


def appointment_of(resource: Resource) -> BookedAppointment:
    participants = [
        p.get("actor", {}).get("reference", "") for p in resource.get("participant", [])
    ]
    location = next((p for p in participants if str(p).startswith("Location/")), None)
    return BookedAppointment(
        id=str(resource.get("id", "")),
        version=str(resource.get("meta", {}).get("versionId", "")),
        status=str(resource.get("status", "")),
        start=datetime.fromisoformat(resource["start"]),
        end=datetime.fromisoformat(resource["end"]),
        slot_ids=tuple(
            str(s.get("reference", "")).removeprefix("Slot/") for s in resource.get("slot", [])
        ),
        type_text=str((resource.get("serviceType") or [{}])[0].get("text", "")) or None,
        location=location,
    )


def new_appointment(who: Requester, appointment: NewAppointment) -> Resource:
    """A booking of the slot for the patient, made by the practice (the booking organisation)."""
    slot = appointment.slot
    resource: Resource = {
        "resourceType": "Appointment",
        "meta": {"profile": [SD + "GPConnect-Appointment-1"]},
        "contained": [booking_organisation(who)],
        "extension": [{"url": BOOKING_ORG, "valueReference": {"reference": "#1"}}],
        "status": "booked",
        "description": appointment.description[:100],
        "start": local_time(slot.start),
        "end": local_time(slot.end),
        "slot": [{"reference": f"Slot/{slot.id}"}],
        "created": local_time(datetime.now(UTC)),
        "participant": [
            {"actor": {"reference": f"Patient/{appointment.patient_id}"}, "status": "accepted"},
            {"actor": {"reference": f"Location/{appointment.location_id}"}, "status": "accepted"},
        ],
    }
    if appointment.comment:
        resource["comment"] = appointment.comment[:500]
    return resource


def cancelled(current: Resource, reason: str) -> Resource:
    """``current`` with only its status and the cancellation reason changed."""
    return {
        **current,
        "status": "cancelled",
        "extension": [
            *[e for e in current.get("extension", []) if e.get("url") != CANCELLATION_REASON],
            {"url": CANCELLATION_REASON, "valueString": reason},
        ],
    }


def amended(current: Resource, description: str, comment: str | None) -> Resource:
    """``current`` with a new description and, if given, comment."""
    sent = {**current, "description": description[:100]}
    if comment is not None:
        sent["comment"] = comment[:500]
    return sent

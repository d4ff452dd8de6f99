"""FHIR STU3 resources as GP Connect profiles them (GPConnect-Slot-1, -Schedule-1,
-Appointment-1, -OperationOutcome-1, CareConnect-GPC-*), and reading a booking request."""

import hashlib
from datetime import datetime
from typing import Any

from .schedule import UK, Appointment, Fault, Practice, Slot, invalid

Resource = dict[str, Any]

SD = "https://fhir.nhs.uk/STU3/StructureDefinition/"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
SPINE_CODES = "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1"
BOOKING_ORG = SD + "Extension-GPConnect-BookingOrganisation-1"
CANCELLATION_REASON = SD + "Extension-GPConnect-AppointmentCancellationReason-1"
DELIVERY_CHANNEL = SD + "Extension-GPConnect-DeliveryChannel-2"
APPOINTMENT_PROFILE = SD + "GPConnect-Appointment-1"
#: Spine's words for its error codes (Spine-ErrorOrWarningCode-1).
DISPLAY = {
    "BAD_REQUEST": "Bad request",
    "INVALID_RESOURCE": "Submitted resource is not valid.",
    "INVALID_PARAMETER": "Submitted parameter is not valid.",
    "REFERENCE_NOT_FOUND": "FHIR reference not found",
    "DUPLICATE_REJECTED": "Create would lead to creation of duplicate resource",
    "NO_RECORD_FOUND": "No record found",
    "ORGANISATION_NOT_FOUND": "Organisation record not found",
    "INVALID_IDENTIFIER_SYSTEM": "Invalid identifier system",
    "INVALID_NHS_NUMBER": "NHS number invalid",
    "FHIR_CONSTRAINT_VIOLATION": "FHIR constraint violated",
    "ACCESS_DENIED": "Access denied",
    "NOT_IMPLEMENTED": "FHIR resource or operation not implemented at server",
}
PRACTICE_NAMES = {
    "A81001": "Example Surgery",
    "A81002": "Riverside Medical Centre",
    "B82002": "Hillview Practice",
}


def _meta(profile: str, version: str = "1") -> Resource:
    return {"versionId": version, "profile": [SD + profile]}


def operation_outcome(fault: Fault) -> Resource:
    return {
        "resourceType": "OperationOutcome",
        "meta": {"profile": [SD + "GPConnect-OperationOutcome-1"]},
        "issue": [
            {
                "severity": "error",
                "code": fault.issue,
                "details": {
                    "coding": [
                        {
                            "system": SPINE_CODES,
                            "code": fault.code,
                            "display": DISPLAY.get(fault.code, fault.code),
                        }
                    ]
                },
                "diagnostics": fault.diagnostics,
            }
        ],
    }


def local(moment: datetime) -> str:
    """UK local time with its offset, as GP Connect requires (``+00:00`` or ``+01:00``)."""
    return moment.astimezone(UK).isoformat(timespec="seconds")


def slot(s: Slot) -> Resource:
    return {
        "resourceType": "Slot",
        "id": s.id,
        "meta": _meta("GPConnect-Slot-1"),
        "extension": [{"url": DELIVERY_CHANNEL, "valueCode": "In-person"}],
        "serviceType": [{"text": s.type.text}],
        "schedule": {"reference": f"Schedule/{s.schedule_id}"},
        "status": s.status,
        "start": local(s.start),
        "end": local(s.end),
    }


def schedule(practice: Practice, s: Slot) -> Resource:
    return {
        "resourceType": "Schedule",
        "id": s.schedule_id,
        "meta": _meta("GPConnect-Schedule-1"),
        "serviceCategory": {"text": f"{s.type.text} clinic"},
        "actor": [
            {"reference": f"Location/{practice.location_id}"},
            {"reference": f"Practitioner/{s.schedule_id}-nurse"},
        ],
        "planningHorizon": {"start": local(s.start), "end": local(s.end)},
    }


def practitioner(s: Slot) -> Resource:
    return {
        "resourceType": "Practitioner",
        "id": f"{s.schedule_id}-nurse",
        "meta": _meta("CareConnect-GPC-Practitioner-1"),
        "identifier": [{"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "UNK"}],
        "name": [{"family": "Okafor", "given": ["Grace"], "prefix": ["Nurse"]}],
        "gender": "female",
    }


def location(practice: Practice) -> Resource:
    return {
        "resourceType": "Location",
        "id": practice.location_id,
        "meta": _meta("CareConnect-GPC-Location-1"),
        "name": PRACTICE_NAMES.get(practice.ods, f"Practice {practice.ods}"),
        "address": {"line": ["1 High Street"], "city": "Leeds", "postalCode": "LS1 6AE"},
        "managingOrganization": {"reference": f"Organization/{practice.ods.lower()}"},
    }


def organization(practice: Practice) -> Resource:
    return {
        "resourceType": "Organization",
        "id": practice.ods.lower(),
        "meta": _meta("CareConnect-GPC-Organization-1"),
        "identifier": [{"system": ODS_SYSTEM, "value": practice.ods}],
        "name": PRACTICE_NAMES.get(practice.ods, f"Practice {practice.ods}"),
    }


def bundle(resources: list[Resource]) -> Resource:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r} for r in resources],
    }


def slot_bundle(practice: Practice, slots: list[Slot], includes: set[str]) -> Resource:
    if not slots:
        return bundle([])
    resources = [slot(s) for s in slots]
    schedules = {s.schedule_id: s for s in slots}
    resources += [schedule(practice, s) for s in schedules.values()]
    if "Schedule:actor:Practitioner" in includes:
        resources += [practitioner(s) for s in schedules.values()]
    if "Schedule:actor:Location" in includes:
        resources.append(location(practice))
    # GP Connect: the Organization is always returned with slots.
    resources.append(organization(practice))
    return bundle(resources)


def patient_id(nhs_number: str) -> str:
    return "p" + hashlib.sha256(nhs_number.encode()).hexdigest()[:12]


def patient(practice: Practice, nhs_number: str) -> Resource:
    return {
        "resourceType": "Patient",
        "id": patient_id(nhs_number),
        "meta": _meta("CareConnect-GPC-Patient-1"),
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}],
        "managingOrganization": {"reference": f"Organization/{practice.ods.lower()}"},
    }


def appointment(a: Appointment) -> Resource:
    extensions: list[Resource] = [{"url": BOOKING_ORG, "valueReference": {"reference": "#1"}}]
    if a.cancellation_reason is not None:
        extensions.append({"url": CANCELLATION_REASON, "valueString": a.cancellation_reason})
    resource: Resource = {
        "resourceType": "Appointment",
        "id": a.id,
        "meta": {"versionId": str(a.version), "profile": [APPOINTMENT_PROFILE]},
        "contained": [{**a.booking_organisation, "id": "1"}],
        "extension": extensions,
        "status": a.status,
        "serviceType": [{"text": a.slots[0].type.text}],
        "description": a.description,
        "start": local(a.start),
        "end": local(a.end),
        "slot": [{"reference": f"Slot/{s.id}"} for s in a.slots],
        "created": a.created,
        "participant": [
            {"actor": {"reference": f"Patient/{a.patient_id}"}, "status": "accepted"},
            {"actor": {"reference": f"Location/{a.location_id}"}, "status": "accepted"},
        ],
    }
    if a.comment is not None:
        resource["comment"] = a.comment
    return resource


def reference_ids(resource: Resource, kind: str) -> list[str]:
    refs = [p.get("actor", {}).get("reference", "") for p in resource.get("participant", [])]
    if kind == "Slot":
        refs = [s.get("reference", "") for s in resource.get("slot", [])]
    return [r.split("/", 1)[1] for r in refs if isinstance(r, str) and r.startswith(kind + "/")]


def parse_time(value: object, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid(f"{name} is not a dateTime") from None
    if moment.tzinfo is None:
        raise invalid(f"{name} has no time zone offset")
    return moment


def check_booking(resource: Resource) -> None:
    """What GP Connect's Book an appointment requires of the request (each a 422)."""
    if resource.get("resourceType") != "Appointment":
        raise invalid("The request body is not an Appointment")
    if APPOINTMENT_PROFILE not in resource.get("meta", {}).get("profile", []):
        raise invalid("meta.profile must name GPConnect-Appointment-1")
    for forbidden in ("reason", "specialty"):
        if forbidden in resource:
            raise invalid(f"Appointment.{forbidden} must not be sent")
    if resource.get("status") != "booked":
        raise invalid("A new appointment's status must be booked")
    _check_texts(resource)
    if not reference_ids(resource, "Patient") or not reference_ids(resource, "Location"):
        raise invalid("A patient and a location participant are required")
    if not reference_ids(resource, "Slot"):
        raise invalid("At least one slot is required")
    booking_organisation(resource)


def _check_texts(resource: Resource) -> None:
    description = resource.get("description")
    if not isinstance(description, str) or not description.strip():
        raise invalid("Appointment.description is required")
    if len(description) > 100:
        raise invalid("Appointment.description is longer than 100 characters")
    if len(str(resource.get("comment", ""))) > 500:
        raise invalid("Appointment.comment is longer than 500 characters")
    if "created" not in resource:
        raise invalid("Appointment.created is required")


def booking_organisation(resource: Resource) -> Resource:
    ext = next((e for e in resource.get("extension", []) if e.get("url") == BOOKING_ORG), None)
    if ext is None:
        raise invalid("The bookingOrganisation extension is required")
    ref = str(ext.get("valueReference", {}).get("reference", ""))
    contained = {f"#{c.get('id')}": c for c in resource.get("contained", [])}
    org = contained.get(ref)
    if org is None or org.get("resourceType") != "Organization":
        raise invalid("bookingOrganisation must reference a contained Organization")
    ods = [i for i in org.get("identifier", []) if i.get("system") == ODS_SYSTEM]
    if not ods or not org.get("name") or not org.get("telecom"):
        raise invalid("The booking organisation needs an ODS code, a name and a telecom")
    return {k: v for k, v in org.items() if k != "id"}


def cancellation_reason(resource: Resource) -> str:
    reasons = [
        e.get("valueString")
        for e in resource.get("extension", [])
        if e.get("url") == CANCELLATION_REASON
    ]
    if not reasons or not isinstance(reasons[0], str) or not reasons[0].strip():
        raise invalid("A cancellation needs the cancellation-reason extension")
    return reasons[0]


#: What a cancellation or an amendment may not change (GP Connect: "only the following data
#: elements can be modified").
FIXED = ("start", "end", "slot", "participant", "serviceType")


def check_unchanged(stored: Resource, sent: Resource, also: tuple[str, ...]) -> None:
    for name in FIXED + also:
        if stored.get(name) != sent.get(name):
            raise invalid(f"Appointment.{name} cannot be changed here")

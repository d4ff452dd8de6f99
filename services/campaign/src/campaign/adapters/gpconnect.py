"""A GP Connect Appointment Management consumer (FHIR STU3; docs/gp-connect-appointments.md):
find the patient, search free slots in windows of at most 14 days, book, read, amend, cancel,
and a patient's future appointments.

Every request carries the Spine Secure Proxy headers (a fresh ``Ssp-TraceID``, our ASID in
``Ssp-From``, the practice's in ``Ssp-To``, the interaction in ``Ssp-InteractionID``) and a new
unsigned JWT (``alg: none``) with the audit claims, valid five minutes. Errors come back as
GPConnect-OperationOutcome-1: 409 DUPLICATE_REJECTED on a booking is ``SlotTaken``; anything
else, or no answer, is ``AppointmentsUnavailable``. Nothing about the patient is logged."""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import jwt

from ..domain.appointments import (
    AppointmentsUnavailable,
    BookedAppointment,
    FreeSlot,
    Requester,
    SlotTaken,
)

log = logging.getLogger("campaign.gpconnect")

UK = ZoneInfo("Europe/London")
SD = "https://fhir.nhs.uk/STU3/StructureDefinition/"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ORG_TYPES = "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1"
BOOKING_ORG = SD + "Extension-GPConnect-BookingOrganisation-1"
CANCELLATION_REASON = SD + "Extension-GPConnect-AppointmentCancellationReason-1"
DELIVERY_CHANNEL = SD + "Extension-GPConnect-DeliveryChannel-2"
_I = "urn:nhs:names:services:gpconnect:fhir:rest:"
#: Interaction id and the JWT's requested_scope, per use case.
SEARCH_SLOTS = (_I + "search:slot-1", "organization/*.read")
SEARCH_PATIENT = (_I + "search:patient-1", "patient/*.read")
BOOK = (_I + "create:appointment-1", "patient/*.write")
READ = (_I + "read:appointment-1", "patient/*.read")
AMEND = (_I + "update:appointment-1", "patient/*.write")
CANCEL = (_I + "cancel:appointment-1", "patient/*.write")
PATIENT_APPOINTMENTS = (_I + "search:patient_appointments-1", "patient/*.read")
#: GP Connect: a consumer SHALL request at most two weeks of slots at once.
MAX_WINDOW = timedelta(days=14)
FHIR_JSON = "application/fhir+json"
Resource = dict[str, Any]


@dataclass(frozen=True)
class GpConnectConfig:
    #: The practice's service root, ``{ods}`` replaced by its ODS code (in production the SSP
    #: URL followed by the endpoint SDS gives for the practice).
    base_url: str
    from_asid: str
    to_asid: str
    #: Our system, as the JWT's ``iss`` and ``requesting_device`` name it.
    issuer: str = "https://cohort.example.nhs.uk/"
    product: str = "Cohort"
    version: str = "1.0"


class GpConnectClient:
    def __init__(self, http: httpx2.AsyncClient, config: GpConnectConfig) -> None:
        self._http = http
        self._config = config

    async def close(self) -> None:
        await self._http.aclose()

    # -- use cases -----------------------------------------------------------------------
    async def find_patient(self, who: Requester, nhs_number: str) -> str | None:
        """The patient's logical id on the practice's system, or None if not registered."""
        found = await self._call(
            who,
            SEARCH_PATIENT,
            "GET",
            "/Patient",
            params={"identifier": f"{NHS_NUMBER_SYSTEM}|{nhs_number}"},
        )
        for entry in found.get("entry", []):
            resource = entry.get("resource", {})
            if resource.get("resourceType") == "Patient" and resource.get("id"):
                return str(resource["id"])
        return None

    async def free_slots(self, who: Requester, start: datetime, end: datetime) -> list[FreeSlot]:
        """Every free slot between ``start`` and ``end``, asked for two weeks at a time."""
        slots: list[FreeSlot] = []
        window = start
        while window < end:
            until = min(window + MAX_WINDOW - timedelta(seconds=1), end)
            params = [
                ("status", "free"),
                ("start", "ge" + _local(window)),
                ("end", "le" + _local(until)),
                ("_include", "Slot:schedule"),
                ("_include:recurse", "Schedule:actor:Practitioner"),
                ("_include:recurse", "Schedule:actor:Location"),
                ("searchFilter", f"{ORG_TYPES}|gp-practice"),
                ("searchFilter", f"{ODS_SYSTEM}|{who.org_ods}"),
            ]
            bundle = await self._call(who, SEARCH_SLOTS, "GET", "/Slot", params=params)
            slots += _slots(bundle)
            window = until + timedelta(seconds=1)
        return sorted({s.id: s for s in slots}.values(), key=lambda s: (s.start, s.id))

    async def book(
        self,
        who: Requester,
        patient_id: str,
        slot: FreeSlot,
        location_id: str,
        description: str,
        comment: str | None = None,
    ) -> BookedAppointment:
        resource: Resource = {
            "resourceType": "Appointment",
            "meta": {"profile": [SD + "GPConnect-Appointment-1"]},
            "contained": [_booking_organisation(who)],
            "extension": [{"url": BOOKING_ORG, "valueReference": {"reference": "#1"}}],
            "status": "booked",
            "description": description[:100],
            "start": _local(slot.start),
            "end": _local(slot.end),
            "slot": [{"reference": f"Slot/{slot.id}"}],
            "created": _local(datetime.now(UTC)),
            "participant": [
                {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
                {"actor": {"reference": f"Location/{location_id}"}, "status": "accepted"},
            ],
        }
        if comment:
            resource["comment"] = comment[:500]
        booked = await self._call(who, BOOK, "POST", "/Appointment", json_body=resource)
        return _appointment(booked)

    async def read(self, who: Requester, appointment_id: str) -> Resource:
        return await self._call(who, READ, "GET", f"/Appointment/{appointment_id}")

    async def cancel(self, who: Requester, appointment_id: str, reason: str) -> BookedAppointment:
        """Read the appointment, then send it back with only its status and the cancellation
        reason changed, with ``If-Match`` naming the version read (GP Connect's advice)."""
        current = await self.read(who, appointment_id)
        if current.get("status") == "cancelled":
            return _appointment(current)
        version = str(current.get("meta", {}).get("versionId", ""))
        sent = {
            **current,
            "status": "cancelled",
            "extension": [
                *[e for e in current.get("extension", []) if e.get("url") != CANCELLATION_REASON],
                {"url": CANCELLATION_REASON, "valueString": reason},
            ],
        }
        path = f"/Appointment/{appointment_id}"
        headers = {"If-Match": f'W/"{version}"'}
        return _appointment(
            await self._call(who, CANCEL, "PUT", path, json_body=sent, headers=headers)
        )

    async def amend(
        self, who: Requester, appointment_id: str, description: str, comment: str | None
    ) -> BookedAppointment:
        current = await self.read(who, appointment_id)
        version = str(current.get("meta", {}).get("versionId", ""))
        sent = {**current, "description": description[:100]}
        if comment is not None:
            sent["comment"] = comment[:500]
        path = f"/Appointment/{appointment_id}"
        headers = {"If-Match": f'W/"{version}"'}
        return _appointment(
            await self._call(who, AMEND, "PUT", path, json_body=sent, headers=headers)
        )

    async def patient_appointments(
        self, who: Requester, patient_id: str, days: int = 90
    ) -> list[BookedAppointment]:
        """The patient's appointments from today for ``days`` (past ones cannot be asked for)."""
        today = datetime.now(UK).date()
        params = [("start", f"ge{today}"), ("start", f"le{today + timedelta(days=days)}")]
        path = f"/Patient/{patient_id}/Appointment"
        bundle = await self._call(who, PATIENT_APPOINTMENTS, "GET", path, params=params)
        return [
            _appointment(e["resource"])
            for e in bundle.get("entry", [])
            if e.get("resource", {}).get("resourceType") == "Appointment"
        ]

    # -- the wire ------------------------------------------------------------------------
    async def _call(
        self,
        who: Requester,
        interaction: tuple[str, str],
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Resource | None = None,
        headers: dict[str, str] | None = None,
    ) -> Resource:
        base = self._config.base_url.replace("{ods}", who.org_ods)
        trace = str(uuid.uuid4())
        request_headers = {
            "Ssp-TraceID": trace,
            "Ssp-From": self._config.from_asid,
            "Ssp-To": self._config.to_asid,
            "Ssp-InteractionID": interaction[0],
            "Authorization": f"Bearer {self._token(who, interaction[1], base)}",
            "Accept": FHIR_JSON,
            **(headers or {}),
        }
        if json_body is not None:
            request_headers["Content-Type"] = FHIR_JSON + ";charset=utf-8"
        try:
            response = await self._http.request(
                method, base + path, params=params, json=json_body, headers=request_headers
            )
        except httpx2.HTTPError as exc:
            log.warning(
                "gp connect unreachable", extra={"trace_id": trace, "error": type(exc).__name__}
            )
            raise AppointmentsUnavailable(
                "The practice's appointment system is not answering. Try again later."
            ) from exc
        if response.status_code < 300:
            body = response.json()
            return body if isinstance(body, dict) else {}
        code, diagnostics = _outcome(response)
        log.info(
            "gp connect refused",
            extra={"trace_id": trace, "status": response.status_code, "spine_code": code},
        )
        if response.status_code == 409 and code == "DUPLICATE_REJECTED":
            raise SlotTaken("That time has just been booked by someone else.")
        raise AppointmentsUnavailable(
            "The practice's appointment system could not do that. Try again later.",
            spine_code=code or str(response.status_code),
            diagnostics=diagnostics[:200],
        )

    def _token(self, who: Requester, scope: str, audience: str) -> str:
        """GP Connect's audit and provenance JWT: unsigned, new for every request."""
        now = int(time.time())
        claims = {
            "iss": self._config.issuer,
            "sub": who.user_id,
            "aud": audience,
            "exp": now + 300,
            "iat": now,
            "reason_for_request": "directcare",
            "requested_scope": scope,
            "requesting_device": {
                "resourceType": "Device",
                "identifier": [
                    {"system": self._config.issuer + "Id/device", "value": "cohort-patient"}
                ],
                "model": self._config.product,
                "version": self._config.version,
            },
            "requesting_organization": {
                "resourceType": "Organization",
                "identifier": [{"system": ODS_SYSTEM, "value": who.org_ods}],
                "name": who.org_name,
            },
            "requesting_practitioner": {
                "resourceType": "Practitioner",
                "id": who.user_id,
                "identifier": [
                    {"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "UNK"},
                    {"system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": "UNK"},
                    {"system": self._config.issuer + "Id/user", "value": who.user_id},
                ],
                "name": [{"family": who.user_id}],
            },
        }
        # PyJWT's "none" algorithm takes no key (its stubs do not say so).
        return jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]


def _local(moment: datetime) -> str:
    return moment.astimezone(UK).isoformat(timespec="seconds")


def _booking_organisation(who: Requester) -> Resource:
    return {
        "resourceType": "Organization",
        "id": "1",
        "meta": {"profile": [SD + "CareConnect-GPC-Organization-1"]},
        "identifier": [{"system": ODS_SYSTEM, "value": who.org_ods}],
        "type": [{"coding": [{"system": ORG_TYPES, "code": "gp-practice"}]}],
        "name": who.org_name,
        "telecom": [{"system": "phone", "value": who.org_phone}],
    }


def _outcome(response: httpx2.Response) -> tuple[str, str]:
    try:
        issue = response.json()["issue"][0]
        coding = issue["details"]["coding"][0]
        return str(coding.get("code", "")), str(issue.get("diagnostics", ""))
    except (ValueError, KeyError, IndexError, TypeError):
        return "", ""


def _slots(bundle: Resource) -> list[FreeSlot]:
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
                practitioner=_person(person),
                delivery_channel=channel,
            )
        )
    return found


def _person(practitioner: Resource) -> str | None:
    names = practitioner.get("name") or []
    if not names:
        return None
    name = names[0]
    parts = [*name.get("prefix", []), *name.get("given", []), name.get("family", "")]
    return " ".join(p for p in parts if p) or None


def _appointment(resource: Resource) -> BookedAppointment:
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

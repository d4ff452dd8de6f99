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
from datetime import datetime, timedelta
from typing import Any

import httpx2
import jwt

from ..domain.appointments import (
    AppointmentsUnavailable,
    BookedAppointment,
    FreeSlot,
    NewAppointment,
    Requester,
    SlotTaken,
)
from .gpconnect_resources import (
    NHS_NUMBER_SYSTEM,
    ODS_SYSTEM,
    ORG_TYPES,
    UK,
    Resource,
    amended,
    appointment_of,
    cancelled,
    local_time,
    new_appointment,
    slots_of,
)

log = logging.getLogger("campaign.gpconnect")

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
                ("start", "ge" + local_time(window)),
                ("end", "le" + local_time(until)),
                ("_include", "Slot:schedule"),
                ("_include:recurse", "Schedule:actor:Practitioner"),
                ("_include:recurse", "Schedule:actor:Location"),
                ("searchFilter", f"{ORG_TYPES}|gp-practice"),
                ("searchFilter", f"{ODS_SYSTEM}|{who.org_ods}"),
            ]
            bundle = await self._call(who, SEARCH_SLOTS, "GET", "/Slot", params=params)
            slots += slots_of(bundle)
            window = until + timedelta(seconds=1)
        return sorted({s.id: s for s in slots}.values(), key=lambda s: (s.start, s.id))

    async def book(self, who: Requester, appointment: NewAppointment) -> BookedAppointment:
        resource = new_appointment(who, appointment)
        booked = await self._call(who, BOOK, "POST", "/Appointment", json_body=resource)
        return appointment_of(booked)

    async def read(self, who: Requester, appointment_id: str) -> Resource:
        return await self._call(who, READ, "GET", f"/Appointment/{appointment_id}")

    async def cancel(self, who: Requester, appointment_id: str, reason: str) -> BookedAppointment:
        """Read the appointment, then send it back with only its status and the cancellation
        reason changed."""
        current = await self.read(who, appointment_id)
        if current.get("status") == "cancelled":
            return appointment_of(current)
        sent = cancelled(current, reason)
        return await self._send_back(who, CANCEL, appointment_id, current, sent)

    async def amend(
        self, who: Requester, appointment_id: str, description: str, comment: str | None
    ) -> BookedAppointment:
        current = await self.read(who, appointment_id)
        sent = amended(current, description, comment)
        return await self._send_back(who, AMEND, appointment_id, current, sent)

    async def _send_back(
        self,
        who: Requester,
        interaction: tuple[str, str],
        appointment_id: str,
        current: Resource,
        sent: Resource,
    ) -> BookedAppointment:
        """Puts ``sent``, the appointment as read (``current``) changed, with ``If-Match``
        naming the version read (GP Connect's advice)."""
        version = str(current.get("meta", {}).get("versionId", ""))
        path = f"/Appointment/{appointment_id}"
        headers = {"If-Match": f'W/"{version}"'}
        return appointment_of(
            await self._call(who, interaction, "PUT", path, json_body=sent, headers=headers)
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
            appointment_of(e["resource"])
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


def _outcome(response: httpx2.Response) -> tuple[str, str]:
    try:
        issue = response.json()["issue"][0]
        coding = issue["details"]["coding"][0]
        return str(coding.get("code", "")), str(issue.get("diagnostics", ""))
    except (ValueError, KeyError, IndexError, TypeError):
        return "", ""

"""The HTTP API: GP Connect Appointment Management at ``/{ODS}/STU3/1/gpconnect`` (the
service root a practice publishes in SDS), plus ``/_sim/appointments`` for tests to inspect."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sim_common.nhs_number import is_valid_nhs_number

from . import fhir
from .checks import check_headers, check_token
from .config import Settings
from .schedule import (
    UK,
    Appointment,
    AppointmentBook,
    BookingDetails,
    Fault,
    Practice,
    SlotType,
    make_book,
)

FHIR_JSON = "application/fhir+json;charset=utf-8"
BASE = "/{ods}/STU3/1/gpconnect"
Handler = Callable[[Request], Awaitable[Response]]


def respond(
    resource: fhir.Resource, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(resource),
        status_code=status,
        media_type=FHIR_JSON,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def parse_types(text: str) -> list[SlotType]:
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return [SlotType(code.strip(), label.strip()) for code, label in pairs]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    book = make_book(
        [p.strip() for p in settings.practices.split(",") if p.strip()],
        parse_types(settings.appointment_types),
        [time.fromisoformat(t.strip()) for t in settings.slot_times.split(",")],
        settings.slot_minutes,
        settings.horizon_days,
    )
    api = GpConnectApi(book, settings)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def appointments(_: Request) -> Response:
        return JSONResponse([fhir.appointment(a) for a in book.appointments.values()])

    routes = [
        Route("/healthz", healthz),
        Route("/_sim/appointments", appointments),
        Route(BASE + "/Slot", api.wrap(api.search_slots, "search_slots"), methods=["GET"]),
        Route(BASE + "/Patient", api.wrap(api.find_patient, "search_patient"), methods=["GET"]),
        Route(BASE + "/Appointment", api.wrap(api.book, "book"), methods=["POST"]),
        Route(BASE + "/Appointment/{id}", api.wrap(api.read, "read"), methods=["GET"]),
        Route(BASE + "/Appointment/{id}", api.wrap(api.update, "amend", "cancel"), methods=["PUT"]),
        Route(
            BASE + "/Patient/{patient}/Appointment",
            api.wrap(api.patient_appointments, "patient_appointments"),
            methods=["GET"],
        ),
    ]
    return Starlette(routes=routes)


class GpConnectApi:
    def __init__(self, book: AppointmentBook, settings: Settings) -> None:
        self.store = book
        self.settings = settings

    def wrap(
        self, handler: Callable[[Request, Practice, str], Awaitable[Response]], *kinds: str
    ) -> Handler:
        async def endpoint(request: Request) -> Response:
            if self.settings.latency_ms:
                await asyncio.sleep(self.settings.latency_ms / 1000)
            try:
                kind = check_headers(request.headers, self.settings.asid, kinds)
                check_token(request.headers, kind)
                practice = self.store.practice(request.path_params["ods"])
                return await handler(request, practice, kind)
            except Fault as fault:
                return respond(fhir.operation_outcome(fault), fault.status)

        return endpoint

    async def search_slots(self, request: Request, practice: Practice, _: str) -> Response:
        query = request.query_params
        if query.getlist("status") != ["free"]:
            raise Fault(422, "INVALID_PARAMETER", "invalid", "status=free is required, once")
        includes = set(query.getlist("_include")) | set(query.getlist("_include:recurse"))
        if "Slot:schedule" not in includes:
            raise Fault(422, "INVALID_PARAMETER", "invalid", "_include=Slot:schedule is required")
        start = _bound(query.getlist("start"), "ge", "start")
        end = _bound(query.getlist("end"), "le", "end", end_of_day=True)
        return respond(fhir.slot_bundle(practice, practice.free_slots(start, end), includes))

    async def find_patient(self, request: Request, practice: Practice, _: str) -> Response:
        system, _sep, value = request.query_params.get("identifier", "").partition("|")
        if system != fhir.NHS_NUMBER_SYSTEM:
            raise Fault(400, "INVALID_IDENTIFIER_SYSTEM", "value", "Unknown identifier system")
        if not is_valid_nhs_number(value):
            raise Fault(400, "INVALID_NHS_NUMBER", "value", "NHS number invalid")
        return respond(fhir.bundle([fhir.patient(practice, value)]))

    async def book(self, request: Request, practice: Practice, _: str) -> Response:
        resource = await _body(request)
        fhir.check_booking(resource)
        appointment = self.store.book(
            practice,
            fhir.reference_ids(resource, "Slot"),
            fhir.parse_time(resource.get("start"), "start"),
            fhir.parse_time(resource.get("end"), "end"),
            fhir.reference_ids(resource, "Patient")[0],
            BookingDetails(
                str(resource["description"]),
                resource.get("comment"),
                fhir.booking_organisation(resource),
            ),
            datetime.now(UTC),
        )
        location = f"{request.url}/{appointment.id}/_history/{appointment.version}"
        return respond(fhir.appointment(appointment), 201, _etag(appointment, location))

    async def read(self, request: Request, practice: Practice, _: str) -> Response:
        appointment = self.store.get(practice, request.path_params["id"])
        return respond(fhir.appointment(appointment), headers=_etag(appointment))

    async def update(self, request: Request, practice: Practice, kind: str) -> Response:
        appointment = self.store.get(practice, request.path_params["id"])
        version = _if_match(request.headers.get("If-Match"))
        sent = await _body(request)
        stored = fhir.appointment(appointment)
        if sent.get("id") != appointment.id:
            raise Fault(400, "BAD_REQUEST", "invalid", "The body's id is not the address's")
        if kind == "cancel":
            if sent.get("status") != "cancelled":
                raise Fault(422, "INVALID_RESOURCE", "invalid", "A cancellation sets cancelled")
            fhir.check_unchanged(stored, sent, ("description", "comment"))
            self.store.cancel(appointment, version, fhir.cancellation_reason(sent))
        else:
            fhir.check_unchanged(stored, sent, ("status",))
            description = str(sent.get("description", ""))
            if not description or len(description) > 100 or len(sent.get("comment", "")) > 500:
                raise Fault(422, "INVALID_RESOURCE", "invalid", "description or comment too long")
            self.store.amend(appointment, version, description, sent.get("comment"))
        return respond(fhir.appointment(appointment), headers=_etag(appointment))

    async def patient_appointments(self, request: Request, practice: Practice, _: str) -> Response:
        starts = request.query_params.getlist("start")
        first = [s[2:] for s in starts if s.startswith("ge")]
        last = [s[2:] for s in starts if s.startswith("le")]
        if len(starts) != 2 or len(first) != 1 or len(last) != 1:
            raise Fault(422, "INVALID_PARAMETER", "invalid", "start=ge<date>&start=le<date>")
        try:
            lo, hi = date.fromisoformat(first[0]), date.fromisoformat(last[0])
        except ValueError:
            raise Fault(422, "INVALID_PARAMETER", "invalid", "Dates only, yyyy-mm-dd") from None
        if lo < datetime.now(UK).date():
            raise Fault(
                422, "INVALID_PARAMETER", "invalid", "Past appointments cannot be asked for"
            )
        found = self.store.for_patient(practice, request.path_params["patient"], lo, hi)
        return respond(fhir.bundle([fhir.appointment(a) for a in found]))


def _bound(values: list[str], prefix: str, name: str, *, end_of_day: bool = False) -> datetime:
    if len(values) != 1 or not values[0].startswith(prefix):
        raise Fault(422, "INVALID_PARAMETER", "invalid", f"{name}={prefix}<date> is required, once")
    text = values[0][len(prefix) :]
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min, UK)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Fault(422, "INVALID_PARAMETER", "invalid", f"{name} is not a date") from None
    if moment.tzinfo is None:
        raise Fault(422, "INVALID_PARAMETER", "invalid", f"{name} needs an offset")
    return moment


def _if_match(value: str | None) -> int:
    if not value or not value.startswith('W/"') or not value.endswith('"'):
        raise Fault(400, "BAD_REQUEST", "invalid", 'If-Match: W/"<version>" is required')
    try:
        return int(value[3:-1])
    except ValueError:
        raise Fault(400, "BAD_REQUEST", "invalid", "If-Match does not name a version") from None


def _etag(appointment: Appointment, location: str | None = None) -> dict[str, str]:
    headers = {"ETag": f'W/"{appointment.version}"'}
    if location:
        headers["Location"] = location
    return headers


async def _body(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";")[0].strip()
    if media not in ("application/fhir+json", "application/json"):
        raise Fault(415, "BAD_REQUEST", "not-supported", "Unsupported_Media_Type")
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise Fault(400, "BAD_REQUEST", "invalid", "The body is not JSON") from None
    if not isinstance(body, dict):
        raise Fault(400, "BAD_REQUEST", "invalid", "The body is not a resource")
    return body

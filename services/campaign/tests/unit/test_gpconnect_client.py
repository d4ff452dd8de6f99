"""The GP Connect Appointment Management client against the GP Connect simulator (served
in-process): find the patient, free slots in two-week windows, book, a slot taken meanwhile,
amend, cancel (the slot is free again), the patient's appointments; and the simulator refusing
what a provider must refuse (headers, JWT, search range, If-Match)."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx2
import jwt
import pytest

from campaign.adapters.gpconnect import SEARCH_SLOTS, GpConnectClient, GpConnectConfig
from campaign.domain.appointments import (
    AppointmentsUnavailable,
    NewAppointment,
    Requester,
    SlotTaken,
    matches_type,
)
from gpconnect_sim.app import create_app
from gpconnect_sim.config import Settings

ASID = "918999198993"
BASE = "http://gpconnect.test/{ods}/STU3/1/gpconnect"
WHO = Requester("staff-1", "A81001", "Example Surgery", "01632 960000")
NHS_NUMBER = "9434765919"


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(Settings(asid=ASID)))
    async with httpx2.AsyncClient(transport=transport) as client:
        yield client


@pytest.fixture
def gp(http: httpx2.AsyncClient) -> GpConnectClient:
    return GpConnectClient(http, GpConnectConfig(BASE, from_asid="200000001234", to_asid=ASID))


def soon() -> tuple[datetime, datetime]:
    start = datetime.now(UTC) + timedelta(days=1)
    return start, start + timedelta(days=21)


async def test_finds_the_patient_by_nhs_number(gp: GpConnectClient) -> None:
    assert (await gp.find_patient(WHO, NHS_NUMBER) or "").startswith("p")
    with pytest.raises(AppointmentsUnavailable) as refused:
        await gp.find_patient(WHO, "1234567890")
    assert refused.value.details["spine_code"] == "INVALID_NHS_NUMBER"


async def test_free_slots_come_two_weeks_at_a_time_in_order(gp: GpConnectClient) -> None:
    start, end = soon()
    slots = await gp.free_slots(WHO, start, end)
    assert slots == sorted(slots, key=lambda s: (s.start, s.id))
    assert all(start <= s.start and s.end <= end for s in slots)
    # Three weeks: days in both windows are there.
    assert max(s.start for s in slots) - min(s.start for s in slots) > timedelta(days=14)
    flu = [s for s in slots if matches_type(s.type_text, "FLU", "flu vaccination")]
    assert flu
    assert {s.type_text for s in flu} == {"Flu vaccination"}
    assert flu[0].location == "Example Surgery"
    assert flu[0].location_id
    assert flu[0].practitioner


async def test_book_then_the_slot_is_taken_then_cancel_frees_it(gp: GpConnectClient) -> None:
    patient = await gp.find_patient(WHO, NHS_NUMBER)
    assert patient is not None
    start, end = soon()
    slot = (await gp.free_slots(WHO, start, end))[0]
    assert slot.location_id is not None
    booked = await gp.book(WHO, NewAppointment(patient, slot, slot.location_id, "Flu vaccination"))
    assert (booked.status, booked.slot_ids, booked.start) == ("booked", (slot.id,), slot.start)
    assert slot.id not in {s.id for s in await gp.free_slots(WHO, start, end)}
    with pytest.raises(SlotTaken):
        await gp.book(
            WHO, NewAppointment("p-someone-else", slot, slot.location_id, "Flu vaccination")
        )

    mine = await gp.patient_appointments(WHO, patient)
    assert [a.id for a in mine] == [booked.id]
    amended = await gp.amend(WHO, booked.id, "Flu vaccination (bring your letter)", None)
    assert amended.version != booked.version

    cancelled = await gp.cancel(WHO, booked.id, "Cancelled by the patient")
    assert cancelled.status == "cancelled"
    assert slot.id in {s.id for s in await gp.free_slots(WHO, start, end)}
    # Cancelling again reads it cancelled and changes nothing.
    assert (await gp.cancel(WHO, booked.id, "again")).version == cancelled.version


async def test_an_unknown_practice_or_no_answer_is_unavailable(http: httpx2.AsyncClient) -> None:
    other = Requester("staff-1", "Z99999", "Nowhere", "0")
    client = GpConnectClient(http, GpConnectConfig(BASE, "1", ASID))
    with pytest.raises(AppointmentsUnavailable) as refused:
        await client.find_patient(other, NHS_NUMBER)
    assert refused.value.details["spine_code"] == "ORGANISATION_NOT_FOUND"
    down = httpx2.AsyncClient(transport=httpx2.MockTransport(_connect_error))
    with pytest.raises(AppointmentsUnavailable):
        await GpConnectClient(down, GpConnectConfig(BASE, "1", ASID)).find_patient(WHO, NHS_NUMBER)


def _connect_error(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError("refused", request=request)


# -- the simulator refuses what a provider must ------------------------------------------------
SLOTS = "http://gpconnect.test/A81001/STU3/1/gpconnect/Slot"


def headers(token: str, interaction: str = SEARCH_SLOTS[0], to: str = ASID) -> dict[str, str]:
    return {
        "Ssp-TraceID": str(uuid.uuid4()),
        "Ssp-From": "200000001234",
        "Ssp-To": to,
        "Ssp-InteractionID": interaction,
        "Authorization": f"Bearer {token}",
    }


def token(scope: str = "organization/*.read", **changes: object) -> str:
    gp = GpConnectClient(httpx2.AsyncClient(), GpConnectConfig(BASE, "1", ASID))
    claims = jwt.decode(gp._token(WHO, scope, BASE), options={"verify_signature": False})
    # No key: PyJWT's "none" takes "" as None, and its stubs allow only the former.
    return jwt.encode({**claims, **changes}, "", algorithm="none")


def query(days: int = 7) -> httpx2.QueryParams:
    start = datetime.now(UTC).date() + timedelta(days=1)
    return httpx2.QueryParams(
        [
            ("status", "free"),
            ("start", f"ge{start}"),
            ("end", f"le{start + timedelta(days=days)}"),
            ("_include", "Slot:schedule"),
        ]
    )


def spine_code(response: httpx2.Response) -> str:
    assert response.headers["content-type"].startswith("application/fhir+json")
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return str(outcome["issue"][0]["details"]["coding"][0]["code"])


async def test_the_simulator_checks_headers_and_the_jwt(http: httpx2.AsyncClient) -> None:
    ok = await http.get(SLOTS, params=query(), headers=headers(token()))
    assert ok.status_code == 200
    assert ok.json()["resourceType"] == "Bundle"
    missing = headers(token())
    del missing["Ssp-TraceID"]
    assert spine_code(await http.get(SLOTS, params=query(), headers=missing)) == "BAD_REQUEST"
    wrong = headers(token(), interaction="urn:nhs:names:services:gpconnect:fhir:rest:read:slot-1")
    response = await http.get(SLOTS, params=query(), headers=wrong)
    assert (response.status_code, spine_code(response)) == (400, "BAD_REQUEST")
    response = await http.get(SLOTS, params=query(), headers=headers(token(), to="999"))
    assert (response.status_code, spine_code(response)) == (403, "ACCESS_DENIED")
    signed = jwt.encode({"sub": "x"}, "a-secret-that-is-long-enough-for-hs256-keys", "HS256")
    response = await http.get(SLOTS, params=query(), headers=headers(signed))
    assert (response.status_code, spine_code(response)) == (400, "BAD_REQUEST")
    response = await http.get(SLOTS, params=query(), headers=headers(token("patient/*.write")))
    assert response.status_code == 400
    response = await http.get(SLOTS, params=query(), headers=headers(token(exp=1, iat=1)))
    assert response.status_code == 400


async def test_the_simulator_refuses_a_long_search_and_a_stale_version(
    http: httpx2.AsyncClient, gp: GpConnectClient
) -> None:
    response = await http.get(SLOTS, params=query(days=20), headers=headers(token()))
    assert (response.status_code, spine_code(response)) == (422, "INVALID_PARAMETER")
    no_include = query().remove("_include")
    response = await http.get(SLOTS, params=no_include, headers=headers(token()))
    assert spine_code(response) == "INVALID_PARAMETER"

    start, end = soon()
    slot = (await gp.free_slots(WHO, start, end))[0]
    assert slot.location_id is not None
    booked = await gp.book(WHO, NewAppointment("p1", slot, slot.location_id, "Flu vaccination"))
    current = await gp.read(WHO, booked.id)
    url = f"http://gpconnect.test/A81001/STU3/1/gpconnect/Appointment/{booked.id}"
    stale = {
        **headers(
            token("patient/*.write"),
            "urn:nhs:names:services:gpconnect:fhir:rest:update:appointment-1",
        ),
        "If-Match": 'W/"0"',
    }
    response = await http.put(url, json={**current, "description": "x"}, headers=stale)
    assert response.status_code == 409
    changed = {**stale, "If-Match": f'W/"{booked.version}"'}
    response = await http.put(url, json={**current, "start": current["end"]}, headers=changed)
    assert (response.status_code, spine_code(response)) == (422, "INVALID_RESOURCE")

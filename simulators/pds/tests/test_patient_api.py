from typing import Any

import httpx2
import pytest

from pds_sim.app import FHIR_BASE_PATH
from pds_sim.outcomes import SPINE_SYSTEM

from .conftest import get_patient

NORMAL = "9999012221"
RESTRICTED = "9999018882"
VERY_RESTRICTED = "9999019994"
DECEASED = "9999017770"
SURVIVOR = "9999022227"
SUPERSEDED = "9999023339"
UNKNOWN_VALID = "9990177767"


def assert_outcome(response: httpx2.Response, status: int, spine_code: str, fhir_code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/fhir+json"
    issue = response.json()["issue"][0]
    assert response.json()["resourceType"] == "OperationOutcome"
    assert issue["code"] == fhir_code
    coding = issue["details"]["coding"][0]
    assert coding["system"] == SPINE_SYSTEM
    assert coding["version"] == "1"
    assert coding["code"] == spine_code
    assert coding["display"]
    assert issue["diagnostics"]


async def test_healthz(client: httpx2.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_returns_the_patient_as_fhir_json(client: httpx2.AsyncClient) -> None:
    response = await get_patient(client, NORMAL, **{"X-Correlation-ID": "corr-1"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.headers["etag"] == 'W/"2"'
    assert response.headers["x-correlation-id"] == "corr-1"
    patient = response.json()
    assert patient["resourceType"] == "Patient"
    assert patient["id"] == NORMAL
    assert patient["birthDate"] == "1984-07-12"
    mobile = next(t for t in patient["telecom"] if t.get("use") == "mobile")
    assert mobile["value"] == "07700900123"


async def test_echoes_the_request_id(client: httpx2.AsyncClient) -> None:
    request_id = "6f1e7a3c-3c55-4a8e-9d9a-2f1f7c7f1a11"
    response = await get_patient(client, NORMAL, **{"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id


async def test_missing_request_id_is_missing_value(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"{FHIR_BASE_PATH}/Patient/{NORMAL}")
    assert_outcome(response, 400, "MISSING_VALUE", "required")


@pytest.mark.parametrize("request_id", ["not-a-uuid", "", "6f1e7a3c3c554a8e9d9a2f1f7c7f1a11"])
async def test_malformed_request_id_is_invalid_value(
    client: httpx2.AsyncClient, request_id: str
) -> None:
    response = await get_patient(client, NORMAL, **{"X-Request-ID": request_id})
    assert_outcome(response, 400, "INVALID_VALUE", "value")
    assert response.json()["issue"][0]["diagnostics"] == (
        f"Invalid value - '{request_id}' in header 'X-Request-ID'"
    )


@pytest.mark.parametrize("nhs_number", ["9999012222", "999901222", "99990122210", "999901222A"])
async def test_bad_nhs_number_is_invalid_resource_id(
    client: httpx2.AsyncClient, nhs_number: str
) -> None:
    response = await get_patient(client, nhs_number)
    assert_outcome(response, 400, "INVALID_RESOURCE_ID", "value")


async def test_unknown_number_is_not_found(client: httpx2.AsyncClient) -> None:
    response = await get_patient(client, UNKNOWN_VALID)

    assert_outcome(response, 404, "RESOURCE_NOT_FOUND", "not-found")
    assert response.json()["issue"][0]["severity"] == "information"


async def test_restricted_record_loses_contact_and_gp(client: httpx2.AsyncClient) -> None:
    patient = (await get_patient(client, RESTRICTED)).json()

    assert patient["meta"]["security"][0]["code"] == "R"
    for withheld in ("address", "telecom", "contact", "generalPractitioner"):
        assert withheld not in patient
    assert patient["name"][0]["family"] == "Lindqvist"
    assert patient["birthDate"] == "1979-04-22"


async def test_very_restricted_record_also_loses_name_and_birth_date(
    client: httpx2.AsyncClient,
) -> None:
    patient = (await get_patient(client, VERY_RESTRICTED)).json()

    assert patient["meta"]["security"][0]["code"] == "V"
    for withheld in ("address", "telecom", "contact", "generalPractitioner", "name", "birthDate"):
        assert withheld not in patient
    assert patient["id"] == VERY_RESTRICTED


async def test_deceased_record_carries_its_date_of_death(client: httpx2.AsyncClient) -> None:
    patient = (await get_patient(client, DECEASED)).json()
    assert patient["deceasedDateTime"] == "2024-11-02T09:30:00+00:00"


async def test_superseded_number_returns_the_surviving_record(
    client: httpx2.AsyncClient,
) -> None:
    response = await get_patient(client, SUPERSEDED)

    assert response.status_code == 200
    patient = response.json()
    assert patient["id"] == SURVIVOR
    assert response.headers["etag"] == 'W/"5"'
    assert "link" not in patient


async def test_link_is_never_served(client: httpx2.AsyncClient) -> None:
    patient: dict[str, Any] = (await get_patient(client, SURVIVOR)).json()
    assert patient["id"] == SURVIVOR
    assert "link" not in patient


async def test_contact_preferences_and_language_needs_are_served(
    client: httpx2.AsyncClient,
) -> None:
    no_telephone = (await get_patient(client, "9999027776")).json()
    [preference] = [e for e in no_telephone["extension"] if e["url"].endswith("ContactPreference")]
    method = next(e for e in preference["extension"] if e["url"] == "PreferredContactMethod")
    assert method["valueCodeableConcept"]["coding"][0]["code"] == "8"

    polish = (await get_patient(client, "9999028888")).json()
    [need] = [e for e in polish["extension"] if e["url"].endswith("NHSCommunication")]
    parts = {e["url"]: e for e in need["extension"]}
    assert parts["language"]["valueCodeableConcept"]["coding"][0]["code"] == "pl"
    assert parts["interpreterRequired"]["valueBoolean"] is True


async def test_a_test_may_change_what_pds_says_while_it_runs(client: httpx2.AsyncClient) -> None:
    patient = (await get_patient(client, "9999012221")).json()
    patient["deceasedDateTime"] = "2026-12-01T08:00:00+00:00"

    changed = await client.put("/_sim/patients/9999012221", json=patient)
    mismatched = await client.put("/_sim/patients/9999013333", json=patient)

    assert changed.status_code == 204
    assert mismatched.status_code == 400
    again = (await get_patient(client, "9999012221")).json()
    assert again["deceasedDateTime"] == "2026-12-01T08:00:00+00:00"

import httpx2

from pds_sim.patients import as_served
from pds_sim.synthetic import synthetic_patient

from .conftest import get_patient, make_app, serve

UNKNOWN_VALID = "9990177767"


def test_is_deterministic_and_varies_by_number() -> None:
    first = synthetic_patient(UNKNOWN_VALID)

    assert synthetic_patient(UNKNOWN_VALID) == first
    assert synthetic_patient("9990188874")["telecom"] != first["telecom"]
    assert first["id"] == UNKNOWN_VALID
    assert first["meta"]["security"][0]["code"] == "U"
    mobile = first["telecom"][0]
    assert (mobile["system"], mobile["use"]) == ("phone", "mobile")
    assert mobile["value"].startswith("07700900")
    assert len(mobile["value"]) == 11
    assert "end" not in mobile["period"]


async def test_served_in_synthetic_mode() -> None:
    async with serve(make_app(synthetic=True)) as client:
        response = await get_patient(client, UNKNOWN_VALID)

    assert response.status_code == 200
    assert response.json() == as_served(synthetic_patient(UNKNOWN_VALID))
    assert response.json()["birthDate"] == synthetic_patient(UNKNOWN_VALID)["birthDate"]


async def test_file_records_win_and_other_ranges_stay_unknown() -> None:
    async with serve(make_app(synthetic=True)) as client:
        from_file = await get_patient(client, "9999012221")
        outside_range = await get_patient(client, "9000000009")

    assert from_file.json()["name"][0]["family"] == "Bennett"
    assert outside_range.status_code == 404


async def test_not_served_when_synthetic_mode_is_off(client: httpx2.AsyncClient) -> None:
    assert (await get_patient(client, UNKNOWN_VALID)).status_code == 404

"""``/_sim/faults``: a fault for a while, switched on and off by a test (the chaos run)."""

import asyncio
import time

import httpx2

from .conftest import get_patient, make_app, serve

NORMAL = "9999012221"


async def fault(client: httpx2.AsyncClient, **body: object) -> dict[str, object]:
    response = await client.post("/_sim/faults", json=body)
    assert response.status_code == 200
    result: dict[str, object] = response.json()
    return result


async def test_each_mode_answers_as_pds_does_until_switched_off() -> None:
    async with serve(make_app()) as client:
        answers = {}
        for mode in ("5xx", "429", "401"):
            await fault(client, mode=mode, duration_s=60)
            answers[mode] = await get_patient(client, NORMAL)
        await client.delete("/_sim/faults")
        after = await get_patient(client, NORMAL)
        state = (await client.get("/_sim/faults")).json()

    codes = {
        mode: (r.status_code, r.json()["issue"][0]["details"]["coding"][0]["code"])
        for mode, r in answers.items()
    }
    assert codes == {
        "5xx": (500, "UNKNOWN_ERROR"),
        "429": (429, "TOO_MANY_REQUESTS"),
        "401": (401, "ACCESS_DENIED"),
    }
    assert after.status_code == 200
    assert state == {"mode": None, "remaining_s": 0.0, "injected": {"5xx": 1, "429": 1, "401": 1}}


async def test_a_timeout_hangs_then_serves() -> None:
    async with serve(make_app()) as client:
        await fault(client, mode="timeout", duration_s=60, hang_s=0.3)
        started = time.perf_counter()
        response = await get_patient(client, NORMAL)
        elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert elapsed >= 0.3


async def test_a_bad_fault_request_is_422() -> None:
    async with serve(make_app()) as client:
        responses = await asyncio.gather(
            client.post("/_sim/faults", json={"mode": "teapot", "duration_s": 1}),
            client.post("/_sim/faults", json={"mode": "5xx", "duration_s": 0}),
        )

    assert [r.status_code for r in responses] == [422, 422]

"""``/_sim/faults``: Firetext failing for a while, switched on and off by a test (the chaos run)."""

import time

import httpx2

from .conftest import make_app, serve
from .test_send import send


async def test_5xx_and_429_refuse_the_message_until_switched_off() -> None:
    async with serve(make_app()) as client:
        statuses = []
        for mode in ("5xx", "429"):
            await client.post("/_sim/faults", json={"mode": mode, "duration_s": 60})
            statuses.append((await send(client)).status_code)
        await client.delete("/_sim/faults")
        after = await send(client)
        accepted = (await client.get("/_sim/messages")).json()
        state = (await client.get("/_sim/faults")).json()

    assert statuses == [500, 429]
    assert after.json()["code"] == 0
    assert len(accepted) == 1  # only the message sent after the fault
    assert state == {"mode": None, "remaining_s": 0.0, "injected": {"5xx": 1, "429": 1}}


async def test_a_timeout_hangs_then_takes_the_message_anyway() -> None:
    async with serve(make_app()) as client:
        await client.post("/_sim/faults", json={"mode": "timeout", "duration_s": 60, "hang_s": 0.3})
        started = time.perf_counter()
        response = await send(client)
        elapsed = time.perf_counter() - started
        accepted = (await client.get("/_sim/messages")).json()

    assert elapsed >= 0.3
    assert response.json()["code"] == 0
    assert len(accepted) == 1


async def test_a_fault_mode_firetext_has_no_use_for_is_422(client: httpx2.AsyncClient) -> None:
    response = await client.post("/_sim/faults", json={"mode": "401", "duration_s": 1})

    assert response.status_code == 422

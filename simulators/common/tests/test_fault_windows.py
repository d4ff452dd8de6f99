"""The fault window itself; each simulator's tests check how its service answers a fault."""

from typing import Literal

import httpx2
from fastapi import FastAPI

from sim_common.fault_windows import FaultRequest, FaultWindows, fault_router


def test_a_fault_ends_by_itself() -> None:
    now = [0.0]
    faults = FaultWindows(clock=lambda: now[0])
    faults.start(FaultRequest(mode="401", duration_s=5))

    assert faults.current() is not None
    now[0] = 5.0
    assert faults.current() is None


def test_a_new_fault_replaces_the_current_one_and_counts_are_kept() -> None:
    now = [0.0]
    faults = FaultWindows(clock=lambda: now[0])
    faults.start(FaultRequest(mode="5xx", duration_s=60))
    faults.count("5xx")
    now[0] = 1.0
    faults.start(FaultRequest(mode="timeout", duration_s=10, hang_s=2))
    faults.count("timeout")
    now[0] = 2.5

    assert faults.as_json() == {
        "mode": "timeout",
        "remaining_s": 8.5,
        "injected": {"5xx": 1, "timeout": 1},
    }
    faults.stop()
    assert faults.as_json() == {
        "mode": None,
        "remaining_s": 0.0,
        "injected": {"5xx": 1, "timeout": 1},
    }


async def test_a_request_meets_the_fault_counted_and_is_served_after_a_timeouts_hang() -> None:
    faults = FaultWindows()
    assert await faults.meet() is None
    faults.start(FaultRequest(mode="429", duration_s=60))
    assert await faults.meet() == "429"
    faults.start(FaultRequest(mode="timeout", duration_s=60, hang_s=0))
    assert await faults.meet() is None

    assert faults.injected == {"429": 1, "timeout": 1}


class NoCredentials(FaultRequest):
    mode: Literal["timeout", "5xx", "429"]


async def test_the_router_starts_shows_and_stops_a_fault_of_the_simulators_modes() -> None:
    app = FastAPI()
    app.include_router(fault_router(FaultWindows(), NoCredentials))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        started = await client.post("/_sim/faults", json={"mode": "429", "duration_s": 60})
        shown = await client.get("/_sim/faults")
        refused = await client.post("/_sim/faults", json={"mode": "401", "duration_s": 60})
        stopped = await client.delete("/_sim/faults")

    assert started.json()["mode"] == "429"
    assert shown.json()["mode"] == "429"
    assert refused.status_code == 422
    assert stopped.json() == {"mode": None, "remaining_s": 0.0, "injected": {}}

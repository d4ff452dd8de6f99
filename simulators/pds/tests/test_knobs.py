import time

from .conftest import get_patient, make_app, serve

NORMAL = "9999012221"


async def test_requests_beyond_the_rate_limit_get_429_without_retry_after() -> None:
    async with serve(make_app(rate_limit=2)) as client:
        statuses = [(await get_patient(client, NORMAL)).status_code for _ in range(5)]
        throttled = await get_patient(client, NORMAL)
        stats = (await client.get("/_sim/stats")).json()

    assert statuses == [200, 200, 429, 429, 429]
    assert throttled.headers["content-type"] == "application/json"
    assert "retry-after" not in throttled.headers
    coding = throttled.json()["issue"][0]["details"]["coding"][0]
    assert coding["code"] == "TOO_MANY_REQUESTS"
    assert stats == {"requests": 6, "throttled": 4, "errors": 0}


async def test_error_rate_one_answers_every_request_500() -> None:
    async with serve(make_app(error_rate=1)) as client:
        response = await get_patient(client, NORMAL)
        stats = (await client.get("/_sim/stats")).json()

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["issue"][0]["details"]["coding"][0]["code"] == "UNKNOWN_ERROR"
    assert stats == {"requests": 1, "throttled": 0, "errors": 1}


async def test_latency_delays_each_request() -> None:
    async with serve(make_app(latency_ms=150)) as client:
        started = time.perf_counter()
        await get_patient(client, NORMAL)
        elapsed = time.perf_counter() - started

    assert elapsed >= 0.15


async def test_reset_stats() -> None:
    async with serve(make_app()) as client:
        await get_patient(client, NORMAL)
        reset = await client.post("/_sim/reset-stats")
        stats = (await client.get("/_sim/stats")).json()

    assert reset.status_code == 200
    assert stats == {"requests": 0, "throttled": 0, "errors": 0}

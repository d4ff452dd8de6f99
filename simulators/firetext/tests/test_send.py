import time

import httpx2
import pytest

from .conftest import API_KEY, make_app, send_form, serve

SEND = "/api/sendsms/json"


async def send(client: httpx2.AsyncClient, **overrides: str) -> httpx2.Response:
    return await client.post(SEND, data=send_form(**overrides))


async def balance(client: httpx2.AsyncClient) -> int:
    response = await client.get("/api/credit/json", params={"apiKey": API_KEY})
    credit: int = response.json()["responseData"]
    return credit


async def test_healthz(client: httpx2.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_accepts_a_message(client: httpx2.AsyncClient) -> None:
    response = await send(client)

    assert response.status_code == 200
    assert response.json() == {
        "code": 0,
        "description": "SMS successfully queued",
        "responseData": 1,
        "data": [],
    }
    assert response.headers["x-message"]


async def test_accepts_a_get_with_a_query_string(client: httpx2.AsyncClient) -> None:
    response = await client.get(SEND, params=send_form(unicode="0"))
    assert response.json()["code"] == 0


@pytest.mark.parametrize(
    ("overrides", "code", "description"),
    [
        ({"apiKey": "wrong"}, 1, "Authentication error"),
        ({"apiKey": "<drop>"}, 1, "Authentication error"),
        ({"apiKey": "wrong", "from": "!"}, 1, "Authentication error"),
        ({"from": "AB"}, 3, "From error"),
        ({"from": "ABCDEFGHIJKL"}, 3, "From error"),
        ({"from": "Dr Smith"}, 3, "From error"),
        ({"from": "<drop>"}, 3, "From error"),
        ({"to": ""}, 2, "Destination number(s) error"),
        ({"to": "<drop>"}, 2, "Destination number(s) error"),
        ({"to": "+447700900123"}, 2, "Destination number(s) error"),
        ({"to": "07700 900123"}, 2, "Destination number(s) error"),
        ({"to": "01632960587"}, 2, "Destination number(s) error"),
        ({"to": "0770090012"}, 2, "Destination number(s) error"),
        ({"to": "07700900123,"}, 2, "Destination number(s) error"),
        ({"to": ",".join(["07700900123"] * 51)}, 2, "Destination number(s) error"),
        ({"message": ""}, 5, "Message error"),
        ({"message": "a" * 919}, 5, "Message error"),
        ({"receipt": "ftp://example.com/receipts"}, 8, "Invalid delivery receipt URL"),
        ({"receipt": "not a url"}, 8, "Invalid delivery receipt URL"),
        ({"receipt": "https://"}, 8, "Invalid delivery receipt URL"),
    ],
)
async def test_rejects_bad_parameters(
    client: httpx2.AsyncClient, overrides: dict[str, str], code: int, description: str
) -> None:
    response = await send(client, **overrides)

    assert response.status_code == 200
    assert response.json() == {
        "code": code,
        "description": description,
        "responseData": 0,
        "data": [],
    }
    assert "x-message" not in response.headers
    assert (await client.get("/_sim/messages")).json() == []


async def test_accepts_the_limits(client: httpx2.AsyncClient) -> None:
    fifty = ",".join(f"447700900{n:03d}" for n in range(50))
    assert (await send(client, to=fifty)).json()["code"] == 0
    assert (await send(client, **{"from": "ABCDEFGHIJK"})).json()["code"] == 0
    assert (await send(client, message="a" * 918)).json()["code"] == 0


async def test_insufficient_credit() -> None:
    async with serve(make_app(credit=1)) as client:
        refused = await send(client, to="07700900123,07700900124")
        accepted = await send(client)
        empty = await send(client)

    assert refused.json()["code"] == 7
    assert refused.json()["description"] == "Insufficient credit"
    assert accepted.json()["code"] == 0
    assert empty.json()["code"] == 7


@pytest.mark.parametrize(
    ("message", "fragments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("€" * 81, 2),
        ("Croeso ŵ" + "a" * 62, 1),
        ("Croeso ŵ" + "a" * 63, 2),
    ],
)
async def test_credit_goes_down_by_fragments_times_recipients(
    client: httpx2.AsyncClient, message: str, fragments: int
) -> None:
    before = await balance(client)

    response = await send(client, message=message, to="07700900123,447700900124,07700900125")

    assert response.json()["responseData"] == fragments * 3
    assert await balance(client) == before - fragments * 3


async def test_credit_endpoint(client: httpx2.AsyncClient) -> None:
    ok = await client.get("/api/credit/json", params={"apiKey": API_KEY})
    bad = await client.get("/api/credit/json", params={"apiKey": "wrong"})
    set_to = await client.post("/_sim/credit", json={"credit": 42})
    after = await client.post("/api/credit/json", data={"apiKey": API_KEY})

    assert ok.json() == {
        "code": 0,
        "description": "You have 1000000 credits",
        "responseData": 1000000,
    }
    assert bad.json()["code"] == 1
    assert set_to.json() == {"credit": 42}
    assert after.json()["responseData"] == 42
    assert (await client.post("/_sim/credit", json={"credit": -1})).status_code == 422


async def test_stores_one_entry_per_recipient(client: httpx2.AsyncClient) -> None:
    response = await send(
        client, to="07700900123,447700900124", reference="batch-7", receipt="http://127.0.0.1:9/x"
    )
    await send(client, reference="other")

    entries = (await client.get("/_sim/messages", params={"reference": "batch-7"})).json()

    assert [entry["to"] for entry in entries] == ["07700900123", "447700900124"]
    assert [entry["mobile"] for entry in entries] == ["447700900123", "447700900124"]
    first = entries[0]
    assert first["id"] == response.headers["x-message"]
    assert first["from"] == "Surgery"
    assert first["message"] == "Your flu jab is due"
    assert first["reference"] == "batch-7"
    assert first["receipt"] == "http://127.0.0.1:9/x"
    assert first["status"] == "queued"
    assert first["accepted_at"]
    assert len((await client.get("/_sim/messages")).json()) == 3
    by_number = await client.get("/_sim/messages", params={"to": "447700900123"})
    assert len(by_number.json()) == 2

    assert (await client.delete("/_sim/messages")).status_code == 204
    assert (await client.get("/_sim/messages")).json() == []


async def test_stats(client: httpx2.AsyncClient) -> None:
    await send(client, to="07700900123,07700900124")
    await send(client, apiKey="wrong")
    await client.get("/api/credit/json", params={"apiKey": API_KEY})

    stats = (await client.get("/_sim/stats")).json()
    reset = (await client.post("/_sim/reset-stats")).json()

    assert stats == {
        "requests": 3,
        "accepted_messages": 2,
        "rejected": 1,
        "throttled": 0,
        "errors": 0,
        "receipts_sent": 0,
        "receipts_failed": 0,
    }
    assert set(reset.values()) == {0}


async def test_rate_limit_answers_429() -> None:
    async with serve(make_app(rate_limit=2)) as client:
        statuses = [(await send(client)).status_code for _ in range(4)]
        stats = (await client.get("/_sim/stats")).json()

    assert statuses == [200, 200, 429, 429]
    assert stats["throttled"] == 2
    assert stats["accepted_messages"] == 2


async def test_error_rate_answers_500() -> None:
    async with serve(make_app(error_rate=1)) as client:
        response = await send(client)
        stats = (await client.get("/_sim/stats")).json()
        messages = (await client.get("/_sim/messages")).json()

    assert response.status_code == 500
    assert stats["errors"] == 1
    assert messages == []


async def test_latency() -> None:
    async with serve(make_app(latency_ms=150)) as client:
        started = time.perf_counter()
        await send(client)
        assert time.perf_counter() - started >= 0.15

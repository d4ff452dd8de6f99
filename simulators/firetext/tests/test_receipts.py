import asyncio
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest

from cohort_testing.local_server import serve as run_server
from firetext_sim.app import create_app
from firetext_sim.outcomes import Outcome, OutcomeRules

from .conftest import Receiver, make_app, make_settings, send_form, serve

SEND = "/api/sendsms/json"


async def stats_when(client: httpx2.AsyncClient, name: str, value: int) -> dict[str, int]:
    """The stats once ``name`` reaches ``value``: the receiver sees a POST before we count it."""
    for _ in range(500):
        stats: dict[str, int] = (await client.get("/_sim/stats")).json()
        if stats[name] >= value:
            return stats
        await asyncio.sleep(0.01)
    raise AssertionError(f"{name} never reached {value}: {stats}")


OUTCOMES = "0001=1:101,0002=1:102,0003=2:000,0004=2:000>1:102,90004=0:000"


async def test_delivered_receipt_by_default(receiver: Receiver) -> None:
    async with serve(make_app()) as client:
        await client.post(SEND, data=send_form(receipt=f"{receiver.url}/receipts/firetext"))
        [post] = await receiver.wait_for(1)
        stats = await stats_when(client, "receipts_sent", 1)
        [entry] = (await client.get("/_sim/messages")).json()

    assert post.path == "/receipts/firetext"
    assert post.form.keys() == {"mobile", "status", "reference", "time", "code"}
    assert post.form["mobile"] == "447700900123"
    assert post.form["status"] == "0"
    assert post.form["code"] == "000"
    assert post.form["reference"] == "ref-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", post.form["time"])
    uk_now = datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(post.form["time"]) - uk_now) < timedelta(seconds=5)
    assert (entry["status"], entry["code"]) == ("delivered", "000")
    assert stats["receipts_sent"] == 1


async def test_outcome_rules_pick_the_longest_suffix(receiver: Receiver) -> None:
    numbers = "07700900001,447700900002,07700900003,07700900004,07700990004,07700900005"
    async with serve(make_app(outcomes=OUTCOMES)) as client:
        await client.post(SEND, data=send_form(to=numbers, receipt=receiver.url))
        posts = await receiver.wait_for(7)
        await asyncio.sleep(0.1)  # nothing more may arrive
        entries = {e["mobile"]: e for e in (await client.get("/_sim/messages")).json()}

    received = sorted((p.form["mobile"], p.form["status"], p.form["code"]) for p in posts)
    assert received == [
        ("447700900001", "1", "101"),
        ("447700900002", "1", "102"),
        ("447700900003", "2", "000"),
        ("447700900004", "1", "102"),
        ("447700900004", "2", "000"),
        ("447700900005", "0", "000"),
        ("447700990004", "0", "000"),
    ]
    pending_then_failed = [p.form["status"] for p in posts if p.form["mobile"] == "447700900004"]
    assert pending_then_failed == ["2", "1"]
    assert entries["447700900003"]["status"] == "pending"
    assert entries["447700900004"]["status"] == "declined"
    assert entries["447700990004"]["status"] == "delivered"


def test_rules_parse_chains_and_reject_nonsense() -> None:
    rules = OutcomeRules(OUTCOMES)
    assert rules.for_number("07700900004") == (Outcome(2, "000"), Outcome(1, "102"))
    assert rules.for_number("07700990004") == (Outcome(0, "000"),)
    assert rules.for_number("07700900009") == (Outcome(0, "000"),)
    for bad in ("0001=1", "x=1:101", "0001=3:101", "0001=1:10"):
        with pytest.raises(ValueError, match="outcome rule"):
            OutcomeRules(bad)


async def test_receipt_url_query_is_kept(receiver: Receiver) -> None:
    async with serve(make_app()) as client:
        url = f"{receiver.url}/hooks/firetext?secret=s3cr%2Bet&v=1"
        await client.post(SEND, data=send_form(receipt=url))
        [post] = await receiver.wait_for(1)

    assert post.path == "/hooks/firetext"
    assert post.query == "secret=s3cr%2Bet&v=1"


async def test_no_reference_field_when_none_was_sent(receiver: Receiver) -> None:
    async with serve(make_app()) as client:
        await client.post(SEND, data=send_form(reference="<drop>", receipt=receiver.url))
        [post] = await receiver.wait_for(1)

    assert "reference" not in post.form


async def test_failed_receipt_posts_are_retried(receiver: Receiver) -> None:
    receiver.statuses = [503, 500]
    async with serve(make_app(receipt_attempts=3)) as client:
        await client.post(SEND, data=send_form(receipt=receiver.url))
        await receiver.wait_for(1)
        stats = await stats_when(client, "receipts_sent", 1)

    assert receiver.statuses == []
    assert (stats["receipts_sent"], stats["receipts_failed"]) == (1, 0)


async def test_receipt_given_up_after_the_last_attempt(receiver: Receiver) -> None:
    receiver.statuses = [500, 500, 500]
    async with serve(make_app(receipt_attempts=2)) as client:
        await client.post(SEND, data=send_form(receipt=receiver.url))
        stats = await stats_when(client, "receipts_failed", 1)

    assert receiver.statuses == [500]
    assert (stats["receipts_sent"], stats["receipts_failed"]) == (0, 1)


async def test_unreachable_receipt_url_counts_as_failed() -> None:
    async with serve(make_app(receipt_attempts=2)) as client:
        await client.post(SEND, data=send_form(receipt="http://127.0.0.1:9/receipts"))
        stats = await stats_when(client, "receipts_failed", 1)

    assert stats["receipts_sent"] == 0


async def test_shutdown_cancels_pending_receipts(receiver: Receiver) -> None:
    started = time.perf_counter()
    async with serve(make_app(receipt_delay_ms=60_000)) as client:
        await client.post(SEND, data=send_form(receipt=receiver.url))
    # Leaving the block ran shutdown, which must not wait out the minute's delay.

    assert time.perf_counter() - started < 2
    assert receiver.posts == []


async def test_end_to_end_over_real_sockets(receiver: Receiver) -> None:
    app = create_app(make_settings(outcomes="0001=1:101"))
    async with (
        run_server(app, lifespan="on") as base_url,
        httpx2.AsyncClient(base_url=base_url) as client,
    ):
        response = await client.post(
            SEND, data=send_form(to="07700900001", receipt=f"{receiver.url}/r?k=v")
        )
        [post] = await receiver.wait_for(1)

    assert response.json()["code"] == 0
    assert post.query == "k=v"
    assert (post.form["mobile"], post.form["status"], post.form["code"]) == (
        "447700900001",
        "1",
        "101",
    )


async def test_inbound_reply_is_pushed(receiver: Receiver) -> None:
    async with serve(make_app()) as client:
        response = await client.post(
            "/_sim/inbound",
            json={
                "url": f"{receiver.url}/inbound?token=abc",
                "source": "07700900123",
                "destination": "447537410000",
                "message": "STOP",
            },
        )
        [post] = await receiver.wait_for(1)

    assert response.status_code == 200
    assert response.json() == {"target_status": 200}
    assert post.query == "token=abc"
    assert post.form.keys() == {"source", "destination", "message", "time"}
    assert (post.form["source"], post.form["destination"], post.form["message"]) == (
        "07700900123",
        "447537410000",
        "STOP",
    )


async def test_inbound_mirrors_the_target_status(receiver: Receiver) -> None:
    receiver.statuses = [403]
    body = {"url": receiver.url, "source": "07700900123", "destination": "x", "message": "hi"}
    async with serve(make_app()) as client:
        refused = await client.post("/_sim/inbound", json=body)
        unreachable = await client.post(
            "/_sim/inbound", json={**body, "url": "http://127.0.0.1:9/inbound"}
        )

    assert refused.status_code == 403
    assert refused.json() == {"target_status": 403}
    assert unreachable.status_code == 502

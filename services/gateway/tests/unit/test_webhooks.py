"""Firetext webhooks: authenticated by an HMAC of the org; only a valid call publishes."""

import asyncio
import functools

import pytest

from cohort_platform.group_commit import GroupCommit
from cohort_platform.webhooks import receipt_token as gateway_token
from gateway.handlers.webhooks import publish_receipts

from ..conftest import ORG, WEBHOOK_SECRET, Harness, webhook_token
from ..fakes import FakePublisher

RECEIPTS = "/v1/webhooks/firetext/receipts"
INBOUND = "/v1/webhooks/firetext/inbound"
RECEIPT = {
    "mobile": "447700900123",
    "status": "1",
    "reference": "rcp-123",
    "time": "2026-07-10 15:17:00",
    "code": "101",
}


def url(path: str, org: str | None = ORG, token: str | None = None) -> str:
    params = []
    if org is not None:
        params.append(f"org={org}")
    if token is not None:
        params.append(f"token={token}")
    return path + ("?" + "&".join(params) if params else "")


def test_token_is_hex_hmac_sha256_of_the_org() -> None:
    assert gateway_token(WEBHOOK_SECRET, ORG) == webhook_token(ORG)
    assert len(webhook_token(ORG)) == 64


async def test_a_valid_receipt_is_published_then_acknowledged(gateway: Harness) -> None:
    response = await gateway.client.post(url(RECEIPTS, token=webhook_token(ORG)), data=RECEIPT)

    assert response.status_code == 200
    assert response.json() == {"result": "success"}
    [batch] = gateway.receipt_batches
    assert batch.org_id == ORG
    [message] = gateway.receipts
    assert (message.mobile, message.status, message.reference) == ("447700900123", "1", "rcp-123")
    assert (message.time, message.code) == ("2026-07-10 15:17:00", "101")


async def test_optional_fields_may_be_absent(gateway: Harness) -> None:
    response = await gateway.client.post(
        url(RECEIPTS, token=webhook_token(ORG)), data={"status": "0", "reference": "r"}
    )

    assert response.status_code == 200
    assert gateway.receipts[0].time is None


@pytest.mark.parametrize(
    ("org", "token", "status"),
    [
        (None, None, 401),
        (ORG, None, 401),
        (None, webhook_token(ORG), 401),
        (ORG, webhook_token("B82002"), 403),
        (ORG, webhook_token(ORG, secret="someone-elses-secret"), 403),
        (ORG, "0" * 64, 403),
        ("B82002", webhook_token(ORG), 403),
        ("a81001", webhook_token("a81001"), 403),
    ],
    ids=[
        "none",
        "no-token",
        "no-org",
        "other-orgs-token",
        "wrong-secret",
        "zeros",
        "swapped-org",
        "bad-org",
    ],
)
@pytest.mark.parametrize("path", [RECEIPTS, INBOUND])
async def test_forged_calls_publish_nothing(
    gateway: Harness, path: str, org: str | None, token: str | None, status: int
) -> None:
    response = await gateway.client.post(url(path, org, token), data=RECEIPT)

    assert response.status_code == status
    assert response.json()["error"]["code"] == ("unauthorized" if status == 401 else "forbidden")
    assert gateway.receipts == []
    assert gateway.replies == []


@pytest.mark.parametrize("missing", ["status", "reference"])
async def test_missing_required_fields_are_400(gateway: Harness, missing: str) -> None:
    form = {k: v for k, v in RECEIPT.items() if k != missing}

    response = await gateway.client.post(url(RECEIPTS, token=webhook_token(ORG)), data=form)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["fields"] == [missing]
    assert missing in error["message"]
    assert gateway.receipts == []


async def test_a_json_body_is_400_not_500(gateway: Harness) -> None:
    response = await gateway.client.post(url(RECEIPTS, token=webhook_token(ORG)), json=RECEIPT)

    assert response.status_code == 400
    assert gateway.receipts == []


async def test_an_inbound_reply_is_published_then_acknowledged(gateway: Harness) -> None:
    token = webhook_token(ORG)
    form = {
        "source": "07700900123",
        "destination": "447700900000",
        "message": "Yes, Tuesday is fine",
        "time": "2026-07-10 15:17:00",
    }

    ok = await gateway.client.post(url(INBOUND, token=token), data=form)
    missing = await gateway.client.post(url(INBOUND, token=token), data={"message": "hi"})

    assert ok.status_code == 200
    assert ok.json() == {"status": "ok"}
    [reply] = gateway.replies
    assert reply.org_id == ORG
    assert (reply.source, reply.destination) == ("07700900123", "447700900000")
    assert (reply.message, reply.time) == ("Yes, Tuesday is fine", "2026-07-10 15:17:00")
    assert missing.status_code == 400
    assert missing.json()["error"]["details"]["fields"] == ["source"]
    assert len(gateway.replies) == 1
    assert gateway.receipts == []


async def test_a_reply_the_broker_did_not_take_is_503_so_firetext_retries(
    gateway: Harness,
) -> None:
    gateway.rewire(publisher=FakePublisher(fail_always=True))

    response = await gateway.client.post(
        url(INBOUND, token=webhook_token(ORG)), data={"source": "07700900123", "message": "x"}
    )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


async def test_receipts_arriving_together_are_published_together(gateway: Harness) -> None:
    forms = [{"status": "0", "reference": f"rcp-{n}", "mobile": "447700900123"} for n in range(60)]
    responses = await asyncio.gather(
        *(gateway.client.post(url(RECEIPTS, token=webhook_token(ORG)), data=f) for f in forms)
    )

    assert {r.status_code for r in responses} == {200}
    assert len(gateway.receipt_batches) < 60
    assert sorted(r.reference for r in gateway.receipts) == sorted(f["reference"] for f in forms)


async def test_receipts_the_broker_did_not_confirm_are_refused_so_firetext_retries(
    gateway: Harness,
) -> None:
    failing = FakePublisher(fail_always=True)
    gateway.rewire(
        receipts=GroupCommit(
            functools.partial(publish_receipts, failing),
            max_items=10,
            max_wait_s=0.01,
            max_pending=100,
        )
    )
    responses = await asyncio.gather(
        *(
            gateway.client.post(url(RECEIPTS, token=webhook_token(ORG)), data=RECEIPT)
            for _ in range(5)
        )
    )

    assert {r.status_code for r in responses} == {503}
    assert gateway.receipts == []


async def test_too_many_receipts_waiting_is_a_503_at_once(gateway: Harness) -> None:
    gateway.rewire(
        receipts=GroupCommit(
            functools.partial(publish_receipts, FakePublisher()),
            max_items=10,
            max_wait_s=60,
            max_pending=0,
        )
    )
    response = await gateway.client.post(url(RECEIPTS, token=webhook_token(ORG)), data=RECEIPT)

    assert response.status_code == 503
    assert "try again" in response.json()["error"]["message"]


async def test_an_oversized_receipt_is_refused_unread(gateway: Harness) -> None:
    response = await gateway.client.post(
        url(RECEIPTS, token=webhook_token(ORG)),
        data={**RECEIPT, "padding": "x" * 20_000},
    )

    assert response.status_code == 413
    assert gateway.receipts == []

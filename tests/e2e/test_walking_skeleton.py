"""A basic SMS campaign through all four services and both simulators over the real RabbitMQ."""

import csv
import io
from collections import Counter
from typing import Any

import httpx2
import pytest

from . import sending_flow as flow
from .patients import build
from .stack import Stack

pytestmark = pytest.mark.e2e


def test_a_basic_sms_campaign_end_to_end(stack: Stack) -> None:
    expected = build(1000)
    api = flow.api(stack)

    created = api.post("/v1/campaigns", json={"name": "Flu clinic", "type": "basic"})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]

    list_url = flow.post_list(api, campaign_id, expected.csv_bytes, filename="flu.csv")
    progress = flow.resolved_list(api, list_url, seconds=120.0)
    assert progress["total_rows"] == 1000
    assert progress["succeeded"] == expected.resolved
    assert progress["failed"] == len(expected.failures)
    assert {r["reason_code"]: r["count"] for r in progress["failed_by_reason"]} == dict(
        Counter(expected.failures.values())
    )

    unsuccessful = api.get(f"{list_url}/unsuccessful.csv")
    assert unsuccessful.status_code == 200
    assert unsuccessful.headers["content-type"].startswith("text/csv")
    # The download starts with a BOM so that Excel reads it as UTF-8.
    assert unsuccessful.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(unsuccessful.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "NHS Number",
        "Date of Birth",
        "Surname",
        "Notes",
        "row_number",
        "reason_code",
        "reason",
    ]
    assert {int(r[4]): r[5] for r in rows[1:]} == expected.failures
    assert all(r[3].startswith("note, with a comma") and r[6] for r in rows[1:])

    message = api.put(
        f"/v1/campaigns/{campaign_id}/message",
        json={"body": "Hello ((first_name)), book your flu jab at the surgery."},
    )
    assert message.status_code == 200, message.text
    review = api.get(f"/v1/campaigns/{campaign_id}/review").json()
    assert review["recipient_count"] == expected.resolved
    assert review["previews"][0]["body"].startswith("Hello ")
    assert "((" not in review["previews"][0]["body"]

    wrong = flow.send(api, campaign_id, expected.resolved - 1)
    assert wrong.status_code == 409
    sent = flow.send(api, campaign_id, expected.resolved)
    assert sent.status_code == 202, sent.text

    def settled() -> list[dict[str, Any]] | None:
        recipients = flow.recipients(api, campaign_id)
        done = all(r["status"] in ("delivered", "failed", "cancelled") for r in recipients)
        return recipients if done else None

    recipients = flow.wait_for("every recipient to settle", settled, seconds=180)
    assert len(recipients) == expected.resolved
    assert Counter(r["status"] for r in recipients) == {"delivered": expected.resolved}

    handsets = httpx2.get(f"{stack.url('firetext')}/_sim/messages", timeout=30).json()
    # Identical texts may share one request (and reference), so count what each handset got:
    # exactly one message per recipient, with the text rendered for that recipient.
    received = Counter((m["to"], m["message"]) for m in handsets)
    expected_texts = Counter(
        (r["contact"], f"Hello {r['given_name']}, book your flu jab at the surgery.")
        for r in recipients
    )
    assert len(handsets) == expected.resolved
    assert received == expected_texts

    campaign = api.get(f"/v1/campaigns/{campaign_id}").json()
    assert campaign["status"] == "completed"
    assert campaign["counts"]["delivered"] == expected.resolved


def test_another_organisation_sees_nothing(stack: Stack) -> None:
    own = flow.api(stack, "A81001").post("/v1/campaigns", json={"name": "Mine", "type": "basic"})
    other = flow.api(stack, "B82002")
    assert other.get(f"/v1/campaigns/{own.json()['id']}").status_code == 404
    assert own.json()["id"] not in {c["id"] for c in other.get("/v1/campaigns").json()["items"]}

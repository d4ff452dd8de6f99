"""Issue 5's cancel proof, through the HTTP API with every service running: a campaign of 2,000
cancelled two seconds into a twenty-second send stops reaching handsets within seconds, every
patient is accounted for, and nobody is messaged twice. The time it takes is measured and
printed (``pytest -s``) and recorded as the test's ``cancel_stop_seconds`` property."""

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator

import httpx2
import pytest

from . import sending_flow as flow
from .own_stack import run_stack
from .stack import Stack

pytestmark = pytest.mark.e2e

#: Issue 5 asks for the figure at 10,000 recipients; CI runs 2,000. To measure at 10,000:
#: COHORT_E2E_CANCEL_PATIENTS=10000 COHORT_E2E_CANCEL_RATE=200 \
#:   uv run pytest tests/e2e/test_cancel.py -m e2e -s
PATIENTS = int(os.environ.get("COHORT_E2E_CANCEL_PATIENTS", "2000"))
RATE = int(os.environ.get("COHORT_E2E_CANCEL_RATE", "100"))  # SMS a second: ~20 s for 2,000
ENV = {"DISPATCH_SMS_RATE_LIMIT": str(RATE)}
BODY = "Hello ((first_name)) ((last_name)), your flu jab is due. Call the surgery to book."
#: How long the handset count must stay still to count as stopped, and how often it is read.
STILL_S, EVERY_S = 2.0, 0.1


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from run_stack(tmp_path_factory, ENV)


def rendered(given: str, family: str) -> str:
    return BODY.replace("((first_name))", given).replace("((last_name))", family)


def handset_count(stack: Stack) -> int:
    response = httpx2.get(f"{stack.url('firetext')}/_sim/messages", timeout=10)
    return len(response.json())


def seconds_until_still(count: Callable[[], int], since: float) -> tuple[float, int]:
    """Seconds from ``since`` until ``count()`` last grew, read every 100 ms until it has not
    grown for two seconds; and the count then."""
    last, last_change = count(), time.monotonic()
    while time.monotonic() - last_change < STILL_S:
        time.sleep(EVERY_S)
        now = count()
        if now != last:
            last, last_change = now, time.monotonic()
    return last_change - since, last


def test_cancel_stops_sending_within_seconds(
    stack: Stack, record_property: Callable[[str, object], None]
) -> None:
    # A name and handset pair of their own each (there are only 1,000 handsets), so each text
    # tells whom it was for.
    patients = flow.pick(PATIENTS, distinct=(lambda p: (p.mobile, p.given, p.family),))
    client = flow.api(stack)
    campaign_id = flow.create(client, "Cancel")
    started = time.monotonic()
    rows = [(p.nhs_number, p.birth_date) for p in patients]
    progress = flow.upload(client, campaign_id, rows, seconds=120)
    assert progress["succeeded"] == PATIENTS
    resolved_s = time.monotonic() - started
    flow.compose(client, campaign_id, BODY)
    assert flow.review(client, campaign_id)["recipient_count"] == PATIENTS

    response = flow.send(client, campaign_id, PATIENTS)
    assert response.status_code == 202, response.text
    sent_at = time.monotonic()
    time.sleep(2.0)
    before = handset_count(stack)
    cancel_at = time.monotonic()
    cancelled = client.post(f"/v1/campaigns/{campaign_id}/cancel", timeout=60)
    answered_s = time.monotonic() - cancel_at
    stop_s, reached = seconds_until_still(lambda: handset_count(stack), cancel_at)

    record_property("cancel_stop_seconds", round(stop_s, 2))
    record_property("cancel_answered_seconds", round(answered_s, 2))
    record_property("handsets_reached", reached)
    print(  # noqa: T201
        f"\n[cancel] list of {PATIENTS} resolved in {resolved_s:.1f}s; cancelled "
        f"{cancel_at - sent_at:.1f}s after send with {before} handsets reached; the cancel "
        f"request answered {cancelled.status_code} in {answered_s:.2f}s; handsets stopped "
        f"{stop_s:.2f}s after it, at {reached} of {PATIENTS}"
    )
    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    # What dispatch had claimed before the cancel still goes out (at the SMS rate); nothing
    # after. Measured ≈ 1.4 s on a quiet machine (the printed figure); the bound leaves room
    # for a busy CI box, the exact invariants follow.
    assert stop_s < 15.0
    assert 0 < reached < PATIENTS

    # Those dispatch had claimed before the cancel are sent; none is left to send. (Sent ones
    # settle from their receipts; that is test_delivery_outcomes' business.)
    deadline = time.monotonic() + 30
    while True:
        recipients = flow.recipients(client, campaign_id)
        statuses = Counter(str(r["status"]) for r in recipients)
        if not set(statuses) & {"ready", "queued", "sending"}:
            break
        assert time.monotonic() < deadline, f"still unsent after 30 s: {statuses}"
        time.sleep(0.5)
    settled = {"sent", "delivered", "failed", "outcome_unknown", "cancelled"}
    assert set(statuses) <= settled, statuses
    assert sum(statuses.values()) == PATIENTS
    assert statuses["cancelled"] == PATIENTS - reached, statuses

    # Every handset message is one not-cancelled patient's, each at most once.
    handsets = flow.handsets(stack)
    received = Counter((m["to"], m["message"]) for m in handsets)
    assert max(received.values()) == 1
    messaged = {
        (str(r["contact"]), rendered(str(r["given_name"]), str(r["family_name"])))
        for r in recipients
        if r["status"] != "cancelled"
    }
    assert set(received) == messaged
    assert len(handsets) == len(messaged) == reached

    cancelled_ones = flow.recipients(client, campaign_id, status="cancelled")
    assert len(cancelled_ones) == statuses["cancelled"]
    overview = flow.campaign(client, campaign_id)
    assert overview["status"] == "cancelled"
    assert overview["counts"]["cancelled"] == statuses["cancelled"]
    assert flow.audit_actions(client, campaign_id)[-1] == "cancelled"
    # Nothing more goes out later (a sweep, a redelivered batch).
    time.sleep(2.0)
    assert handset_count(stack) == reached

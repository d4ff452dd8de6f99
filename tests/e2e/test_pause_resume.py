"""Issue 5's credit proof, through the HTTP API with every service running: the review shows the
Firetext balance against what the campaign needs, a send the balance cannot cover is refused,
credit running out mid-campaign pauses it with a reason staff can act on and loses nobody, and
after a top-up and resume every patient has exactly one message."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from . import sending_flow as flow
from .own_stack import run_stack
from .stack import Stack

pytestmark = pytest.mark.e2e

PATIENTS = 30
ENV = {
    "FIRETEXT_SIM_CREDIT": "10",
    # Slow enough (about 3 s for the list) that the credit can be cut while it sends.
    "DISPATCH_SMS_RATE_LIMIT": "10",
}
BODY = "Hello ((first_name)) ((last_name)), your flu jab is due. Call the surgery to book."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from run_stack(tmp_path_factory, ENV)


def test_credit_running_out_pauses_and_resume_sends_the_rest_once(stack: Stack) -> None:
    # Each with a handset and a name of their own: every text differs, so each is a request
    # of its own and the credit can run out between two patients.
    patients = flow.pick(PATIENTS, distinct=(flow.by_mobile, lambda p: (p.given, p.family)))
    client = flow.api(stack)
    campaign_id = flow.create(client, "Credit")
    progress = flow.upload(client, campaign_id, [(p.nhs_number, p.birth_date) for p in patients])
    assert progress["succeeded"] == PATIENTS
    flow.compose(client, campaign_id, BODY)

    review = flow.review(client, campaign_id)
    assert review["recipient_count"] == PATIENTS
    assert review["largest_message_fragments"] == 1
    assert (review["credit_balance"], review["credits_needed"]) == (10, PATIENTS)

    refused = flow.send(client, campaign_id, PATIENTS)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "conflict"
    assert "30 SMS credits" in error["message"]
    assert "has 10" in error["message"]
    assert flow.campaign(client, campaign_id)["status"] == "draft"
    assert flow.handsets(stack) == []

    # Just enough to pass the check, then cut while the campaign sends.
    flow.set_credit(stack, PATIENTS)
    assert flow.review(client, campaign_id)["credit_balance"] == PATIENTS
    sent = flow.send(client, campaign_id, PATIENTS)
    assert sent.status_code == 202, sent.text
    flow.set_credit(stack, 10)
    already = len(flow.handsets(stack))

    paused = flow.wait_for(
        "the campaign to pause",
        lambda: c if (c := flow.campaign(client, campaign_id))["status"] == "paused" else None,
        seconds=30,
    )
    assert "credit" in paused["paused_reason"].lower()
    assert "resume" in paused["paused_reason"].lower()

    def at_rest() -> list[dict[str, Any]] | None:
        everyone = flow.recipients(client, campaign_id)
        moving = any(r["status"] in ("sending", "sent") for r in everyone)
        return None if moving else everyone

    held = flow.wait_for("the paused campaign to come to rest", at_rest, seconds=30)
    statuses = Counter(r["status"] for r in held)
    delivered = statuses["delivered"]
    print(  # noqa: T201
        f"\n[pause] sent before the cut: {already}, delivered before the pause: {delivered}, "
        f"held: {dict(statuses)}"
    )
    # Paused mid-campaign: some were messaged, nobody was lost or failed, the rest wait.
    assert 0 < delivered < PATIENTS
    assert set(statuses) <= {"delivered", "ready", "queued"}, statuses
    assert statuses["ready"] + statuses["queued"] == PATIENTS - delivered
    assert len(flow.handsets(stack)) == delivered

    flow.set_credit(stack, 1000)
    resumed = client.post(f"/v1/campaigns/{campaign_id}/resume")
    assert resumed.status_code == 202, resumed.text
    assert resumed.json()["paused_reason"] is None

    recipients = flow.wait_for(
        "every recipient to settle", lambda: flow.settled(client, campaign_id), seconds=30
    )
    assert Counter(r["status"] for r in recipients) == {"delivered": PATIENTS}
    overview = flow.wait_for(
        "the campaign to complete",
        lambda: c if (c := flow.campaign(client, campaign_id))["status"] == "completed" else None,
        seconds=10,
    )
    assert overview["counts"]["delivered"] == PATIENTS

    # Exactly one message per patient, the one rendered for them.
    received = Counter((m["to"], m["message"]) for m in flow.handsets(stack))
    expected = Counter(
        (
            r["contact"],
            BODY.replace("((first_name))", r["given_name"]).replace(
                "((last_name))", r["family_name"]
            ),
        )
        for r in recipients
    )
    assert received == expected
    assert sum(received.values()) == PATIENTS

    actions = flow.audit_actions(client, campaign_id)
    assert actions[-3:] == ["sent", "paused", "resumed"], actions
    again = client.post(f"/v1/campaigns/{campaign_id}/resume")
    assert again.status_code == 409, again.text

"""Issue 11's proof, over the real RabbitMQ and NHS England's mesh-sandbox with every service,
the record service and a fake GP system running: a campaign of 1,000 where some messages are
delivered, some fail and some never get a receipt. Exactly one GP Connect Send Document per
delivered message reaches the practice mailbox (counted there), none for the others, whatever
repeats: redelivered record entries and a sandbox restarted mid-run never produce a second
document. The practice's answers and MESH's non-delivery reports show per recipient with their
reason; a practice that is not set up shows "Not saved: practice not set up for saving to
record"; the campaign counts what was saved."""

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cohort_contracts.record import RecordReason
from cohort_contracts.sending import RecordEntryRequested
from cohort_testing.mesh_sandbox import SENDER
from record.domain.model import entry_id_for

from . import record_flow
from . import sending_flow as flow
from .own_stack import running
from .sending_flow import Patient
from .stack import Stack

pytestmark = pytest.mark.e2e

#: Firetext, by the mobile's last digit: 1 declined (failed), 3 pending and then nothing
#: (NO_RECEIPT after the receipt timeout); anything else delivered.
FIRETEXT = "1=1:101,3=2:000"
#: The practice, by the NHS number's last digit: 1 not registered here (30002), 2 rejected
#: (20009), 3 silent, 4 never collected (MESH then sends a non-delivery report); else filed.
GP = "1=not_registered,2=rejected,3=silent,4=uncollected"
EXPECTED_BY_DIGIT: dict[str, tuple[str, str | None]] = {
    "1": ("not_saved", RecordReason.NOT_REGISTERED_HERE.value),
    "2": ("not_saved", RecordReason.REJECTED.value),
    "3": ("not_saved", RecordReason.NO_ACK.value),
    "4": ("not_saved", RecordReason.NOT_COLLECTED.value),
}
SAVED = ("saved", None)
#: Longer than the fake practice takes to answer 1,000 documents one by one: its slowest
#: answer came 22 s after the document alone, and over 50 s with other tests running beside.
ACK_TIMEOUT_S = 90
ENV = {
    "FIRETEXT_SIM_OUTCOMES": FIRETEXT,
    # Costs no time (the practice's 90 s decides the run's length) and leaves a delivered
    # text's receipt 20 s to arrive while other tests load the machine.
    "CAMPAIGN_RECEIPT_TIMEOUT_S": "20",
    "RECORD_INFRASTRUCTURE_ACK_TIMEOUT_S": str(ACK_TIMEOUT_S),
    "RECORD_BUSINESS_ACK_TIMEOUT_S": str(ACK_TIMEOUT_S),
    "RECORD_RETRY_DELAYS_S": "[1, 2, 4, 8, 16, 32]",
}
BODY = "Hello ((first_name)), your flu jab is due. Please book at the surgery."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    configured = Stack(
        log_dir=Path(tmp_path_factory.mktemp("e2e-logs")),
        extra_env=ENV,
        with_record=True,
        fake_gp_behaviours=GP,
    )
    with running(configured) as stack:
        yield stack


def start_campaign(stack: Stack, org: str, name: str, patients: list[Patient]) -> str:
    client = flow.api(stack, org)
    campaign_id = flow.create(client, name)
    progress = flow.upload(client, campaign_id, [(p.nhs_number, p.birth_date) for p in patients])
    assert progress["succeeded"] == len(patients), progress
    flow.compose(client, campaign_id, BODY)
    response = flow.send(client, campaign_id, len(patients))
    assert response.status_code == 202, response.text
    return campaign_id


def expected(recipient: dict[str, Any], enabled: bool) -> tuple[str, str | None] | None:
    if recipient["status"] != "delivered":
        return None
    if not enabled:
        return ("not_saved", RecordReason.PRACTICE_NOT_ENABLED.value)
    return EXPECTED_BY_DIGIT.get(recipient["nhs_number"][-1], SAVED)


def report_uncollected(stack: Stack, reported: set[str]) -> None:
    """MESH tells the sender of a message the practice never collected with a REPORT (code 14);
    mesh-sandbox does not expire messages by itself, so the test drops the report in."""
    assert stack.sandbox is not None
    for document in record_flow.documents(stack):
        if document["behaviour"] == "uncollected" and document["mesh_message_id"] not in reported:
            stack.sandbox.report(
                mailbox=SENDER,
                linked_message_id=document["mesh_message_id"],
                local_id=document["local_id"],
                code="14",
                description="Message not collected by recipient",
            )
            reported.add(document["mesh_message_id"])


def test_one_document_per_delivered_message_with_every_outcome_shown(stack: Stack) -> None:
    patients = flow.pick(1000)
    campaign_id = start_campaign(stack, "A81001", "Flu", patients)
    # A practice that has not opted in: its delivered messages are not saved.
    others = flow.pick(20, "9992", accept=lambda p: p.mobile[-1] not in "13")
    other_id = start_campaign(stack, "B82002", "Flu elsewhere", others)

    # The sandbox restarts while documents are flowing; its file store keeps what it had.
    flow.wait_for("documents to arrive", lambda: len(record_flow.documents(stack)) >= 100, 120)
    assert stack.sandbox is not None
    stack.sandbox.restart()

    client, other_client = flow.api(stack), flow.api(stack, "B82002")
    reported: set[str] = set()

    def everyone_final() -> list[dict[str, Any]] | None:
        report_uncollected(stack, reported)
        everyone = flow.settled(client, campaign_id)
        if everyone is None:
            return None
        waiting = [
            r
            for r in everyone
            if r["status"] == "delivered" and r["record_status"] in (None, "saving")
        ]
        return None if waiting else everyone

    everyone = flow.wait_for("every record entry to be final", everyone_final, 300, every=2)

    def others_final() -> list[dict[str, Any]] | None:
        settled = flow.settled(other_client, other_id)
        if settled is None:
            return None
        return (
            settled
            if all(r["record_status"] for r in settled if r["status"] == "delivered")
            else None
        )

    others_seen = flow.wait_for("the other practice's entries", others_final, 120)

    # Exactly one document per delivered message of the enabled practice, none for the others.
    delivered = [r for r in everyone if r["status"] == "delivered"]
    not_delivered = [r for r in everyone if r["status"] != "delivered"]
    assert {r["status"] for r in not_delivered} == {"failed"}
    assert {r["reason_code"] for r in not_delivered} == {"UNKNOWN_SUBSCRIBER", "NO_RECEIPT"}
    assert 600 < len(delivered) < 900
    per_reference = record_flow.per_reference(stack)
    expected_refs = {str(entry_id_for(uuid.UUID(campaign_id), r["id"])) for r in delivered}
    assert set(per_reference) == expected_refs
    assert set(per_reference.values()) == {1}
    assert all(d["valid"] for d in record_flow.documents(stack))

    # Every recipient shows the practice's answer, MESH's report or the missing ack.
    shown = {r["id"]: (r["record_status"], r["record_reason_code"]) for r in everyone}
    assert shown == {r["id"]: expected(r, True) or (None, None) for r in everyone}
    kinds = Counter(v for v in shown.values())
    assert kinds[SAVED] > 300
    assert all(kinds[v] > 20 for v in EXPECTED_BY_DIGIT.values()), kinds
    for r in others_seen:
        if r["status"] == "delivered":
            assert (r["record_status"], r["record_reason"]) == (
                "not_saved",
                "Not saved: practice not set up for saving to record",
            )
    assert flow.campaign(client, campaign_id)["counts"]["saved_to_record"] == kinds[SAVED]
    csv_rows = flow.recipients_csv(client, campaign_id)
    assert Counter(row["record_status"] for row in csv_rows)["saved"] == kinds[SAVED]

    # Redelivered record entries (a publisher's repeat) change nothing and send nothing.
    repeats = [
        RecordEntryRequested(
            correlation_id=uuid.uuid4(),
            org_id="A81001",
            nhs_number=r["nhs_number"],
            campaign_id=uuid.UUID(campaign_id),
            recipient_id=r["id"],
            channel="sms",
            message_text="repeat",
            delivered_at=datetime.fromisoformat(r["updated_at"]),
            family_name=r["family_name"],
        )
        for r in delivered[:200]
    ]
    record_flow.republish(stack, repeats)
    flow.wait_for(
        "the repeats to be read",
        lambda: flow.log_lines(stack, "record", "record entry repeated") >= 200,
        30,
    )
    # A document sent for a repeat would reach the practice within this: the record service
    # sends every second and the practice collects every half second.
    time.sleep(3)
    assert record_flow.per_reference(stack) == per_reference
    again = {
        r["id"]: (r["record_status"], r["record_reason_code"])
        for r in flow.recipients(client, campaign_id)
    }
    assert again == shown
    for name in ("record", "campaign"):
        log = (stack.log_dir / f"{name}.log").read_text()
        for r in delivered[:50]:
            assert r["nhs_number"] not in log
            assert r["family_name"] not in log

"""Reading Cohort's MESH inbox against the ITK3 response codes and MESH's report codes
(reference/record.md §1, §4): each code to its effect on the entry."""

import pytest

from cohort_contracts.record import RecordReason
from fake_gp.itk import response_message
from record.domain.responses import (
    InboxMessage,
    UnreadableResponse,
    interpret,
    read_inbox_message,
    read_itk_response,
)

REF = "5b0c6c55-0f37-5a3a-9a52-3a4b7b1d2c11"


@pytest.mark.parametrize(
    ("code", "effect", "reason"),
    [
        ("20013", "acknowledged", None),  # infrastructure: received
        ("30001", "filed", None),  # business: patient known, in the practice workflow
        ("30004", "filed", None),  # business: recently deceased (positive)
        ("30002", "failed", RecordReason.NOT_REGISTERED_HERE),  # patient not known here
        ("30003", "failed", RecordReason.NOT_REGISTERED_HERE),  # no longer registered here
        ("20009", "failed", RecordReason.REJECTED),  # payload invalid
        ("20015", "failed", RecordReason.REJECTED),  # too large
        ("10001", "failed", RecordReason.REJECTED),  # infrastructure failure
        ("20007", "ignored", None),  # duplicate message: the original's acks decide
        ("20008", "ignored", None),  # duplicate document
    ],
)
def test_each_itk_code_has_its_effect(code: str, effect: str, reason: RecordReason | None) -> None:
    body = response_message(sender_reference=REF, header_id=REF, code=code, source_mailbox="GP")
    response = read_itk_response(body)
    assert (response.effect, response.reason, response.reference) == (effect, reason, REF)
    assert response.detail == f"ITK {code}"


def test_the_response_identifier_correlates_when_there_is_no_sender_reference() -> None:
    body = response_message(
        sender_reference="None", header_id=REF, code="20013", source_mailbox="GP"
    )
    assert read_itk_response(body).reference == REF


def test_a_business_code_outranks_an_infrastructure_one_in_the_same_response() -> None:
    assert interpret(["20013", "30001"], REF).effect == "filed"


@pytest.mark.parametrize(
    ("code", "description", "reason", "detail"),
    [
        ("14", "Undelivered message", RecordReason.NOT_COLLECTED, "MESH 14"),
        ("12", "Unregistered to address", RecordReason.NO_GP_MAILBOX, "MESH 12"),
        ("02", "EPL-153: Patient not found on PDS", RecordReason.PATIENT_NOT_FOUND, "EPL-153"),
        ("02", "EPL-154 demographics mismatch", RecordReason.PATIENT_NOT_FOUND, "EPL-154"),
        ("02", "EPL-152 invalid NHS number", RecordReason.PATIENT_NOT_FOUND, "EPL-152"),
        ("02", "EPL-151 no mailbox found", RecordReason.NO_GP_MAILBOX, "EPL-151"),
        ("02", "EPL-150 multiple mailboxes", RecordReason.NO_GP_MAILBOX, "EPL-150"),
        ("16", "Sender not allowed", RecordReason.SEND_ERROR, "MESH 16"),
    ],
)
def test_each_mesh_report_has_its_reason(
    code: str, description: str, reason: RecordReason, detail: str
) -> None:
    report = InboxMessage("R1", "REPORT", None, "local", "MESH1", code, description, b"")
    response = read_inbox_message(report)
    assert (response.effect, response.reason, response.detail) == ("failed", reason, detail)
    assert (response.reference, response.mesh_message_id) == ("local", "MESH1")


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b'{"resourceType": "Patient"}', b'{"resourceType": "Bundle", "entry": []}'],
)
def test_anything_else_is_unreadable(body: bytes) -> None:
    with pytest.raises(UnreadableResponse):
        read_itk_response(body)


@pytest.mark.parametrize("prefix", ["ITK", "MESH"])
def test_a_code_that_is_not_a_code_is_not_repeated(prefix: str) -> None:
    # Written by the practice's system or MESH: free text there could be anything, a patient's.
    odd = "Ann Example 12/07/1984"
    if prefix == "ITK":
        response = interpret([odd], REF)
    else:
        report = InboxMessage("R1", "REPORT", None, "local", "MESH1", odd, "", b"")
        response = read_inbox_message(report)

    assert response.effect == "failed"
    assert response.detail == f"{prefix} (unrecognised code)"

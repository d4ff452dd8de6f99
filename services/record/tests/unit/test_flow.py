"""The record service's handlers over the real store (the stand-in, and a real MongoDB where
there is one) and a fake MESH mailbox: one document per delivered message whatever repeats,
retries, crashes or acknowledgements come."""

import logging

import pytest

from cohort_contracts.record import RecordReason, RecordState, RecordStatusChanged
from cohort_contracts.routing import RECORD_STATUS
from cohort_platform.json_logs import JsonFormatter
from fake_gp.itk import check_document, response_message
from record.domain.errors import PermanentSendError, RetryableSendError, TrackingUnavailable
from record.domain.model import entry_id_for
from record.domain.responses import InboxMessage
from record.handlers import entries, inbox, sending, statuses, timeouts
from record.handlers.deps import Deps

from ..builders import OTHER_ORG, TEXT, record_entry_requested
from ..clock import Clock
from ..dead_sender import send_without_saving
from ..fakes import FakeMailbox, FakePublisher
from ..stored import accepted, entry_for, state_of, stored_entry


@pytest.fixture
def clock(deps: Deps) -> Clock:
    c = Clock()
    deps.clock = c
    return c


def ack(message_id: str, reference: str, code: str) -> InboxMessage:
    body = response_message(
        sender_reference=reference, header_id=reference, code=code, source_mailbox="A81001GP1"
    )
    return InboxMessage(
        message_id, "DATA", "GPCONNECT_SEND_DOCUMENT_ACK", f"ack-{code}", None, None, None, body
    )


def reported(publisher: FakePublisher) -> list[RecordStatusChanged]:
    return [m for r, m in publisher.published if r == RECORD_STATUS]  # type: ignore[misc]


async def test_a_delivered_message_is_sent_once_as_a_valid_document(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    event = await accepted(deps)
    await entries.accept_entry(event, deps)  # redelivered: a no-op
    assert await sending.send_due(deps) == 1
    assert await sending.send_due(deps) == 0
    [sent] = mailbox.sent
    entry_id = str(entry_id_for(event.campaign_id, event.recipient_id))
    assert (sent.to, sent.workflow_id, sent.local_id) == (
        "A81001GP1",
        "GPCONNECT_SEND_DOCUMENT",
        entry_id,
    )
    document = check_document(sent.body)
    assert document.sender_reference == entry_id
    assert document.nhs_number == event.nhs_number
    assert "flu jab is due" in document.pdf_text
    assert await state_of(deps, event) is RecordState.SENT


async def test_acknowledgements_move_the_entry_to_filed_and_each_step_is_reported(
    deps: Deps, mailbox: FakeMailbox, publisher: FakePublisher, clock: Clock
) -> None:
    event = await accepted(deps)
    await sending.send_due(deps)
    reference = mailbox.sent[0].local_id
    mailbox.deliver(ack("ACK1", reference, "20013"))
    mailbox.deliver(ack("ACK2", reference, "30001"))
    mailbox.deliver(ack("ACK3", reference, "30001"))  # a repeat changes nothing
    await inbox.poll_inbox(deps)
    assert mailbox.acknowledged == ["ACK1", "ACK2", "ACK3"]
    assert await state_of(deps, event) is RecordState.FILED
    entry = await entry_for(deps, event)
    assert (entry.patient, entry.content) == (None, None)  # no patient data once final

    await statuses.publish_statuses(deps)
    [report] = reported(publisher)
    assert (report.state, report.recipient_id) == (RecordState.FILED, event.recipient_id)
    assert await statuses.publish_statuses(deps) == 0


@pytest.mark.parametrize(
    ("codes", "reason", "detail"),
    [
        (["20013", "30002"], RecordReason.NOT_REGISTERED_HERE, "ITK 30002"),
        (["20013", "30003"], RecordReason.NOT_REGISTERED_HERE, "ITK 30003"),
        (["20009"], RecordReason.REJECTED, "ITK 20009"),
    ],
)
async def test_negative_acknowledgements_fail_with_their_reason(
    deps: Deps,
    mailbox: FakeMailbox,
    clock: Clock,
    codes: list[str],
    reason: RecordReason,
    detail: str,
) -> None:
    event = await accepted(deps)
    await sending.send_due(deps)
    for n, code in enumerate(codes):
        mailbox.deliver(ack(f"A{n}", mailbox.sent[0].local_id, code))
    await inbox.poll_inbox(deps)
    entry = await entry_for(deps, event)
    assert (entry.state, entry.reason_code, entry.detail) == (RecordState.FAILED, reason, detail)


async def test_a_mesh_non_delivery_report_fails_the_entry_it_names(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    event = await accepted(deps)
    await sending.send_due(deps)
    sent = mailbox.sent[0]
    mailbox.deliver(
        InboxMessage("NDR1", "REPORT", None, None, sent.message_id, "14", "Undelivered", b"")
    )
    await inbox.poll_inbox(deps)
    entry = await entry_for(deps, event)
    assert (entry.state, entry.reason_code) == (RecordState.FAILED, RecordReason.NOT_COLLECTED)
    assert mailbox.acknowledged == ["NDR1"]


async def test_a_practice_not_set_up_is_not_saved_and_nothing_is_sent(
    deps: Deps, mailbox: FakeMailbox, publisher: FakePublisher, clock: Clock
) -> None:
    await accepted(deps, org_id=OTHER_ORG)
    assert await sending.send_due(deps) == 0
    await statuses.publish_statuses(deps)
    [report] = reported(publisher)
    assert (report.state, report.reason_code) == (
        RecordState.FAILED,
        RecordReason.PRACTICE_NOT_ENABLED,
    )
    assert report.reason == "Not saved: practice not set up for saving to record"
    assert mailbox.sent == []


async def test_demographic_addressing_without_a_birth_date_is_not_saved(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    event = await accepted(deps, org_id="A81002", birth_date=None)
    entry = await entry_for(deps, event)
    assert entry.reason_code is RecordReason.MISSING_DEMOGRAPHICS
    await accepted(deps, org_id="A81002")
    await sending.send_due(deps)
    assert [m.to for m in mailbox.sent] == ["GPPROVIDER_9434765919_19800229_SMITH"]


async def test_retryable_errors_back_off_in_the_store_then_fail_send_error(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    event = await accepted(deps)
    mailbox.fail_next = [RetryableSendError("HTTP 503") for _ in range(3)]
    assert await sending.send_due(deps) == 1
    entry = await entry_for(deps, event)
    assert (entry.state, entry.attempts) == (RecordState.PENDING, 1)
    assert await sending.send_due(deps) == 0  # not due yet: held in the store
    clock.advance(seconds=75)
    assert await sending.send_due(deps) == 1
    clock.advance(seconds=400)
    assert await sending.send_due(deps) == 1
    entry = await stored_entry(deps, entry.id)
    assert (entry.state, entry.reason_code, entry.detail) == (
        RecordState.FAILED,
        RecordReason.SEND_ERROR,
        "HTTP 503",
    )
    assert mailbox.sent == []


async def test_a_permanent_mesh_error_fails_at_once(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    event = await accepted(deps)
    mailbox.fail_next = [PermanentSendError("MESH 12")]
    await sending.send_due(deps)
    entry = await entry_for(deps, event)
    assert (entry.state, entry.reason_code, entry.detail) == (
        RecordState.FAILED,
        RecordReason.SEND_ERROR,
        "MESH 12",
    )


async def test_a_sender_that_died_mid_send_is_taken_over_without_a_second_document(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    await accepted(deps)
    # The first sender claims the entry and MESH takes the document, but the sender dies before
    # saving the MESH id (its claim stays, as a killed process leaves it).
    [claimed] = await deps.entries.claim_due("dead-sender", clock(), deps.claim_s, 10)
    await send_without_saving(mailbox, claimed, deps, filename="x")
    assert await sending.send_due(deps) == 0  # the claim has not expired
    clock.advance(seconds=deps.claim_s + 1)
    assert await sending.send_due(deps) == 1
    assert len(mailbox.sent) == 1
    entry = await stored_entry(deps, claimed.id)
    assert (entry.state, entry.mesh_message_id) == (RecordState.SENT, mailbox.sent[0].message_id)


async def test_a_lost_answer_is_retried_by_finding_the_message_not_sending_it_again(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    event = await accepted(deps)
    mailbox.lose_answer = 1
    mailbox.fail_next = []

    async def send_losing_answer(**kwargs: object) -> str:
        try:
            return await FakeMailbox.send(mailbox, **kwargs)  # type: ignore[arg-type]
        except ConnectionResetError as exc:
            raise RetryableSendError("ConnectionResetError") from exc

    mailbox.send = send_losing_answer  # type: ignore[method-assign]
    await sending.send_due(deps)
    clock.advance(seconds=75)
    await sending.send_due(deps)
    assert len(mailbox.sent) == 1
    entry = await entry_for(deps, event)
    assert entry.state is RecordState.SENT


async def test_missing_acknowledgements_time_out_with_their_reason(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    never_collected, collected, half = (record_entry_requested() for _ in range(3))
    for event in (never_collected, collected, half):
        await entries.accept_entry(event, deps)
    await sending.send_due(deps)
    by_local = {m.local_id: m for m in mailbox.sent}
    collected_id = str(entry_id_for(collected.campaign_id, collected.recipient_id))
    half_id = str(entry_id_for(half.campaign_id, half.recipient_id))
    mailbox.tracking[by_local[collected_id].message_id] = "acknowledged"
    mailbox.deliver(ack("A1", half_id, "20013"))
    await inbox.poll_inbox(deps)
    clock.advance(hours=23)
    assert await timeouts.expire_missing_acks(deps) == 0
    clock.advance(hours=2)
    assert await timeouts.expire_missing_acks(deps) == 2
    clock.advance(hours=24)
    assert await timeouts.expire_missing_acks(deps) == 1
    reasons = {}
    for event in (never_collected, collected, half):
        entry = await entry_for(deps, event)
        reasons[entry.recipient_id] = (entry.state, entry.reason_code)
    assert reasons == {
        never_collected.recipient_id: (RecordState.FAILED, RecordReason.NOT_COLLECTED),
        collected.recipient_id: (RecordState.FAILED, RecordReason.NO_ACK),
        half.recipient_id: (RecordState.FAILED, RecordReason.NO_ACK),
    }


async def test_an_unreadable_inbox_message_is_kept_and_acknowledged(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    mailbox.deliver(
        InboxMessage("BAD1", "DATA", "GPCONNECT_SEND_DOCUMENT_ACK", None, None, None, None, b"{")
    )
    mailbox.deliver(
        InboxMessage("OTHER", "DATA", "SOME_OTHER_WORKFLOW", None, None, None, None, b"")
    )
    await inbox.poll_inbox(deps)
    assert mailbox.acknowledged == ["BAD1"]
    assert list(mailbox.waiting) == ["OTHER"]  # not ours: left for whoever reads it


async def test_a_status_that_could_not_be_published_is_published_later(
    deps: Deps, publisher: FakePublisher, clock: Clock
) -> None:
    await accepted(deps)
    publisher.fail_next = 1
    with pytest.raises(ConnectionError):
        await statuses.publish_statuses(deps)
    assert await statuses.publish_statuses(deps) == 1
    assert [r.state for r in reported(publisher)] == [RecordState.PENDING]


async def test_no_patient_data_in_logs_or_mesh_headers(
    deps: Deps,
    mailbox: FakeMailbox,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    events = [record_entry_requested(), record_entry_requested(org_id="A81002")]
    for event in events:
        await entries.accept_entry(event, deps)
        await entries.accept_entry(event, deps)
    mailbox.fail_next = [RetryableSendError("HTTP 503")]
    await sending.send_due(deps)
    clock.advance(minutes=2)
    await sending.send_due(deps)
    for n, sent in enumerate(mailbox.sent):
        mailbox.deliver(ack(f"A{n}", sent.local_id, "30002"))
    await inbox.poll_inbox(deps)
    # Each record as the service writes it (message and extra fields). The date of birth in
    # each form it could take: "1980" alone turns up by chance in times and ids.
    formatter = JsonFormatter("record")
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    headers = " ".join(f"{m.local_id} {m.subject} {m.filename}" for m in mailbox.sent)
    born = ("1980-02-29", "19800229", "29/02/1980", "29-Feb-1980")
    for pid in ("9434765919", "Smith", "SMITH", *born, TEXT[:20]):
        assert pid not in logged
        assert pid not in headers
    assert len(mailbox.sent) == 2


async def test_a_store_that_lost_an_entry_never_sends_its_document_again(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    """The stand-in of a killed process, or a restored backup, forgets entries already sent; a
    repeated event makes a fresh one, and MESH is asked before its first send."""
    event = await accepted(deps)
    await sending.send_due(deps)
    entry_id = entry_id_for(event.campaign_id, event.recipient_id)
    await deps.entries._c.delete_one({"_id": str(entry_id)})  # type: ignore[attr-defined]
    await entries.accept_entry(event, deps)
    await sending.send_due(deps)
    assert len(mailbox.sent) == 1
    entry = await stored_entry(deps, entry_id)
    assert (entry.state, entry.mesh_message_id) == (RecordState.SENT, mailbox.sent[0].message_id)


async def test_when_mesh_can_no_longer_say_the_document_is_sent(
    deps: Deps, mailbox: FakeMailbox, clock: Clock
) -> None:
    async def withdrawn(local_id: str) -> str | None:
        raise TrackingUnavailable("HTTP 410")

    mailbox.find_sent = withdrawn  # type: ignore[method-assign]
    await accepted(deps)
    await sending.send_due(deps)
    assert len(mailbox.sent) == 1

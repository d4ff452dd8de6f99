"""``process_firetext_receipt`` with a fake publisher."""

import uuid
from datetime import UTC, datetime

import pytest

from cohort_contracts.routing import DELIVERY_REPORTED
from cohort_contracts.sending import (
    DeliveriesReported,
    DeliveryReported,
    FiretextReceipt,
    ProcessFiretextReceipts,
)
from cohort_contracts.vocabulary import SendReason
from cohort_platform.redelivery import PermanentError
from dispatch.handlers import process_firetext_receipt, process_firetext_receipts

from ..builders import make_receipt
from ..fakes import FakeEventPublisher


def reported(events: FakeEventPublisher) -> list[DeliveryReported]:
    assert all(route == DELIVERY_REPORTED for route, _ in events.published)
    return [m for _, m in events.published if isinstance(m, DeliveryReported)]


async def test_a_delivered_receipt_is_reported_for_the_reference() -> None:
    events = FakeEventPublisher()
    cmd = make_receipt(status="0", reference="r-42", time="2016-07-10 15:17:00")

    await process_firetext_receipt(cmd, events)

    (event,) = reported(events)
    assert event.recipient_id == "r-42"
    assert (event.provider_reference, event.mobile) == ("r-42", "447700900123")
    assert event.status == "delivered"
    assert (event.reason_code, event.reason) == (None, None)
    assert event.reported_at == datetime(2016, 7, 10, 14, 17, tzinfo=UTC)
    assert (event.correlation_id, event.org_id) == (cmd.correlation_id, cmd.org_id)


async def test_a_failed_receipt_carries_the_reason() -> None:
    events = FakeEventPublisher()

    await process_firetext_receipt(make_receipt(status="1", code="201"), events)

    (event,) = reported(events)
    assert (event.status, event.reason_code) == ("failed", SendReason.INVALID_NUMBER)
    assert event.reason
    assert "not a valid mobile number" in event.reason


@pytest.mark.parametrize(("code", "permanent"), [("301", True), ("302", False)])
async def test_a_failure_says_whether_another_try_may_get_past_it(
    code: str, permanent: bool
) -> None:
    # Both are SMS_NOT_SUPPORTED: a landline (301) or a phone that could not take a text at
    # the time (302). Only the flag lets campaign offer the second to send again.
    events = FakeEventPublisher()

    await process_firetext_receipt(make_receipt(status="1", code=code), events)

    (event,) = reported(events)
    assert (event.reason_code, event.permanent) == (SendReason.SMS_NOT_SUPPORTED, permanent)


async def test_a_report_that_is_not_a_failure_says_nothing_of_permanence() -> None:
    event = await reported_batch(
        firetext_receipt(reference="r-1", status="0"),
        firetext_receipt(reference="r-2", status="1", code="302"),
        firetext_receipt(reference="r-3", status="1", code="301"),
    )

    assert [r.permanent for r in event.reports] == [None, False, True]


async def test_without_a_readable_time_the_report_is_dated_when_the_receipt_arrived() -> None:
    events = FakeEventPublisher()
    arrived = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    await process_firetext_receipt(make_receipt(time="not a time", occurred_at=arrived), events)

    assert reported(events)[0].reported_at == arrived


async def test_the_same_receipt_twice_gives_identical_events() -> None:
    events = FakeEventPublisher()
    cmd = make_receipt(status="2")

    await process_firetext_receipt(cmd, events)
    await process_firetext_receipt(cmd, events)

    first, second = reported(events)
    assert first == second
    assert first.message_id != cmd.message_id


async def test_different_receipts_give_different_event_ids() -> None:
    events = FakeEventPublisher()
    await process_firetext_receipt(make_receipt(message_id=uuid.uuid4()), events)
    await process_firetext_receipt(make_receipt(message_id=uuid.uuid4()), events)

    first, second = reported(events)
    assert first.message_id != second.message_id


@pytest.mark.parametrize("mobile", ["447700900123", "07700 900123", "+447700900123"])
async def test_a_group_receipt_names_the_reference_and_the_number_not_a_recipient(
    mobile: str,
) -> None:
    events = FakeEventPublisher()
    reference = "g-0123456789abcdef0123456789abcdef"

    await process_firetext_receipt(
        make_receipt(status="1", code="101", reference=reference, mobile=mobile), events
    )

    (event,) = reported(events)
    assert event.recipient_id is None
    assert (event.provider_reference, event.mobile) == (reference, "447700900123")
    assert (event.status, event.reason_code) == ("failed", SendReason.UNKNOWN_SUBSCRIBER)


async def test_a_group_receipt_without_a_number_cannot_be_matched() -> None:
    events = FakeEventPublisher()

    with pytest.raises(PermanentError):
        await process_firetext_receipt(make_receipt(reference="g-abc", mobile=" "), events)

    assert events.published == []


@pytest.mark.parametrize("overrides", [{"status": "7"}, {"reference": "  "}])
async def test_an_uninterpretable_receipt_is_a_permanent_error(overrides: dict[str, str]) -> None:
    events = FakeEventPublisher()

    with pytest.raises(PermanentError):
        await process_firetext_receipt(make_receipt(**overrides), events)

    assert events.published == []


def receipt_batch(*receipts: FiretextReceipt) -> ProcessFiretextReceipts:
    return ProcessFiretextReceipts(correlation_id=uuid.uuid4(), org_id="A81001", receipts=receipts)


def firetext_receipt(**fields: str) -> FiretextReceipt:
    values = {"mobile": "07700900123", "status": "0", "reference": "r-1", **fields}
    return FiretextReceipt(
        receipt_id=uuid.uuid4(), received_at=datetime(2026, 3, 1, 12, tzinfo=UTC), **values
    )


async def reported_batch(*receipts: FiretextReceipt) -> DeliveriesReported:
    """The one event a batch of ``receipts`` is reported in."""
    events = FakeEventPublisher()
    await process_firetext_receipts(receipt_batch(*receipts), events)
    [(route, event)] = events.published
    assert route == DELIVERY_REPORTED
    assert isinstance(event, DeliveriesReported)
    return event


async def test_a_batch_of_receipts_becomes_one_event_with_a_report_each() -> None:
    receipts = (
        firetext_receipt(reference="r-1", status="0"),
        firetext_receipt(reference="r-2", status="1", code="201"),
        firetext_receipt(reference="g-abc", status="0", mobile="07700900456"),
    )

    event = await reported_batch(*receipts)

    assert [(r.recipient_id, r.status) for r in event.reports] == [
        ("r-1", "delivered"),
        ("r-2", "failed"),
        (None, "delivered"),  # a shared reference: matched by number at campaign
    ]
    assert event.reports[2].mobile == "447700900456"
    assert [r.receipt_id for r in event.reports] == [r.receipt_id for r in receipts]


async def test_an_unreadable_receipt_is_left_out_and_the_rest_reported() -> None:
    event = await reported_batch(
        firetext_receipt(reference="r-1"),
        firetext_receipt(reference="r-2", status="9"),
        firetext_receipt(reference="g-abc", mobile=""),
    )

    assert [r.recipient_id for r in event.reports] == ["r-1"]


async def test_a_batch_with_nothing_readable_publishes_nothing() -> None:
    events = FakeEventPublisher()
    await process_firetext_receipts(receipt_batch(firetext_receipt(status="7")), events)
    assert events.published == []


async def test_the_same_batch_twice_gives_identical_events() -> None:
    events = FakeEventPublisher()
    batch = receipt_batch(firetext_receipt(), firetext_receipt(reference="r-2"))
    await process_firetext_receipts(batch, events)
    await process_firetext_receipts(batch, events)
    first, second = (m for _, m in events.published)
    assert first == second

"""``process_firetext_receipt`` with a fake publisher."""

import uuid
from datetime import UTC, datetime

import pytest

from cohort_contracts.routing import DELIVERY_REPORTED
from cohort_contracts.sending import DeliveryReported
from cohort_contracts.vocabulary import SendReason
from cohort_platform.redelivery import PermanentError
from dispatch.handlers import process_firetext_receipt

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

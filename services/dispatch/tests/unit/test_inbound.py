"""``process_firetext_inbound``: a patient's reply as an event, number normalised, time read as
UK local time, the same event for a redelivered command."""

import logging
import uuid
from datetime import UTC, datetime

import pytest

from cohort_contracts.routing import REPLY_RECEIVED
from cohort_contracts.sending import ReplyReceived
from cohort_platform.redelivery import PermanentError
from dispatch.handlers import process_firetext_inbound

from ..builders import make_inbound
from ..fakes import FakeEventPublisher
from ..logs import everything_logged


def replies(events: FakeEventPublisher) -> list[ReplyReceived]:
    assert all(route == REPLY_RECEIVED for route, _ in events.published)
    return [m for _, m in events.published if isinstance(m, ReplyReceived)]


@pytest.mark.parametrize(
    "source",
    ["07700900123", "07700 900123", "+447700900123", "+44 7700 900123", "00447700900123"],
)
async def test_the_sender_is_normalised_to_international_digits(source: str) -> None:
    events = FakeEventPublisher()

    await process_firetext_inbound(make_inbound(source=source), events)

    assert replies(events)[0].from_number == "447700900123"


async def test_the_reply_carries_the_text_destination_and_envelope() -> None:
    events = FakeEventPublisher()
    cmd = make_inbound(message="Yes please", destination=" 447000000001 ")

    await process_firetext_inbound(cmd, events)

    (event,) = replies(events)
    assert (event.message, event.destination) == ("Yes please", "447000000001")
    assert (event.org_id, event.correlation_id) == (cmd.org_id, cmd.correlation_id)
    assert event.occurred_at == cmd.occurred_at


async def test_the_time_is_uk_local_time() -> None:
    events = FakeEventPublisher()

    await process_firetext_inbound(make_inbound(time="2026-07-10 15:17:00"), events)
    await process_firetext_inbound(make_inbound(time="2026-01-10 15:17:00"), events)

    summer, winter = replies(events)
    assert summer.received_at == datetime(2026, 7, 10, 14, 17, tzinfo=UTC)  # BST
    assert winter.received_at == datetime(2026, 1, 10, 15, 17, tzinfo=UTC)  # GMT


@pytest.mark.parametrize("time", [None, "", "yesterday"])
async def test_without_a_readable_time_the_reply_is_dated_when_it_arrived(
    time: str | None,
) -> None:
    events = FakeEventPublisher()
    arrived = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    await process_firetext_inbound(make_inbound(time=time, occurred_at=arrived), events)

    assert replies(events)[0].received_at == arrived


async def test_a_redelivered_command_yields_an_identical_event() -> None:
    events = FakeEventPublisher()
    cmd = make_inbound()

    await process_firetext_inbound(cmd, events)
    await process_firetext_inbound(cmd, events)

    first, second = replies(events)
    assert first == second
    assert first.message_id == uuid.uuid5(
        uuid.UUID("0d9b6a53-8f0e-4c49-9d3b-6a1f2b7c4e10"), str(cmd.message_id)
    )
    assert first.message_id != cmd.message_id


async def test_different_commands_give_different_event_ids() -> None:
    events = FakeEventPublisher()
    await process_firetext_inbound(make_inbound(), events)
    await process_firetext_inbound(make_inbound(), events)

    first, second = replies(events)
    assert first.message_id != second.message_id


async def test_a_number_it_cannot_read_is_passed_on_as_written() -> None:
    events = FakeEventPublisher()

    await process_firetext_inbound(make_inbound(source=" 60777 "), events)

    assert replies(events)[0].from_number == "60777"


async def test_a_reply_from_no_number_is_dead_lettered() -> None:
    events = FakeEventPublisher()

    with pytest.raises(PermanentError):
        await process_firetext_inbound(make_inbound(source="  "), events)

    assert events.published == []


async def test_logs_carry_ids_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cmd = make_inbound(source="07700900999", message="My secret reply")

    await process_firetext_inbound(cmd, FakeEventPublisher())

    logged = everything_logged(caplog)
    assert str(cmd.message_id) in logged
    for patient_data in ("07700900999", "447700900999", "My secret reply"):
        assert patient_data not in logged

"""``send_messages`` when the provider refuses *us* (configuration, credit): the batch stops,
claimed-but-unsent recipients are returned, the rest stay unclaimed, and ``blocked`` tells
campaign to pause. And test sends, which claim nothing and report nothing."""

import logging

import pytest

from cohort_contracts.vocabulary import SendReason
from dispatch.domain import reasons
from dispatch.domain.errors import ProviderConfigurationError, RetryableSendError
from dispatch.handlers import send_messages

from ..builders import make_send_messages, make_sms_batch
from ..conftest import World
from ..fakes import FakeEmailSender, FakeSmsSender
from ..logs import everything_logged
from .test_sending import events, outcomes, queue_all

NO_CREDIT = ProviderConfigurationError(
    reasons.SMS_NO_CREDIT, provider_code="7", reason_code=SendReason.INSUFFICIENT_CREDIT
)
BAD_KEY = ProviderConfigurationError(
    reasons.sms_configuration("Firetext error 1: the API key was refused"), provider_code="1"
)


def personalised(count: int) -> list[str]:
    return [f"Hello patient {i}" for i in range(count)]


@pytest.mark.parametrize(
    ("error", "reason_code"),
    [
        (NO_CREDIT, SendReason.INSUFFICIENT_CREDIT),
        (BAD_KEY, SendReason.PROVIDER_CONFIGURATION_ERROR),
    ],
)
async def test_a_refusal_of_us_stops_the_batch_returns_the_claimed_and_claims_no_more(
    error: ProviderConfigurationError, reason_code: SendReason
) -> None:
    world = World(chunk_size=4, concurrency=1)
    world.sms = FakeSmsSender(failures={"r0002": [error]})
    cmd = make_sms_batch(personalised(10))
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)  # returns normally: the batch is acked

    assert world.sms.sent_ids == ["r0000", "r0001"]
    assert len(world.claims.requests) == 1  # chunks 2 and 3 are never claimed
    (event,) = events(world)
    assert event.blocked is not None
    assert (event.blocked.reason_code, event.blocked.reason) == (reason_code, error.reason)
    result = outcomes(world)
    assert [result[f"r{i:04d}"].status for i in range(10)] == (
        ["sent", "sent", "returned", "returned"] + ["not_claimed"] * 6
    )
    assert result["r0002"].reason_code == reason_code
    assert result["r0003"].reason == error.reason
    assert result["r0004"].reason == reasons.NOT_SENT_WHILE_BLOCKED
    # Nothing lost: returned ones are `sending` until campaign takes them back; the rest are
    # still `queued`.
    assert world.claims.status["r0003"] == "sending"
    assert all(world.claims.status[f"r{i:04d}"] == "queued" for i in range(4, 10))


async def test_a_blocked_group_returns_every_member(world: World) -> None:
    world.sms = FakeSmsSender(failures={"r0001": [NO_CREDIT]})
    cmd = make_sms_batch(["Same"] * 4)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)

    assert world.sms.sent == []
    (event,) = events(world)
    assert event.blocked is not None
    assert {o.status for o in event.outcomes} == {"returned"}


async def test_a_request_waiting_to_retry_is_returned_once_the_batch_is_blocked() -> None:
    world = World(concurrency=2)
    world.sms = FakeSmsSender(
        failures={"r0000": [RetryableSendError("busy")] * 2, "r0001": [NO_CREDIT]}
    )
    cmd = make_sms_batch(personalised(2))
    queue_all(world, ["r0000", "r0001"])

    await send_messages(cmd, world.deps)

    assert world.sms.sent == []
    assert world.sms.attempts.count("r0000") == 1  # its retry found the batch blocked
    assert outcomes(world)["r0000"].status == "returned"


async def test_a_refused_email_login_blocks_email_sending_too(world: World) -> None:
    refusal = ProviderConfigurationError(
        reasons.email_configuration("the email server refused Cohort's login"),
        provider_code="535",
    )
    world.email = FakeEmailSender(failures={"r0000": [refusal]})
    cmd = make_send_messages(2, channel="email")
    queue_all(world, ["r0000", "r0001"])

    await send_messages(cmd, world.deps)

    (event,) = events(world)
    assert event.blocked is not None
    assert event.blocked.reason_code == SendReason.PROVIDER_CONFIGURATION_ERROR


async def test_a_blocked_batch_logs_an_error_with_ids_only(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.sms = FakeSmsSender(failures={"r0000": [BAD_KEY]})
    cmd = make_sms_batch(["Secret body text"])
    queue_all(world, ["r0000"])

    await send_messages(cmd, world.deps)

    (record,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.provider_code == "1"  # type: ignore[attr-defined]
    assert record.reference == "r0000"  # type: ignore[attr-defined]
    logged = everything_logged(caplog)
    assert "Secret body text" not in logged
    assert cmd.messages[0].to not in logged


BOOKED = "Your appointment is booked for Monday at 9am"


@pytest.mark.parametrize(
    ("kind", "text", "secret", "logged_as"),
    [
        ("test", "Your test message", "Your test message", "test send"),
        # A booking's confirmation: to the patient, but not the campaign's message (no claim).
        ("notification", BOOKED, "booked", "notification sent"),
    ],
)
async def test_a_test_send_or_notification_claims_nothing_and_is_logged_without_its_text(
    world: World,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    text: str,
    secret: str,
    logged_as: str,
) -> None:
    caplog.set_level(logging.INFO)
    cmd = make_sms_batch([text], **{kind: True})

    await send_messages(cmd, world.deps)

    assert world.sms.sent_ids == ["r0000"]
    assert world.claims.requests == []
    assert world.events.published == []
    (record,) = [r for r in caplog.records if r.getMessage() == logged_as]
    assert record.count_sent == 1  # type: ignore[attr-defined]
    logged = everything_logged(caplog)
    assert secret not in logged
    assert cmd.messages[0].to not in logged


async def test_a_blocked_test_send_is_logged_not_raised(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world.sms = FakeSmsSender(failures={"r0000": [NO_CREDIT]})

    await send_messages(make_sms_batch(["Test"], test=True), world.deps)

    assert world.events.published == []
    (record,) = [r for r in caplog.records if r.getMessage() == "test send"]
    assert record.blocked == SendReason.INSUFFICIENT_CREDIT  # type: ignore[attr-defined]

"""``send_messages`` with hand-written fakes: claim before send, one outcome per message."""

import pytest

from cohort_contracts.routing import MESSAGES_SENT
from cohort_contracts.sending import MessagesSent, SendOutcome
from cohort_contracts.vocabulary import SendReason
from dispatch.domain import reasons
from dispatch.domain.errors import (
    OutcomeUnknownError,
    PermanentSendError,
    RetryableSendError,
)
from dispatch.handlers import send_messages

from ..builders import make_outbound, make_send_messages
from ..conftest import World
from ..fakes import FakeSmsSender, SimulatedCrash


def events(world: World) -> list[MessagesSent]:
    assert all(route == MESSAGES_SENT for route, _ in world.events.published)
    return [m for _, m in world.events.published if isinstance(m, MessagesSent)]


def outcomes(world: World) -> dict[str, SendOutcome]:
    return {o.recipient_id: o for event in events(world) for o in event.outcomes}


def queue_all(world: World, cmd_messages: list[str]) -> None:
    world.claims.status.update(dict.fromkeys(cmd_messages, "queued"))


async def test_sends_every_claimed_message_once_and_reports_it_sent(world: World) -> None:
    cmd = make_send_messages(3)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)

    assert sorted(world.sms.sent_ids) == ["r0000", "r0001", "r0002"]
    (event,) = events(world)
    assert event.campaign_id == cmd.campaign_id
    assert event.batch_id == cmd.batch_id
    assert event.correlation_id == cmd.correlation_id
    assert event.org_id == cmd.org_id
    assert [o.recipient_id for o in event.outcomes] == ["r0000", "r0001", "r0002"]
    assert {o.status for o in event.outcomes} == {"sent"}
    assert all(o.provider_reference for o in event.outcomes)
    assert world.claims.status == dict.fromkeys(["r0000", "r0001", "r0002"], "sending")


async def test_claims_each_chunk_before_sending_it_and_reports_per_chunk() -> None:
    world = World(chunk_size=2)
    cmd = make_send_messages(5)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)

    assert [r.recipient_ids for r in world.claims.requests] == [
        ["r0000", "r0001"],
        ["r0002", "r0003"],
        ["r0004"],
    ]
    assert all(r.actor == "dispatch" for r in world.claims.requests)
    assert all(r.campaign_id == cmd.campaign_id for r in world.claims.requests)
    assert [len(e.outcomes) for e in events(world)] == [2, 2, 1]
    assert sorted(world.sms.sent_ids) == [f"r{i:04d}" for i in range(5)]


async def test_unclaimed_messages_are_never_sent_and_are_reported_not_claimed(
    world: World,
) -> None:
    cmd = make_send_messages(4)
    queue_all(world, ["r0000", "r0002"])
    world.claims.cancel("r0001")  # cancelled; r0003 unknown to campaign

    await send_messages(cmd, world.deps)

    assert sorted(world.sms.sent_ids) == ["r0000", "r0002"]
    result = outcomes(world)
    assert result["r0001"].status == "not_claimed"
    assert result["r0003"].status == "not_claimed"
    assert result["r0001"].reason == reasons.NOT_CLAIMED


async def test_a_failed_claim_sends_nothing_and_raises(world: World) -> None:
    world.claims.fail_with = TimeoutError("campaign did not answer")
    cmd = make_send_messages(3)

    with pytest.raises(TimeoutError):
        await send_messages(cmd, world.deps)

    assert world.sms.attempts == []
    assert world.events.published == []


async def test_redelivered_batch_sends_nothing_twice(world: World) -> None:
    cmd = make_send_messages(3)
    queue_all(world, [m.recipient_id for m in cmd.messages])
    await send_messages(cmd, world.deps)

    await send_messages(cmd, world.deps)

    assert sorted(world.sms.sent_ids) == ["r0000", "r0001", "r0002"]
    first, second = events(world)
    assert {o.status for o in first.outcomes} == {"sent"}
    assert {o.status for o in second.outcomes} == {"not_claimed"}


async def test_a_publish_that_fails_once_is_tried_again(world: World) -> None:
    world.events.fail_next = 1
    cmd = make_send_messages(2)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)

    (event,) = events(world)
    assert {o.status for o in event.outcomes} == {"sent"}


async def test_publish_failure_after_sending_raises_and_redelivery_resends_nothing() -> None:
    world = World()
    world.events.fail_next = world.policy.publish_attempts
    cmd = make_send_messages(3)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    with pytest.raises(ConnectionError):
        await send_messages(cmd, world.deps)
    await send_messages(cmd, world.deps)  # the redelivery

    assert sorted(world.sms.sent_ids) == ["r0000", "r0001", "r0002"]
    (event,) = events(world)
    assert {o.status for o in event.outcomes} == {"not_claimed"}


async def test_a_crash_mid_chunk_raises_and_the_redelivery_sends_only_the_unclaimed() -> None:
    world = World(chunk_size=4, concurrency=1)
    world.sms = FakeSmsSender(crash_after=2)
    cmd = make_send_messages(8)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    with pytest.raises(ExceptionGroup) as crash:
        await send_messages(cmd, world.deps)
    assert crash.group_contains(SimulatedCrash)
    await send_messages(cmd, world.deps)

    sent = world.sms.sent_ids
    assert len(sent) == len(set(sent))
    assert sorted(sent) == ["r0000", "r0001", "r0004", "r0005", "r0006", "r0007"]
    assert all(count == 1 for count in world.claims.claims_per_recipient.values())
    (first_chunk_again, second_chunk) = events(world)
    assert {o.status for o in first_chunk_again.outcomes} == {"not_claimed"}
    assert {o.status for o in second_chunk.outcomes} == {"sent"}


async def test_a_recipient_listed_twice_is_sent_and_reported_once(world: World) -> None:
    twice = make_outbound("r-dup")
    cmd = make_send_messages(messages=[twice, make_outbound("r-other"), twice])
    queue_all(world, ["r-dup", "r-other"])

    await send_messages(cmd, world.deps)

    assert sorted(world.sms.sent_ids) == ["r-dup", "r-other"]
    assert [o.recipient_id for o in events(world)[0].outcomes] == ["r-dup", "r-other"]


async def test_a_retryable_failure_is_retried_then_sent(world: World) -> None:
    world.sms = FakeSmsSender(failures={"r0000": [RetryableSendError("down")] * 2})
    cmd = make_send_messages(1)
    queue_all(world, ["r0000"])

    await send_messages(cmd, world.deps)

    assert world.sms.attempts == ["r0000"] * 3
    assert world.sms.sent_ids == ["r0000"]
    assert outcomes(world)["r0000"].status == "sent"
    assert world.sms_limiter.acquired == 3  # every attempt is a provider call


async def test_retries_are_bounded_then_the_message_fails_as_provider_unavailable(
    world: World,
) -> None:
    world.sms = FakeSmsSender(failures={"r0000": [RetryableSendError("down")] * 10})
    cmd = make_send_messages(1)
    queue_all(world, ["r0000"])

    await send_messages(cmd, world.deps)

    assert world.sms.attempts == ["r0000"] * world.policy.retry.attempts
    outcome = outcomes(world)["r0000"]
    assert outcome.status == "failed"
    assert outcome.reason_code == SendReason.PROVIDER_UNAVAILABLE
    assert outcome.reason == "down"


async def test_outcome_unknown_is_never_retried(world: World) -> None:
    world.sms = FakeSmsSender(failures={"r0000": [OutcomeUnknownError(reasons.SMS_UNKNOWN)]})
    cmd = make_send_messages(1)
    queue_all(world, ["r0000"])

    await send_messages(cmd, world.deps)

    assert world.sms.attempts == ["r0000"]
    outcome = outcomes(world)["r0000"]
    assert outcome.status == "outcome_unknown"
    assert outcome.reason == reasons.SMS_UNKNOWN


async def test_a_refused_message_fails_with_its_reason_and_is_not_retried(world: World) -> None:
    refusal = PermanentSendError(
        reasons.SMS_REJECTED_NUMBER, reason_code=SendReason.PROVIDER_REJECTED_NUMBER
    )
    world.sms = FakeSmsSender(failures={"r0001": [refusal]})
    cmd = make_send_messages(2)
    queue_all(world, ["r0000", "r0001"])

    await send_messages(cmd, world.deps)

    assert world.sms.attempts.count("r0001") == 1
    outcome = outcomes(world)["r0001"]
    assert (outcome.status, outcome.reason_code) == ("failed", SendReason.PROVIDER_REJECTED_NUMBER)
    assert outcome.reason == reasons.SMS_REJECTED_NUMBER
    assert outcomes(world)["r0000"].status == "sent"


async def test_sends_of_a_chunk_run_concurrently_within_the_bound() -> None:
    world = World(concurrency=3)
    world.sms = FakeSmsSender(delay=0.02)
    cmd = make_send_messages(10)
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)

    assert world.sms.max_in_flight == 3
    assert len(world.sms.sent) == 10


async def test_email_goes_through_the_email_sender_and_is_final_on_acceptance(
    world: World,
) -> None:
    cmd = make_send_messages(2, channel="email")
    queue_all(world, [m.recipient_id for m in cmd.messages])

    await send_messages(cmd, world.deps)

    assert world.sms.attempts == []
    assert sorted(world.email.sent_ids) == ["r0000", "r0001"]
    assert {o.status for o in outcomes(world).values()} == {"delivered"}
    assert world.email_limiter.acquired == 2


async def test_an_empty_batch_claims_and_reports_nothing(world: World) -> None:
    await send_messages(make_send_messages(0), world.deps)

    assert world.claims.requests == []
    assert world.events.published == []

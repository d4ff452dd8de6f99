"""``send_messages`` with the real Firetext adapter and a local Firetext double: retries happen
only when Firetext certainly did not queue the message; a refusal of our account blocks the
batch; a group refused for one number is sent one by one."""

from collections.abc import AsyncIterator

import pytest

from cohort_contracts.sending import MessagesSent, SendOutcome
from cohort_contracts.vocabulary import SendReason
from dispatch.handlers import send_messages

from ..builders import make_send_messages, make_sms_batch, mobile
from ..conftest import World
from ..servers import FiretextDouble, Reply, serve
from .test_firetext_sms import sender_for


@pytest.fixture
async def firetext(world: World) -> AsyncIterator[FiretextDouble]:
    double = FiretextDouble()
    async with serve(double.app()) as url:
        adapter = sender_for(url)
        world.sms = adapter  # type: ignore[assignment]
        yield double
        double.release.set()
        await adapter.aclose()


async def send_one(world: World) -> SendOutcome:
    cmd = make_send_messages(1)
    world.claims.status["r0000"] = "queued"
    await send_messages(cmd, world.deps)
    (event,) = [m for _, m in world.events.published]
    (outcome,) = event.outcomes  # type: ignore[attr-defined]
    assert isinstance(outcome, SendOutcome)
    return outcome


async def test_busy_firetext_is_retried_until_it_queues_the_message(
    world: World, firetext: FiretextDouble
) -> None:
    firetext.script += [Reply(code=None, http_status=503), Reply(code=None, http_status=429)]

    outcome = await send_one(world)

    # The reference the receipt will carry: for a lone message, its recipient id.
    assert (outcome.status, outcome.provider_reference) == ("sent", "r0000")
    assert len(firetext.requests) == 3


async def test_firetext_down_for_every_attempt_fails_the_message(
    world: World, firetext: FiretextDouble
) -> None:
    firetext.script += [Reply(code=None, http_status=500)] * world.policy.retry.attempts

    outcome = await send_one(world)

    assert (outcome.status, outcome.reason_code) == ("failed", SendReason.PROVIDER_UNAVAILABLE)
    assert len(firetext.requests) == world.policy.retry.attempts


async def test_a_read_timeout_is_not_retried(world: World, firetext: FiretextDouble) -> None:
    firetext.script.append(Reply(hang=True))

    outcome = await send_one(world)

    assert outcome.status == "outcome_unknown"
    assert len(firetext.requests) == 1


@pytest.mark.parametrize(
    ("code", "reason_code"),
    [
        (1, SendReason.PROVIDER_CONFIGURATION_ERROR),
        (3, SendReason.PROVIDER_CONFIGURATION_ERROR),
        (7, SendReason.INSUFFICIENT_CREDIT),
        (8, SendReason.PROVIDER_CONFIGURATION_ERROR),
        (9, SendReason.PROVIDER_CONFIGURATION_ERROR),
    ],
)
async def test_a_blocking_code_returns_the_unsent_and_blocks_the_batch(
    code: int, reason_code: SendReason
) -> None:
    world = World(concurrency=1)
    double = FiretextDouble(script=[Reply(code=0), Reply(code=code)])
    async with serve(double.app()) as url:
        world.sms = sender_for(url)  # type: ignore[assignment]
        try:
            cmd = make_sms_batch(["Hello Ann", "Hello Bob", "Hello Cy"])
            world.claims.status.update(dict.fromkeys(["r0000", "r0001", "r0002"], "queued"))
            await send_messages(cmd, world.deps)
        finally:
            await world.sms.aclose()  # type: ignore[attr-defined]

    assert len(double.requests) == 2  # nothing after the refusal
    (event,) = [m for _, m in world.events.published]
    assert isinstance(event, MessagesSent)
    assert event.blocked is not None
    assert event.blocked.reason_code == reason_code
    assert [o.status for o in event.outcomes] == ["sent", "returned", "returned"]


async def test_a_group_refused_for_one_number_reaches_every_other_number(
    world: World, firetext: FiretextDouble
) -> None:
    firetext.refused_numbers.add(mobile(1))
    cmd = make_sms_batch(["Flu jabs on Saturday"] * 3)
    world.claims.status.update(dict.fromkeys(["r0000", "r0001", "r0002"], "queued"))

    await send_messages(cmd, world.deps)

    group, *singles = firetext.requests
    assert group["to"] == ",".join(mobile(i) for i in range(3))
    assert sorted(form["to"] for form in singles) == [mobile(0), mobile(1), mobile(2)]
    assert sorted(form["reference"] for form in singles) == ["r0000", "r0001", "r0002"]
    (event,) = [m for _, m in world.events.published]
    assert isinstance(event, MessagesSent)
    statuses = {o.recipient_id: (o.status, o.reason_code) for o in event.outcomes}
    assert statuses == {
        "r0000": ("sent", None),
        "r0001": ("failed", SendReason.PROVIDER_REJECTED_NUMBER),
        "r0002": ("sent", None),
    }

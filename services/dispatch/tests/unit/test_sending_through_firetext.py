"""``send_messages`` with the real Firetext adapter and a local Firetext double: retries happen
only when Firetext certainly did not queue the message."""

from collections.abc import AsyncIterator

import pytest

from cohort_contracts.sending import SendOutcome
from cohort_contracts.vocabulary import SendReason
from dispatch.handlers import send_messages

from ..builders import make_send_messages
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

    assert (outcome.status, outcome.provider_reference) == ("sent", "ftmsg-3")
    assert len(firetext.requests) == 3


async def test_firetext_down_for_every_attempt_fails_the_message(
    world: World, firetext: FiretextDouble
) -> None:
    firetext.script += [Reply(code=None, http_status=500)] * world.policy.attempts

    outcome = await send_one(world)

    assert (outcome.status, outcome.reason_code) == ("failed", SendReason.PROVIDER_UNAVAILABLE)
    assert len(firetext.requests) == world.policy.attempts


async def test_a_read_timeout_is_not_retried(world: World, firetext: FiretextDouble) -> None:
    firetext.script.append(Reply(hang=True))

    outcome = await send_one(world)

    assert outcome.status == "outcome_unknown"
    assert len(firetext.requests) == 1

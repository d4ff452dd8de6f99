"""Handlers that change one campaign at the same time, interleaved at every await point.

The stores are wrapped so that every call yields to the event loop a random number of times
before and after it runs (seeded, so a failure replays), which lets each handler's reads and
writes fall between any two of another's. Whatever the interleaving, the campaign ends in a
state the rules allow and no change silently overwrites another."""

import asyncio
import inspect
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from campaign.domain.errors import Conflict
from campaign.handlers import campaigns, outcomes
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import (
    CancelCampaign,
    ResumeCampaign,
    SetMessage,
)
from cohort_contracts.sending import SendingBlocked, SendMessages
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus, SendReason

from ..builders import ORG
from ..fakes import FakePublisher
from .helpers import (
    campaign_with_recipients,
    cid,
    claim,
    messages_sent,
    release_now,
    released,
    returned_report,
    send_request,
    sending,
    stored_campaign,
)

SEEDS = range(40)
NEW_BODY = "Hello ((first_name)), the clinic has moved to Tuesday."


class Yielding:
    """Wraps a store: each coroutine method yields 0-3 times before and after running."""

    def __init__(self, inner: object, rng: random.Random) -> None:
        self._inner, self._rng = inner, rng

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            for _ in range(self._rng.randint(0, 3)):
                await asyncio.sleep(0)
            result = await attr(*args, **kwargs)
            for _ in range(self._rng.randint(0, 3)):
                await asyncio.sleep(0)
            return result

        return call


def interleaved(deps: Deps, seed: int) -> Deps:
    rng = random.Random(seed)
    return replace(
        deps,
        campaigns=Yielding(deps.campaigns, rng),
        recipients=Yielding(deps.recipients, rng),
    )


async def outcome_of(action: Awaitable[object]) -> str:
    try:
        await action
    except Conflict:
        return "refused"
    return "done"


async def claimed_batch(
    deps: Deps, publisher: FakePublisher, n: int, claimed: int | None = None
) -> tuple[uuid.UUID, SendMessages, list[str]]:
    """Sent, released as one batch, and the first ``claimed`` of it (all by default) claimed by
    dispatch: the campaign, the batch and the claimed recipients' ids."""
    campaign_id = await sending(deps, n)
    await release_now(replace(deps, release_batch_size=n), campaign_id)
    [batch] = released(publisher)
    ids = [m.recipient_id for m in batch.messages][:claimed]
    await claim(deps, campaign_id, ids)
    return campaign_id, batch, ids


def cancel(deps: Deps, campaign_id: uuid.UUID) -> Awaitable[object]:
    return campaigns.cancel_campaign(
        CancelCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )


def resume(deps: Deps, campaign_id: uuid.UUID) -> Awaitable[object]:
    return campaigns.resume_campaign(
        ResumeCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )


def blocked_report(
    deps: Deps, campaign_id: uuid.UUID, batch: SendMessages, ids: list[str]
) -> Awaitable[None]:
    """Dispatch hit a provider problem: the claimed recipients were certainly not sent."""
    blocked = SendingBlocked(reason_code=SendReason.INSUFFICIENT_CREDIT, reason="No credit left.")
    return outcomes.record_messages_sent(
        returned_report(campaign_id, batch.batch_id, ids, blocked), deps
    )


async def final(
    deps: Deps, campaign_id: uuid.UUID
) -> tuple[CampaignStatus, dict[RecipientStatus, int]]:
    campaign = await stored_campaign(deps, campaign_id)
    return campaign.status, await deps.recipients.counts(campaign_id)


async def run_together(*actions: Callable[[], Awaitable[object]]) -> list[str]:
    return list(await asyncio.gather(*(outcome_of(a()) for a in actions)))


@pytest.mark.parametrize("seed", SEEDS)
async def test_cancel_always_wins_over_a_provider_pause(
    deps: Deps, publisher: FakePublisher, seed: int
) -> None:
    campaign_id, batch, ids = await claimed_batch(deps, publisher, 4, claimed=2)
    racing = interleaved(deps, seed)

    results = await run_together(
        lambda: cancel(racing, campaign_id),
        lambda: blocked_report(racing, campaign_id, batch, ids),
    )

    assert results == ["done", "done"]
    status, counts = await final(deps, campaign_id)
    # Never paused over a cancel (which would make Resume look legitimate), and the two
    # recipients the provider problem handed back are cancelled, not stranded as ready.
    assert status is CampaignStatus.CANCELLED
    assert counts == {RecipientStatus.CANCELLED: 4}


@pytest.mark.parametrize("seed", SEEDS)
async def test_resume_and_cancel_of_a_paused_campaign_end_cancelled(
    deps: Deps, publisher: FakePublisher, seed: int
) -> None:
    campaign_id, batch, ids = await claimed_batch(deps, publisher, 4)
    await blocked_report(deps, campaign_id, batch, ids)
    racing = interleaved(deps, seed)

    results = await run_together(
        lambda: resume(racing, campaign_id), lambda: cancel(racing, campaign_id)
    )

    assert results[1] == "done"  # a paused or a sending campaign can always be cancelled
    status, counts = await final(deps, campaign_id)
    assert status is CampaignStatus.CANCELLED
    assert counts == {RecipientStatus.CANCELLED: 4}
    entries = [e.action for e in await deps.audit.entries(ORG, campaign_id)]
    assert ("resumed" in entries) == (results[0] == "done")


@pytest.mark.parametrize("seed", SEEDS)
async def test_a_cancel_racing_the_last_outcome_leaves_one_consistent_ending(
    deps: Deps, publisher: FakePublisher, seed: int
) -> None:
    campaign_id, batch, ids = await claimed_batch(deps, publisher, 3)
    sent = messages_sent(campaign_id, [(i, "sent") for i in ids], batch_id=batch.batch_id)
    racing = interleaved(deps, seed)

    results = await run_together(
        lambda: outcomes.record_messages_sent(sent, racing), lambda: cancel(racing, campaign_id)
    )

    status, counts = await final(deps, campaign_id)
    assert counts == {RecipientStatus.SENT: 3}  # claimed before the cancel: they went
    # Completed (and the cancel refused) or cancelled (and completion never saved over it).
    assert (status, results[1]) in {
        (CampaignStatus.COMPLETED, "refused"),
        (CampaignStatus.CANCELLED, "done"),
    }


@pytest.mark.parametrize("seed", SEEDS)
async def test_a_send_never_goes_out_with_a_message_other_than_the_last_one_saved(
    deps: Deps, seed: int
) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    racing = interleaved(deps, seed)
    send = send_request(campaign_id, 3)
    edit = SetMessage(
        correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id, body=NEW_BODY
    )

    sent, edited = await run_together(
        lambda: campaigns.send_campaign(send, racing), lambda: campaigns.set_message(edit, racing)
    )

    campaign = await stored_campaign(deps, campaign_id)
    assert campaign.message is not None
    assert sent == "done"
    if edited == "done":
        # The edit was saved, so the send must have reviewed (and will release) the new text.
        assert campaign.message.body == NEW_BODY
    else:
        assert campaign.message.body != NEW_BODY
    assert campaign.status is CampaignStatus.SENDING


@pytest.mark.parametrize("seed", SEEDS)
async def test_a_repeated_request_is_applied_once(
    deps: Deps, publisher: FakePublisher, seed: int
) -> None:
    """A request redelivered while (or after) it is handled is recognised, not refused."""
    campaign_id, _ = await campaign_with_recipients(deps, 2)
    racing = interleaved(deps, seed)
    send = send_request(campaign_id, 2)

    results = await run_together(
        lambda: campaigns.send_campaign(send, racing), lambda: campaigns.send_campaign(send, racing)
    )

    assert results == ["done", "done"]
    entries = [e.action for e in await deps.audit.entries(ORG, campaign_id)]
    assert entries.count("sent") == 1

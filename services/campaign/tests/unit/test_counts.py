"""Counts kept as recipients move: exact through a whole campaign and its redeliveries, never
counted per read, and made good once a campaign settles if a crash cost one."""

import random
import uuid

import pytest

from campaign.handlers import campaigns, lists, outcomes, receipts
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import CancelCampaign
from cohort_contracts.sending import DeliveryStatus, SendOutcome, SendStatus
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus

from ..builders import ORG, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    campaign_with_recipients,
    cid,
    claim,
    delivery_reported,
    dispatch_report,
    messages_sent,
    release_now,
    released,
    send,
    status_of,
)


async def exact(deps: Deps, campaign_id: uuid.UUID) -> None:
    """The counters equal a count of the recipients themselves."""
    kept = await deps.recipients.counts(campaign_id)
    assert kept == await deps.recipients.recount(campaign_id)


@pytest.mark.parametrize("seed", range(6))
async def test_counts_stay_exact_through_a_campaign_with_redeliveries(
    deps: Deps, publisher: FakePublisher, seed: int
) -> None:
    rng = random.Random(seed)
    campaign_id, list_id = await campaign_with_recipients(deps, 12)
    # The same rows again (a redelivery) and a duplicate patient from another row.
    again = rows_resolved(campaign_id, list_id, [outcome(i) for i in range(1, 13)])
    await lists.record_resolved_rows(again, deps)
    await exact(deps, campaign_id)
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.READY: 12}

    await send(deps, campaign_id, 12)
    await release_now(deps, campaign_id)
    await exact(deps, campaign_id)
    ids = [m.recipient_id for b in released(publisher) for m in b.messages]
    batch_of = {m.recipient_id: b.batch_id for b in released(publisher) for m in b.messages}
    await claim(deps, campaign_id, ids)
    await claim(deps, campaign_id, ids)  # a repeated claim moves nobody
    await exact(deps, campaign_id)

    statuses: list[SendStatus] = ["sent", "failed", "outcome_unknown", "returned"]
    report = [(i, rng.choice(statuses)) for i in ids]
    events = [messages_sent(campaign_id, report, batch_id=batch_of[ids[0]])]
    for event in events * 2:  # delivered twice
        await outcomes.record_messages_sent(event, deps)
        await exact(deps, campaign_id)
    settled: list[DeliveryStatus] = ["delivered", "failed"]
    for rid, status in report:
        if status in ("sent", "outcome_unknown"):
            receipt = delivery_reported(rng.choice(settled), recipient_id=rid)
            await receipts.record_delivery(receipt, deps)
            await receipts.record_delivery(receipt, deps)
    await exact(deps, campaign_id)
    await campaigns.cancel_campaign(
        CancelCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    await exact(deps, campaign_id)
    assert sum((await deps.recipients.counts(campaign_id)).values()) == 12


async def test_a_count_lost_to_a_crash_is_made_good_once_the_campaign_settles(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    await send(deps, campaign_id, 3)
    await release_now(deps, campaign_id)
    ids = [m.recipient_id for b in released(publisher) for m in b.messages]
    await claim(deps, campaign_id, ids)
    # As if a process died after moving a recipient but before adding it to the counters.
    recipients = deps.recipients
    await recipients._counts.add(  # type: ignore[attr-defined]
        campaign_id, {RecipientStatus.SENDING: 1, RecipientStatus.FAILED: -1}
    )
    failed = [SendOutcome(recipient_id=i, status="failed") for i in ids]
    sent = dispatch_report(campaign_id, failed, released(publisher)[0].batch_id)
    await outcomes.record_messages_sent(sent, deps)
    # The counters still show one unsent, so the event could not complete the campaign...
    assert await status_of(deps, campaign_id) is CampaignStatus.SENDING
    # ...but the sweep looks at the recipients themselves, completes it, and settles the counts.
    await outcomes.finish_if_done(ORG, campaign_id, deps, trust_counts=False)
    assert await status_of(deps, campaign_id) is CampaignStatus.COMPLETED
    assert await outcomes.settle_counts(deps) == 1
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.FAILED: 3}
    assert await outcomes.settle_counts(deps) == 0  # once

from datetime import UTC, datetime

import pytest
from time_machine import TimeMachineFixture

from campaign.domain.errors import Conflict
from campaign.handlers import campaigns, outcomes, receipts
from campaign.handlers import release as releasing
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import (
    CancelCampaign,
    GetCampaign,
    GetReview,
)
from cohort_contracts.sending import (
    DeliveryReported,
    DeliveryStatus,
)
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
    send,
    sending,
    sent_and_released,
)


async def test_send_requires_the_reviewed_count(deps: Deps) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 4)
    with pytest.raises(Conflict) as refused:
        await send(deps, campaign_id, 3)
    assert refused.value.details == {"recipient_count": 4}


async def test_release_renders_the_reviewed_text_in_batches(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 7)
    review = await campaigns.get_review(
        GetReview(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert review.recipient_count == 7
    assert review.previews[0].body == "Hello Jane, your flu jab is due."
    assert review.total_fragments == 7

    await send(deps, campaign_id, 7)
    assert await release_now(deps, campaign_id) == 7

    commands = released(publisher)
    assert [len(c.messages) for c in commands] == [3, 3, 1]
    bodies = {m.body for c in commands for m in c.messages}
    assert bodies == {review.previews[0].body}
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.QUEUED: 7}
    assert await release_now(deps, campaign_id) == 0  # nothing is released twice


async def test_each_recipient_can_be_claimed_once(deps: Deps, publisher: FakePublisher) -> None:
    campaign_id, ids = await sent_and_released(deps, publisher, 3)

    assert sorted(await claim(deps, campaign_id, ids[:2])) == sorted(ids[:2])
    # A redelivered batch: the first two are taken, only the third is still claimable.
    assert await claim(deps, campaign_id, ids) == [ids[2]]
    assert await claim(deps, campaign_id, ids) == []


async def test_outcomes_and_receipts_in_any_order_settle_once(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, (a, b) = await sent_and_released(deps, publisher, 2)
    await claim(deps, campaign_id, [a, b])

    def receipt(rid: str, status: DeliveryStatus) -> DeliveryReported:
        return DeliveryReported(
            correlation_id=cid(),
            org_id=ORG,
            recipient_id=rid,
            status=status,
            reason_code=SendReason.UNKNOWN_SUBSCRIBER if status == "failed" else None,
            reported_at=review_time(),
        )

    # The receipt for a overtakes dispatch's report that it was sent.
    await receipts.record_delivery(receipt(a, "delivered"), deps)
    sent = messages_sent(campaign_id, [(a, "sent"), (b, "sent")])
    await outcomes.record_messages_sent(sent, deps)
    await outcomes.record_messages_sent(sent, deps)
    await receipts.record_delivery(receipt(b, "failed"), deps)
    await receipts.record_delivery(receipt(b, "pending"), deps)  # late pending: ignored
    await receipts.record_delivery(receipt(b, "delivered"), deps)  # final stays final

    counts = await deps.recipients.counts(campaign_id)
    assert counts == {RecipientStatus.DELIVERED: 1, RecipientStatus.FAILED: 1}
    view = await campaigns.get_campaign(
        GetCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert view.status is CampaignStatus.COMPLETED


async def test_cancel_stops_everything_not_yet_claimed(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_released(deps, publisher, 5)
    await claim(deps, campaign_id, ids[:1])

    view = await campaigns.cancel_campaign(
        CancelCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert view.status is CampaignStatus.CANCELLED
    assert view.counts.cancelled == 4
    assert await claim(deps, campaign_id, ids) == []


async def test_a_crash_before_publishing_is_healed_by_the_sweeper(
    deps: Deps, publisher: FakePublisher, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.now(UTC), tick=False)
    campaign_id = await sending(deps, 2)
    publisher.fail_next = 1
    with pytest.raises(ConnectionError):
        await release_now(deps, campaign_id)
    assert released(publisher) == []

    # The batch must be older than the grace period by more than MongoDB can blur: it keeps
    # dates to the millisecond, and a claim that re-arms opened_at to the same millisecond
    # changes nothing, so it is not a claim. The clock then stands still: the re-armed batch
    # stays younger than the grace period, so the second sweep finds nothing.
    time_machine.shift(1)
    assert await releasing.republish_unpublished(deps, older_than_s=0.01) == 2
    assert [len(c.messages) for c in released(publisher)] == [2]
    assert await releasing.republish_unpublished(deps, older_than_s=0.01) == 0


def review_time() -> datetime:
    return datetime.now(UTC)

"""Pauses, returns, shared references, the save-to-record outbox and stale messages."""

from datetime import UTC, datetime, timedelta

import pytest

from campaign.handlers import campaigns, outcomes, receipts, record_entries
from campaign.handlers import release as releasing
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.campaign_requests import CancelCampaign, ResumeCampaign
from cohort_contracts.sending import (
    SendingBlocked,
)
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus, SendReason

from ..builders import ORG
from ..fakes import FakePublisher
from .helpers import (
    all_sent,
    cid,
    claim,
    claim_request,
    contacts_of,
    delivery_reported,
    messages_sent,
    published_entries,
    release_now,
    released,
    released_ids,
    sent_and_claimed,
    sent_and_released,
    stored_campaign,
)


async def test_no_credit_pauses_the_campaign_and_loses_nothing(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_released(deps, publisher, 5)
    await claim(deps, campaign_id, ids[:3])
    blocked = SendingBlocked(
        reason_code=SendReason.INSUFFICIENT_CREDIT, reason="Your Firetext account is out of credit."
    )
    batch, rest = released(publisher)  # release batches of 3 in these tests
    report = messages_sent(
        campaign_id,
        [(ids[0], "sent"), (ids[1], "returned"), (ids[2], "returned")],
        blocked,
        batch_id=batch.batch_id,
    )
    await outcomes.record_messages_sent(report, deps)
    campaign = await stored_campaign(deps, campaign_id)
    assert campaign.status is CampaignStatus.PAUSED
    assert campaign.paused_reason == "Your Firetext account is out of credit."
    [paused] = [e for e in await deps.audit.entries(ORG, campaign_id) if e.action == "paused"]
    # The trail says why in the provider's words, as the campaign page does.
    assert paused.details == {
        "reason_code": "INSUFFICIENT_CREDIT",
        "reason": "Your Firetext account is out of credit.",
    }
    # The rest of the batch is refused a claim while paused and comes back too.
    assert await claim(deps, campaign_id, ids[3:]) == []
    await outcomes.record_messages_sent(
        messages_sent(
            campaign_id,
            [(ids[3], "not_claimed"), (ids[4], "not_claimed")],
            batch_id=rest.batch_id,
        ),
        deps,
    )
    assert await deps.recipients.counts(campaign_id) == {
        RecipientStatus.SENT: 1,
        RecipientStatus.READY: 4,
    }

    publisher.published.clear()
    await campaigns.resume_campaign(
        ResumeCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert await release_now(deps, campaign_id) == 4
    assert set(released_ids(publisher)) == set(ids[1:])


async def test_a_not_claimed_report_for_a_sending_recipient_changes_nothing(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 1)
    await outcomes.record_messages_sent(messages_sent(campaign_id, [(ids[0], "not_claimed")]), deps)
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.SENDING: 1}


async def test_receipts_for_a_shared_reference_are_matched_by_number(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    await all_sent(deps, campaign_id, ids, reference="g-shared")
    contacts = await contacts_of(deps, campaign_id)

    await receipts.record_delivery(
        delivery_reported("delivered", provider_reference="g-shared", mobile=contacts[ids[1]]), deps
    )
    counts = await deps.recipients.counts(campaign_id)
    assert counts == {RecipientStatus.SENT: 1, RecipientStatus.DELIVERED: 1}
    assert await record_entries.drain_record_entries(deps) == 1
    [entry] = published_entries(publisher)
    assert entry.recipient_id == ids[1]


async def test_a_record_entry_only_for_a_delivered_message_and_only_once(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 4)
    await outcomes.record_messages_sent(
        messages_sent(
            campaign_id,
            [(ids[0], "sent"), (ids[1], "sent"), (ids[2], "outcome_unknown"), (ids[3], "failed")],
        ),
        deps,
    )
    await receipts.record_delivery(delivery_reported("delivered", recipient_id=ids[0]), deps)
    await receipts.record_delivery(delivery_reported("delivered", recipient_id=ids[0]), deps)
    await receipts.record_delivery(delivery_reported("failed", recipient_id=ids[1]), deps)
    assert published_entries(publisher) == []  # receipt handlers never publish
    assert await record_entries.drain_record_entries(deps) == 1
    assert await record_entries.drain_record_entries(deps) == 0

    [entry] = published_entries(publisher)
    assert entry.recipient_id == ids[0]
    assert entry.message_text.startswith("Hello Jane")
    assert entry.campaign_id == campaign_id
    assert len(entry.nhs_number) == 10


async def test_the_outbox_survives_a_failed_publish(deps: Deps, publisher: FakePublisher) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    # The outcome is recorded whatever the record-entry queue does: the handler never publishes.
    for rid in ids:
        await receipts.record_delivery(delivery_reported("delivered", recipient_id=rid), deps)
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.DELIVERED: 2}
    publisher.fail_next = 1
    with pytest.raises(record_entries.OutboxStalled):
        await record_entries.drain_record_entries(deps)
    assert published_entries(publisher) == []  # the batch was refused: both still pending
    assert await deps.recipients.count_pending_record_entries() == 2
    assert await record_entries.drain_record_entries(deps) == 2
    assert sorted(e.recipient_id for e in published_entries(publisher)) == sorted(ids)
    assert await record_entries.drain_record_entries(deps) == 0


async def test_nothing_stays_in_flight_once_receipts_stop(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 3)
    await outcomes.record_messages_sent(messages_sent(campaign_id, [(ids[0], "sent")]), deps)
    # ids[1] and ids[2] stay "sending": dispatch died after claiming them.
    assert await outcomes.expire_unsettled(deps, receipt_timeout_s=0, claim_timeout_s=0) >= 1
    page, _ = await deps.recipients.page(RecipientListing(ORG, campaign_id), 0, 10)
    by_id = {r.id: r for r in page}
    assert by_id[ids[0]].status is RecipientStatus.FAILED
    assert by_id[ids[0]].reason_code == "NO_RECEIPT"
    assert {by_id[i].status for i in ids[1:]} == {RecipientStatus.OUTCOME_UNKNOWN}
    campaign = await stored_campaign(deps, campaign_id)
    assert campaign.status is CampaignStatus.COMPLETED
    assert await record_entries.drain_record_entries(deps) == 0


async def test_a_receipt_that_overtakes_the_send_report_is_applied_when_it_comes(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    contacts = await contacts_of(deps, campaign_id)

    # Firetext answers for both numbers of a shared-text request before dispatch reports it.
    for rid in ids:
        await receipts.record_delivery(
            delivery_reported("delivered", provider_reference="g-early", mobile=contacts[rid]), deps
        )
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.SENDING: 2}

    await all_sent(deps, campaign_id, ids, reference="g-early")
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.DELIVERED: 2}
    assert await record_entries.drain_record_entries(deps) == 2


async def test_a_claim_that_comes_too_late_is_refused_and_the_patients_are_sent_later(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_released(deps, publisher, 2)
    batch, *_ = released(publisher)
    asked_at = datetime.now(UTC) - timedelta(seconds=deps.claim_deadline_s + 1)
    late = claim_request(campaign_id, ids, occurred_at=asked_at)
    assert (await releasing.claim_messages(late, deps)).claimed == []
    await outcomes.record_messages_sent(
        messages_sent(campaign_id, [(i, "not_claimed") for i in ids], batch_id=batch.batch_id), deps
    )
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.READY: 2}

    assert await release_now(deps, campaign_id) == 2
    assert sorted(await claim(deps, campaign_id, ids)) == sorted(ids)


async def test_a_claim_asked_again_gets_the_same_answer(
    deps: Deps, publisher: FakePublisher
) -> None:
    """Dispatch asks again, with the same message, when the answer was lost (a broker restart,
    a campaign instance killed after writing). Without the same answer, the recipients the
    first asking moved to ``sending`` would never be sent."""
    campaign_id, ids = await sent_and_released(deps, publisher, 3)
    request = claim_request(campaign_id, ids)

    first = (await releasing.claim_messages(request, deps)).claimed
    again = (await releasing.claim_messages(request, deps)).claimed

    assert sorted(first) == sorted(again) == sorted(ids)
    # Any other claim, a redelivered batch's included, gets none of them.
    assert (await releasing.claim_messages(claim_request(campaign_id, ids), deps)).claimed == []


async def test_a_claim_asked_again_after_a_cancel_gets_nothing(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_released(deps, publisher, 2)
    request = claim_request(campaign_id, ids)
    assert sorted((await releasing.claim_messages(request, deps)).claimed) == sorted(ids)

    # Cancelled while dispatch waited for the lost answer: the claimed are withdrawn.
    campaign = await campaigns.cancel_campaign(
        CancelCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert campaign.status is CampaignStatus.CANCELLED
    await deps.recipients.cancel_claimed(ORG, campaign_id, ids)

    assert (await releasing.claim_messages(request, deps)).claimed == []

"""Save to record as staff see it: the record service's reports on each recipient, the highest
ranked one kept, shown per recipient in words and counted on the campaign."""

import uuid
from datetime import UTC, date, datetime

from campaign.handlers import campaigns, receipts, record_entries, record_status
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import GetCampaign, ListCampaigns, ListRecipients
from cohort_contracts.record import RecordReason, RecordState, RecordStatusChanged

from ..builders import ORG
from ..fakes import FakePublisher
from .helpers import (
    all_sent,
    cid,
    claim,
    delivery_reported,
    published_entries,
    sent_and_released,
)


def report(
    campaign_id: uuid.UUID,
    recipient_id: str,
    state: RecordState,
    reason: RecordReason | None = None,
) -> RecordStatusChanged:
    return RecordStatusChanged(
        correlation_id=cid(),
        org_id=ORG,
        campaign_id=campaign_id,
        recipient_id=recipient_id,
        entry_id=uuid.uuid4(),
        state=state,
        reason_code=reason,
        changed_at=datetime.now(UTC),
    )


async def delivered(deps: Deps, publisher: FakePublisher, n: int) -> tuple[uuid.UUID, list[str]]:
    campaign_id, ids = await sent_and_released(deps, publisher, n)
    await claim(deps, campaign_id, ids)
    await all_sent(deps, campaign_id, ids)
    for i in ids:
        await receipts.record_delivery(delivery_reported("delivered", recipient_id=i), deps)
    return campaign_id, ids


async def views(deps: Deps, campaign_id: uuid.UUID) -> dict[str, tuple[object, ...]]:
    page = await campaigns.list_recipients(
        ListRecipients(
            correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id, page_size=100
        ),
        deps,
    )
    return {r.id: (r.record_status, r.record_reason, r.record_reason_code) for r in page.items}


async def saved_count(deps: Deps, campaign_id: uuid.UUID) -> int:
    view = await campaigns.get_campaign(
        GetCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    return view.counts.saved_to_record


async def test_the_record_entry_carries_what_addressing_needs(
    deps: Deps, publisher: FakePublisher
) -> None:
    await delivered(deps, publisher, 1)
    assert await record_entries.drain_record_entries(deps) == 1
    [entry] = published_entries(publisher)
    assert (entry.family_name, entry.birth_date) == ("Smith", date(1980, 1, 1))


async def test_each_recipient_shows_saving_saved_or_not_saved_and_the_campaign_counts_saved(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, (a, b, c) = await delivered(deps, publisher, 3)
    assert (await views(deps, campaign_id))[a] == (None, None, None)

    await record_status.record_record_status(report(campaign_id, a, RecordState.SENT), deps)
    await record_status.record_record_status(report(campaign_id, b, RecordState.PENDING), deps)
    await record_status.record_record_status(
        report(campaign_id, c, RecordState.FAILED, RecordReason.PRACTICE_NOT_ENABLED), deps
    )
    shown = await views(deps, campaign_id)
    assert shown[a] == ("saving", "Saving to GP record…", None)
    assert shown[c] == (
        "not_saved",
        "Not saved: practice not set up for saving to record",
        RecordReason.PRACTICE_NOT_ENABLED,
    )
    assert await saved_count(deps, campaign_id) == 0

    await record_status.record_record_status(report(campaign_id, a, RecordState.FILED), deps)
    assert (await views(deps, campaign_id))[a] == ("saved", "Saved to GP record", None)
    assert await saved_count(deps, campaign_id) == 1
    # A repeat of the filing adds nothing; the overview shows the count too.
    await record_status.record_record_status(report(campaign_id, a, RecordState.FILED), deps)
    overview = await campaigns.list_campaigns(
        ListCampaigns(correlation_id=cid(), org_id=ORG, actor="u"), deps
    )
    assert [c.counts.saved_to_record for c in overview.items if c.id == campaign_id] == [1]


async def test_a_late_or_repeated_report_never_undoes_a_later_one(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, (a, b) = await delivered(deps, publisher, 2)
    for state in (RecordState.ACKNOWLEDGED, RecordState.FILED, RecordState.SENT):
        await record_status.record_record_status(report(campaign_id, a, state), deps)
    # Final is final: a failure reported after filing (it cannot happen) changes nothing.
    await record_status.record_record_status(
        report(campaign_id, a, RecordState.FAILED, RecordReason.NO_ACK), deps
    )
    await record_status.record_record_status(
        report(campaign_id, b, RecordState.FAILED, RecordReason.REJECTED), deps
    )
    await record_status.record_record_status(report(campaign_id, b, RecordState.SENT), deps)
    shown = await views(deps, campaign_id)
    assert shown[a][0] == "saved"
    assert shown[b] == (
        "not_saved",
        "Not saved: the practice's system rejected the document",
        RecordReason.REJECTED,
    )

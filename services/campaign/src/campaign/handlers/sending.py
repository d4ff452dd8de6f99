"""Releasing rendered messages to dispatch and recording what became of them."""

import logging
import uuid
from dataclasses import replace

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.campaign_views import ClaimResult
from cohort_contracts.routing import SEND_MESSAGES
from cohort_contracts.sending import (
    DeliveryReported,
    MessagesSent,
    OutboundMessage,
    SendMessages,
)
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus

from ..domain.model import UNSENT, Campaign, Recipient
from ..domain.rendering import Personalisation, render
from .deps import Deps

log = logging.getLogger(__name__)

SEND_STATUS = {
    "sent": RecipientStatus.SENT,
    "delivered": RecipientStatus.DELIVERED,
    "failed": RecipientStatus.FAILED,
    "outcome_unknown": RecipientStatus.OUTCOME_UNKNOWN,
}


def _rendered(campaign: Campaign, r: Recipient) -> Recipient:
    assert campaign.message is not None
    who = Personalisation(r.given_name, r.family_name)
    subject = campaign.message.subject
    return replace(
        r,
        body=render(campaign.message.body, who),
        subject=None if subject is None else render(subject, who),
    )


async def _publish_batch(
    deps: Deps, campaign: Campaign, batch_id: uuid.UUID, recipients: list[Recipient]
) -> None:
    command = SendMessages(
        correlation_id=campaign.id,
        org_id=campaign.org_id,
        campaign_id=campaign.id,
        channel=recipients[0].channel,
        batch_id=batch_id,
        messages=[
            OutboundMessage(recipient_id=r.id, to=r.contact, body=r.body or "", subject=r.subject)
            for r in recipients
        ],
    )
    await deps.publisher.publish(SEND_MESSAGES, command)


async def release(campaign: Campaign, deps: Deps) -> int:
    """Render and hand to dispatch every ready recipient of a sending campaign, a batch at a
    time. Safe to run concurrently and repeatedly: only ready → queued moves are published, and
    dispatch claims each recipient before sending."""
    released = 0
    while True:
        current = await deps.campaigns.get(campaign.org_id, campaign.id)
        if current is None or current.status is not CampaignStatus.SENDING:
            return released
        ready = await deps.recipients.with_status(
            campaign.id, RecipientStatus.READY, deps.release_batch_size
        )
        if not ready:
            return released
        batch_id = uuid.uuid4()
        await deps.releases.opened(batch_id, campaign.id, campaign.org_id)
        rendered = [_rendered(current, r) for r in ready]
        moved = set(await deps.recipients.mark_queued(rendered, batch_id))
        for channel in {r.channel for r in rendered}:
            batch = [r for r in rendered if r.id in moved and r.channel == channel]
            if batch:
                await _publish_batch(deps, current, batch_id, batch)
        await deps.releases.published(batch_id)
        released += len(moved)


async def republish_unpublished(deps: Deps, older_than_s: float) -> int:
    """Heal a crash between marking a batch queued and publishing it."""
    healed = 0
    for batch_id, campaign_id, org_id in await deps.releases.unpublished(older_than_s):
        campaign = await deps.campaigns.get(org_id, campaign_id)
        queued = await deps.recipients.in_batch(batch_id)
        if campaign is not None and queued:
            for channel in {r.channel for r in queued}:
                await _publish_batch(
                    deps, campaign, batch_id, [r for r in queued if r.channel == channel]
                )
            healed += len(queued)
        await deps.releases.published(batch_id)
    return healed


async def claim_messages(req: ClaimMessages, deps: Deps) -> ClaimResult:
    campaign = await deps.campaigns.get(req.org_id, req.campaign_id)
    if campaign is None or campaign.status is not CampaignStatus.SENDING:
        return ClaimResult(claimed=[])
    claimed = await deps.recipients.claim(req.org_id, req.campaign_id, req.recipient_ids)
    return ClaimResult(claimed=claimed)


async def record_messages_sent(event: MessagesSent, deps: Deps) -> None:
    for outcome in event.outcomes:
        status = SEND_STATUS.get(outcome.status)
        if status is None:
            continue  # not_claimed: someone else owns it, or it was cancelled
        reason_code = None if outcome.reason_code is None else outcome.reason_code.value
        await deps.recipients.transition(
            event.org_id, outcome.recipient_id, status, reason_code, outcome.reason
        )
    await finish_if_done(event.org_id, event.campaign_id, deps)


async def finish_if_done(org_id: str, campaign_id: uuid.UUID, deps: Deps) -> None:
    campaign = await deps.campaigns.get(org_id, campaign_id)
    if campaign is None or campaign.status is not CampaignStatus.SENDING:
        return
    counts = await deps.recipients.counts(campaign_id)
    if campaign.finish_if_done(sum(counts.get(s, 0) for s in UNSENT)):
        await deps.campaigns.save(campaign)
        log.info("campaign completed", extra={"campaign_id": str(campaign_id)})


async def record_delivery(event: DeliveryReported, deps: Deps) -> None:
    if event.status == "pending":
        return  # a pending receipt never overrides anything; the final one follows
    to = RecipientStatus.DELIVERED if event.status == "delivered" else RecipientStatus.FAILED
    reason_code = None if event.reason_code is None else event.reason_code.value
    recipient_id = event.recipient_id
    if recipient_id is None and event.provider_reference and event.mobile:
        recipient_id = await deps.recipients.find_by_provider_reference(
            event.org_id, event.provider_reference, event.mobile
        )
    if recipient_id is None:
        log.warning("receipt for an unknown message", extra={"reference": event.provider_reference})
        return
    changed = await deps.recipients.transition(
        event.org_id, recipient_id, to, reason_code, event.reason
    )
    if not changed:
        log.info("receipt changed nothing", extra={"recipient_id": recipient_id})

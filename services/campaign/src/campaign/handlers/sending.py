"""Releasing rendered messages to dispatch and recording what became of them."""

import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cohort_contracts.campaign_requests import ClaimMessages, ResumeCampaign
from cohort_contracts.campaign_views import CampaignView, ClaimResult
from cohort_contracts.routing import RECORD_ENTRIES, SEND_MESSAGES
from cohort_contracts.sending import (
    DeliveryReported,
    MessagesSent,
    OutboundMessage,
    RecordEntryRequested,
    SendMessages,
    SendOutcome,
)
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus

from ..domain.model import RETURNED_FROM, UNCLAIMED_FROM, UNSENT, Campaign, Recipient
from .audit_trail import record_audit
from .deps import Deps
from .loading import load_campaign
from .views import campaign_view

#: Record-entry events are named by their recipient, so a republished one is recognisable.
RECORD_ENTRY_IDS = uuid.UUID("6f1c1d2e-5b0a-4c8e-9a57-2d8f3c4b7e10")

log = logging.getLogger(__name__)

SEND_STATUS = {
    "sent": RecipientStatus.SENT,
    "delivered": RecipientStatus.DELIVERED,
    "failed": RecipientStatus.FAILED,
    "outcome_unknown": RecipientStatus.OUTCOME_UNKNOWN,
}


def _rendered(deps: Deps, campaign: Campaign, r: Recipient) -> Recipient:
    # The review's renderer: the same text, and the same link (fixed by the send date).
    message = deps.renderer.render_for(campaign, r)
    return replace(r, body=message.body, subject=message.subject)


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
        rendered = [_rendered(deps, current, r) for r in ready]
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
    # A claim older than this has been given up by dispatch (its request timed out and the
    # batch will be redelivered). Applying it now would mark patients ``sending`` that nobody
    # will send to, so it is refused; the recipients come back through ``not_claimed``.
    if datetime.now(UTC) - req.occurred_at > timedelta(seconds=deps.claim_deadline_s):
        log.warning("stale claim refused", extra={"campaign_id": str(req.campaign_id)})
        return ClaimResult(claimed=[])
    campaign = await deps.campaigns.get(req.org_id, req.campaign_id)
    if campaign is None or campaign.status is not CampaignStatus.SENDING:
        return ClaimResult(claimed=[])
    claimed = await deps.recipients.claim(req.org_id, req.campaign_id, req.recipient_ids)
    return ClaimResult(claimed=claimed)


async def record_messages_sent(event: MessagesSent, deps: Deps) -> None:
    campaign = await deps.campaigns.get(event.org_id, event.campaign_id)
    if event.blocked is not None and campaign is not None and campaign.pause(event.blocked.reason):
        await deps.campaigns.save(campaign)
        await record_audit(
            deps, campaign, "dispatch", "paused", reason_code=event.blocked.reason_code.value
        )
        log.warning(
            "campaign paused by a provider problem",
            extra={"campaign_id": str(event.campaign_id), "reason_code": event.blocked.reason_code},
        )
    for outcome in event.outcomes:
        await _record_outcome(event, outcome, deps)
    await _apply_early_receipts(event, deps)
    await publish_record_entries(deps)
    await finish_if_done(event.org_id, event.campaign_id, deps)


async def _record_outcome(event: MessagesSent, outcome: SendOutcome, deps: Deps) -> None:
    org_id, rid = event.org_id, outcome.recipient_id
    if outcome.status == "returned":
        # Claimed but certainly not sent: release it again when the campaign resumes. Only
        # from the batch that returned it: a late or repeated report must not pull back a
        # recipient that has since been released again and claimed (it would be sent twice).
        await deps.recipients.transition(
            org_id, rid, RecipientStatus.READY, from_states=RETURNED_FROM, batch_id=event.batch_id
        )
        return
    if outcome.status == "not_claimed":
        # Still queued in this batch means nobody ever claimed it (the campaign was paused, or
        # the claim came too late and was refused): back to ready, to be released again. If
        # it was claimed (by an earlier delivery of the batch) or cancelled, it is not queued,
        # and nothing changes.
        await deps.recipients.transition(
            org_id,
            rid,
            RecipientStatus.READY,
            from_states=UNCLAIMED_FROM,
            batch_id=event.batch_id,
        )
        return
    reason_code = None if outcome.reason_code is None else outcome.reason_code.value
    await deps.recipients.transition(
        org_id,
        rid,
        SEND_STATUS[outcome.status],
        reason_code,
        outcome.reason,
        provider_reference=outcome.provider_reference,
    )


async def resume_campaign(req: ResumeCampaign, deps: Deps) -> CampaignView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    campaign.resume()
    await deps.campaigns.save(campaign)
    await record_audit(deps, campaign, req.actor, "resumed")
    return campaign_view(campaign, await deps.recipients.counts(campaign.id))


async def publish_record_entries(deps: Deps, limit: int = 500) -> int:
    """The save-to-record outbox: every delivered recipient, once (a consumer may see a repeat
    after a crash, with the same message id, so it can ignore it)."""
    pending = await deps.recipients.pending_record_entries(limit)
    for r in pending:
        await deps.publisher.publish(
            RECORD_ENTRIES,
            RecordEntryRequested(
                message_id=uuid.uuid5(RECORD_ENTRY_IDS, r.id),
                correlation_id=r.campaign_id,
                org_id=r.org_id,
                nhs_number=r.nhs_number,
                campaign_id=r.campaign_id,
                recipient_id=r.id,
                channel=r.channel,
                message_text=r.body or "",
                delivered_at=r.updated_at,
            ),
        )
    if pending:
        await deps.recipients.record_entries_published([r.id for r in pending])
    return len(pending)


async def expire_unsettled(deps: Deps, receipt_timeout_s: float, claim_timeout_s: float) -> int:
    """None stays in flight once receipts stop coming (Notify gives up after 72 hours): a sent
    message never confirmed fails with NO_RECEIPT; a claim dispatch never reported on (it
    crashed mid-send) may have reached the provider, so it becomes outcome_unknown."""
    now = datetime.now(UTC)
    touched = await deps.recipients.expire(
        RecipientStatus.SENT,
        now - timedelta(seconds=receipt_timeout_s),
        RecipientStatus.FAILED,
        "NO_RECEIPT",
        "The mobile network never confirmed delivery. The phone may be off or out of signal.",
    )
    touched += await deps.recipients.expire(
        RecipientStatus.SENDING,
        now - timedelta(seconds=claim_timeout_s),
        RecipientStatus.OUTCOME_UNKNOWN,
        "NO_RECEIPT",
        "We cannot tell whether this message was sent; it was not sent again.",
    )
    for org_id, campaign_id in set(touched):
        await finish_if_done(org_id, campaign_id, deps)
    return len(touched)


async def finish_if_done(org_id: str, campaign_id: uuid.UUID, deps: Deps) -> None:
    campaign = await deps.campaigns.get(org_id, campaign_id)
    if campaign is None or campaign.status is not CampaignStatus.SENDING:
        return
    counts = await deps.recipients.counts(campaign_id)
    if campaign.finish_if_done(sum(counts.get(s, 0) for s in UNSENT)):
        await deps.campaigns.save(campaign)
        log.info("campaign completed", extra={"campaign_id": str(campaign_id)})


async def _keep_early(event: DeliveryReported, deps: Deps) -> str | None:
    """A receipt for a shared reference can overtake dispatch's report of which recipients the
    reference covers: keep it until the report comes. Both sides write first and look second,
    so whichever runs last applies the receipt."""
    assert event.provider_reference is not None
    assert event.mobile is not None
    key = f"{event.provider_reference}:{event.mobile}:{event.status}:{event.message_id}"
    await deps.early_receipts.keep(
        event.org_id, event.provider_reference, event.model_dump_json(), key
    )
    found = await deps.recipients.find_by_provider_reference(
        event.org_id, event.provider_reference, event.mobile
    )
    if found is not None:
        await deps.early_receipts.discard(key)
    return found


async def _apply_early_receipts(event: MessagesSent, deps: Deps) -> None:
    references = {o.provider_reference for o in event.outcomes if o.provider_reference}
    for reference in references:
        for kept in await deps.early_receipts.take(event.org_id, reference):
            await record_delivery(DeliveryReported.model_validate_json(kept), deps)


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
    if recipient_id is None and event.provider_reference and event.mobile:
        recipient_id = await _keep_early(event, deps)
    if recipient_id is None:
        log.warning("receipt for an unknown message", extra={"reference": event.provider_reference})
        return
    changed = await deps.recipients.transition(
        event.org_id, recipient_id, to, reason_code, event.reason
    )
    if not changed:
        log.info("receipt changed nothing", extra={"recipient_id": recipient_id})
    elif to is RecipientStatus.DELIVERED:
        await publish_record_entries(deps)

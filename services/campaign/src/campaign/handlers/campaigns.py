"""Campaign commands and queries from the gateway."""

import logging
import uuid
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import (
    CancelCampaign,
    CreateCampaign,
    GetCampaign,
    GetReview,
    ListCampaigns,
    ListRecipients,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.campaign_views import (
    CampaignPage,
    CampaignView,
    RecipientPage,
    RenderedPreview,
    ReviewView,
)
from cohort_contracts.vocabulary import RecipientStatus

from ..domain.errors import InvalidMessage, NotFound
from ..domain.fragments import sms_fragments
from ..domain.model import Campaign
from ..domain.rendering import Personalisation, render
from .audit_trail import record_audit
from .credit import ensure_credit, with_credit
from .deps import Deps
from .views import campaign_view, reason_counts, recipient_view

log = logging.getLogger(__name__)


async def _load(deps: Deps, org_id: str, campaign_id: uuid.UUID) -> Campaign:
    campaign = await deps.campaigns.get(org_id, campaign_id)
    if campaign is None:
        raise NotFound("Campaign not found.")
    return campaign


async def _view(deps: Deps, campaign: Campaign) -> CampaignView:
    return campaign_view(campaign, await deps.recipients.counts(campaign.id))


async def create_campaign(req: CreateCampaign, deps: Deps) -> CampaignView:
    campaign = Campaign(
        # The request's message id names the campaign, so a retried request creates one.
        id=req.message_id,
        org_id=req.org_id,
        name=req.name,
        type=req.type,
        created_by=req.actor,
        created_at=datetime.now(UTC),
    )
    existing = await deps.campaigns.get(req.org_id, campaign.id)
    if existing is not None:
        return await _view(deps, existing)
    await deps.campaigns.add(campaign)
    log.info("campaign created", extra={"campaign_id": str(campaign.id)})
    return campaign_view(campaign, {})


async def list_campaigns(req: ListCampaigns, deps: Deps) -> CampaignPage:
    skip = (req.page - 1) * req.page_size
    items, total = await deps.campaigns.page(req.org_id, req.status, skip, req.page_size)
    return CampaignPage(
        items=[await _view(deps, c) for c in items],
        total=total,
        page=req.page,
        page_size=req.page_size,
    )


async def get_campaign(req: GetCampaign, deps: Deps) -> CampaignView:
    return await _view(deps, await _load(deps, req.org_id, req.campaign_id))


async def set_message(req: SetMessage, deps: Deps) -> CampaignView:
    campaign = await _load(deps, req.org_id, req.campaign_id)
    if req.body is None:
        raise InvalidMessage("Write the message, or choose a template.")
    campaign.set_message(req.body, req.subject)
    await deps.campaigns.save(campaign)
    return await _view(deps, campaign)


async def _lists_resolving(deps: Deps, campaign: Campaign) -> int:
    resolving = 0
    for patient_list in await deps.lists.for_campaign(campaign.id):
        progress = await deps.lists.progress(patient_list)
        resolving += progress.processed < patient_list.total_rows
    return resolving


async def get_review(req: GetReview, deps: Deps) -> ReviewView:
    campaign = await _load(deps, req.org_id, req.campaign_id)
    ready = await deps.recipients.with_status(campaign.id, RecipientStatus.READY, limit=10**9)
    previews: list[RenderedPreview] = []
    total_fragments = 0
    by_channel: dict[str, int] = {}
    for r in ready:
        by_channel[r.channel] = by_channel.get(r.channel, 0) + 1
        if campaign.message is None:
            continue
        body = render(campaign.message.body, Personalisation(r.given_name, r.family_name))
        fragments = sms_fragments(body) if r.channel == "sms" else 0
        total_fragments += fragments
        if len(previews) < req.preview_count:
            subject = campaign.message.subject
            previews.append(
                RenderedPreview(
                    recipient_id=r.id,
                    body=body,
                    subject=None
                    if subject is None
                    else render(subject, Personalisation(r.given_name, r.family_name)),
                    fragments=fragments,
                )
            )
    review = ReviewView(
        campaign_id=campaign.id,
        status=campaign.status,
        recipient_count=len(ready),
        recipients_by_channel=by_channel,
        excluded_by_reason=reason_counts(await deps.lists.failed_by_reason(campaign.id)),
        previews=previews,
        total_fragments=total_fragments,
        lists_resolving=await _lists_resolving(deps, campaign),
    )
    return await with_credit(review, campaign.org_id, deps)


async def send_campaign(req: SendCampaign, deps: Deps) -> CampaignView:
    campaign = await _load(deps, req.org_id, req.campaign_id)
    review = await get_review(
        GetReview(
            correlation_id=req.correlation_id,
            org_id=req.org_id,
            actor=req.actor,
            org_scope=req.org_scope,
            campaign_id=req.campaign_id,
            preview_count=0,
        ),
        deps,
    )
    ensure_credit(review)
    counts = await deps.recipients.counts(campaign.id)
    campaign.start_sending(
        confirmed=req.confirm_recipient_count,
        ready=counts.get(RecipientStatus.READY, 0),
        lists_resolving=await _lists_resolving(deps, campaign),
    )
    await deps.campaigns.save(campaign)
    await record_audit(deps, campaign, req.actor, "sent", recipients=req.confirm_recipient_count)
    log.info("campaign sending", extra={"campaign_id": str(campaign.id), "actor": req.actor})
    return campaign_view(campaign, counts)


async def cancel_campaign(req: CancelCampaign, deps: Deps) -> CampaignView:
    campaign = await _load(deps, req.org_id, req.campaign_id)
    campaign.cancel()
    # The status is saved first: the releaser checks it before every batch, so nothing new is
    # queued; then everything not yet claimed by dispatch is cancelled (claims then fail).
    await deps.campaigns.save(campaign)
    cancelled = await deps.recipients.cancel_unsent(campaign.id)
    await record_audit(deps, campaign, req.actor, "cancelled", recipients_cancelled=cancelled)
    log.info("campaign cancelled", extra={"campaign_id": str(campaign.id), "cancelled": cancelled})
    return await _view(deps, campaign)


async def list_recipients(req: ListRecipients, deps: Deps) -> RecipientPage:
    await _load(deps, req.org_id, req.campaign_id)
    skip = (req.page - 1) * req.page_size
    items, total = await deps.recipients.page(
        req.org_id, req.campaign_id, req.status, skip, req.page_size
    )
    return RecipientPage(
        items=[recipient_view(r) for r in items],
        total=total,
        page=req.page,
        page_size=req.page_size,
    )

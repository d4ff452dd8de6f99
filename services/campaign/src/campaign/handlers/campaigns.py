"""Campaign commands and queries from the gateway."""

import logging
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import (
    CancelCampaign,
    CreateCampaign,
    GetCampaign,
    ListCampaigns,
    ListRecipients,
    ResumeCampaign,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.campaign_views import CampaignPage, CampaignView, RecipientPage
from cohort_contracts.vocabulary import CampaignStatus

from ..domain.cursors import next_cursor
from ..domain.errors import InvalidMessage
from ..domain.list_order import ListPosition
from ..domain.model import Campaign, check_type_settings
from ..ports.recipients import RecipientListing
from .audit_trail import record_request
from .deps import Deps
from .loading import load_campaign
from .people import people_of
from .requested import change_once, current_view, made_once, request_id_in_use
from .review import get_review as get_review
from .review import review_before_sending
from .templates import template_for_message
from .views import campaign_view, recipient_view

log = logging.getLogger(__name__)


async def create_campaign(req: CreateCampaign, deps: Deps) -> CampaignView:
    check_type_settings(
        req.type,
        allow_replies=req.allow_replies,
        booking=req.booking,
        questionnaire=req.questionnaire,
    )
    campaign = Campaign(
        # The request's message id names the campaign, so a retried request creates one.
        id=req.message_id,
        org_id=req.org_id,
        name=req.name,
        type=req.type,
        created_by=req.actor,
        created_at=datetime.now(UTC),
        allow_replies=req.allow_replies,
        booking=req.booking,
        questionnaire=req.questionnaire,
        link_expiry_days=req.link_expiry_days,
    )
    made = await made_once(deps, campaign)
    if made is None:
        raise request_id_in_use()
    campaign = made
    await record_request(deps, campaign, req, "created", type=campaign.type)
    log.info("campaign created", extra={"campaign_id": str(campaign.id)})
    return await current_view(deps, campaign)


async def list_campaigns(req: ListCampaigns, deps: Deps) -> CampaignPage:
    skip = (req.page - 1) * req.page_size
    items, total = await deps.campaigns.page(req.readable_orgs, req.status, skip, req.page_size)
    counts = await deps.recipients.counts_of([c.id for c in items])
    saved = await deps.recipients.saved_to_record([c.id for c in items])
    people = await people_of(deps, items)
    return CampaignPage(
        items=[campaign_view(c, counts[c.id], saved[c.id], people[c.id]) for c in items],
        total=total,
        page=req.page,
        page_size=req.page_size,
    )


async def get_campaign(req: GetCampaign, deps: Deps) -> CampaignView:
    return await current_view(deps, await load_campaign(deps, req.readable_orgs, req.campaign_id))


async def _message_from(
    req: SetMessage, deps: Deps, campaign: Campaign
) -> tuple[str, str | None, tuple[str, int] | None]:
    """(body, subject, (template id, version) or None) from free text or a template."""
    if req.template_id is None:
        if req.body is None:
            raise InvalidMessage("Write the message, or choose a template.", field="body")
        return req.body, req.subject, None
    if req.body is not None:
        raise InvalidMessage("Write the message or choose a template, not both.", field="body")
    template = await template_for_message(deps, req.readable_orgs, req.template_id, campaign.type)
    # The template's current text is copied: later edits to it never change this campaign.
    subject = template.subject if req.subject is None else req.subject
    return template.body, subject, (template.id, template.version)


async def set_message(req: SetMessage, deps: Deps) -> CampaignView:
    template: tuple[str, int] | None = None

    async def compose(campaign: Campaign) -> None:
        nonlocal template
        body, subject, template = await _message_from(req, deps, campaign)
        campaign.set_message(body, subject, template)

    campaign = await change_once(deps, req, compose)
    details: dict[str, str | int] = {}
    if template is not None:
        details = {"template_id": template[0], "version": template[1]}
    await record_request(deps, campaign, req, "message_composed", **details)
    return await current_view(deps, campaign)


async def send_campaign(req: SendCampaign, deps: Deps) -> CampaignView:
    async def start(campaign: Campaign) -> None:
        # The same rendering as the review: the count confirmed is the count reviewed, which
        # leaves out recipients whose message would be too long for SMS (release fails them
        # with MESSAGE_TOO_LONG by the same rule). If anything changes the campaign while this
        # review runs (its message, a new list), the save fails and the review is redone.
        review = await review_before_sending(deps, campaign)
        campaign.start_sending(
            confirmed=req.confirm_recipient_count,
            ready=review.recipient_count,
            lists_resolving=review.lists_resolving,
            actor=req.actor,
            now=deps.clock(),
            send_at=req.send_at,
            needs_approval=deps.safety.for_org(campaign.org_id).needs_approval(
                review.recipient_count
            ),
            spread_hours=req.spread_hours,
        )

    campaign = await change_once(deps, req, start)
    details: dict[str, str | int] = {"recipients": req.confirm_recipient_count}
    if campaign.send_at is not None:
        details["send_at"] = campaign.send_at.isoformat()
    if campaign.spread_hours is not None:
        details["spread_hours"] = campaign.spread_hours
    # From what the send decided, which later changes leave alone, so a redelivered request
    # names the same action (and so finds the entry already written).
    action = "sent"
    if campaign.status is CampaignStatus.AWAITING_APPROVAL or campaign.approved_by is not None:
        action = "approval_requested"
    elif campaign.send_at is not None:
        action = "scheduled"
    await record_request(deps, campaign, req, action, **details)
    log.info("campaign sent", extra={"campaign_id": str(campaign.id), "status": campaign.status})
    return await current_view(deps, campaign)


async def cancel_campaign(req: CancelCampaign, deps: Deps) -> CampaignView:
    async def cancel(campaign: Campaign) -> None:
        campaign.cancel()

    campaign = await change_once(deps, req, cancel)
    # The status is saved first: the releaser and every claim check it, so nothing new is
    # queued or claimed; then everything not yet claimed by dispatch is cancelled. A redelivered
    # request repeats this step (it changes nothing the second time).
    cancelled = await deps.recipients.cancel_unsent(campaign.id)
    await record_request(deps, campaign, req, "cancelled", recipients_cancelled=cancelled)
    log.info("campaign cancelled", extra={"campaign_id": str(campaign.id), "cancelled": cancelled})
    return await current_view(deps, campaign)


async def resume_campaign(req: ResumeCampaign, deps: Deps) -> CampaignView:
    async def resume(campaign: Campaign) -> None:
        campaign.resume()

    campaign = await change_once(deps, req, resume)
    await record_request(deps, campaign, req, "resumed")
    return await current_view(deps, campaign)


async def list_recipients(req: ListRecipients, deps: Deps) -> RecipientPage:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    listing = RecipientListing(campaign.org_id, campaign.id, req.status)
    if req.after is None:
        skip = (req.page - 1) * req.page_size
        items, total = await deps.recipients.page(listing, skip, req.page_size)
    else:
        after = ListPosition.parse(req.after)
        items, total = await deps.recipients.page_after(listing, after, req.page_size)
    return RecipientPage(
        items=[recipient_view(r) for r in items],
        total=total,
        page=req.page,
        page_size=req.page_size,
        next_after=next_cursor(items, req.page_size, ListPosition.of),
    )

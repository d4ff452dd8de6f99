"""A patient opening their booking or questionnaire link (asked by the gateway's public link
endpoint). Forged, altered and unknown links are all simply not found; expired ones are gone."""

import logging
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import ResolveLink
from cohort_contracts.campaign_views import LinkView

from ..domain.errors import Gone, NotFound
from .deps import Deps

log = logging.getLogger(__name__)


async def resolve_link(req: ResolveLink, deps: Deps) -> LinkView:
    signer = deps.renderer.links
    invalid = NotFound("This link is not valid. Check it was copied in full.")
    claim = signer.read(req.token)
    if claim is None or claim.org_id != req.org_id:
        raise invalid
    recipient = await deps.recipient_messages.get(claim.org_id, claim.recipient_id)
    # The signature covers the campaign, which only the stored recipient tells us.
    if recipient is None or not signer.verify(req.token, recipient.campaign_id):
        raise invalid
    campaign = await deps.campaigns.get(claim.org_id, recipient.campaign_id)
    if campaign is None or campaign.type == "basic":
        raise invalid
    now = datetime.now(UTC)
    if now >= claim.expires_at:
        raise Gone("This link has expired. Contact your GP practice if you still need it.")
    if recipient.may_have_arrived():
        await deps.recipient_messages.link_opened(claim.org_id, recipient.id, now)
    log.info("link opened", extra={"campaign_id": str(campaign.id), "recipient_id": recipient.id})
    return LinkView(
        campaign_id=campaign.id,
        org_id=campaign.org_id,
        type=campaign.type,
        patient_reference=recipient.id,
        expires_at=claim.expires_at,
        booking=campaign.booking,
        questionnaire=campaign.questionnaire,
    )

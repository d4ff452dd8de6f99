"""A patient opening their booking or questionnaire link (asked by the gateway's public link
endpoint). Forged, altered and unknown links are all simply not found; expired ones are gone."""

import logging
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import ResolveLink
from cohort_contracts.campaign_views import LinkView

from ..domain.errors import Gone, NotFound
from ..domain.links import LinkClaim
from ..domain.model import Campaign, Recipient
from .deps import Deps

log = logging.getLogger(__name__)


#: What a patient reads at an expired link (the patient service's errors add the practice's
#: name and phone number).
EXPIRED = "This link has expired. Contact your GP practice if you still need it."


async def verified_link(
    deps: Deps, token: str, org_id: str
) -> tuple[LinkClaim, Recipient, Campaign]:
    """What a link names, once its signature is checked: the claim, its recipient and their
    campaign. Forged, altered and unknown links, and links of a basic campaign (which has no
    patient page), are all simply not found; expiry is the caller's to check."""
    signer = deps.renderer.links
    invalid = NotFound("This link is not valid. Check it was copied in full.")
    claim = signer.read(token)
    if claim is None or claim.org_id != org_id:
        raise invalid
    recipient = await deps.recipient_messages.get(claim.org_id, claim.recipient_id)
    # The signature covers the campaign, which only the stored recipient tells us.
    if recipient is None or not signer.verify(token, recipient.campaign_id):
        raise invalid
    campaign = await deps.campaigns.get(claim.org_id, recipient.campaign_id)
    if campaign is None or campaign.type == "basic":
        raise invalid
    return claim, recipient, campaign


async def resolve_link(req: ResolveLink, deps: Deps) -> LinkView:
    claim, recipient, campaign = await verified_link(deps, req.token, req.org_id)
    now = datetime.now(UTC)
    if now >= claim.expires_at:
        raise Gone(EXPIRED)
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

"""Second-person approval, and scheduled campaigns starting when their time comes.

A batch message is a clinical act at scale: an organisation can require that a send to more
than a set number of patients is approved by a second user, who sees the same review (and
must confirm the same recipient count) before anything goes. Both people are in the audit
trail; nobody can approve their own send."""

import logging
import uuid

from cohort_contracts.campaign_requests import ApproveCampaign, SendBack
from cohort_contracts.campaign_views import CampaignView

from ..domain.model import Campaign
from .audit_trail import record_audit, record_request
from .changes import change_campaign
from .deps import Deps
from .loading import reload_campaign
from .requested import Apply, change_once, current_view
from .review import review_before_sending

log = logging.getLogger(__name__)

#: Names the audit entries the sweep writes, so a sweep repeated on another instance (or after
#: a crash) writes each once.
_SWEEP_NAMESPACE = uuid.UUID("5b0f3f0e-8a41-4c44-9a53-2f7c2d9c1a10")


async def approve_campaign(req: ApproveCampaign, deps: Deps) -> CampaignView:
    async def approve(campaign: Campaign) -> None:
        # The approver's count is checked against the review as it is now, as a send is.
        review = await review_before_sending(deps, campaign)
        campaign.approve(
            approver=req.actor,
            confirmed=req.confirm_recipient_count,
            ready=review.recipient_count,
            now=deps.clock(),
        )

    return await _decide(
        deps, req, approve, "approved", "campaign approved", recipients=req.confirm_recipient_count
    )


async def send_back(req: SendBack, deps: Deps) -> CampaignView:
    async def back(campaign: Campaign) -> None:
        campaign.send_back(actor=req.actor, reason=req.reason)

    return await _decide(deps, req, back, "sent_back", "campaign sent back", reason=req.reason)


async def _decide(
    deps: Deps,
    req: ApproveCampaign | SendBack,
    apply: Apply,
    action: str,
    logged: str,
    **details: str | int,
) -> CampaignView:
    """The second user's decision on a send awaiting approval, applied once and written in the
    audit trail with who asked to send."""
    campaign = await change_once(deps, req, apply)
    await record_request(
        deps, campaign, req, action, **details, requested_by=campaign.send_requested_by or ""
    )
    log.info(logged, extra={"campaign_id": str(campaign.id), "actor": req.actor})
    return await current_view(deps, campaign)


async def start_due(deps: Deps) -> list[Campaign]:
    """Scheduled campaigns whose time has come move to ``sending``; each is returned once, to
    the instance whose compare-and-set won, for it to release."""
    started: list[Campaign] = []
    now = deps.clock()
    for due in await deps.campaigns.list_due(now):

        async def start(campaign: Campaign) -> bool:
            return campaign.start_if_due(now)

        find = reload_campaign(deps, due.org_id, due.id)
        campaign, changed = await change_campaign(deps.campaigns, find, start)
        if changed:
            cause = uuid.uuid5(_SWEEP_NAMESPACE, f"{campaign.id}:start")
            await record_audit(deps, campaign, "scheduler", "sending_started", cause=cause)
            started.append(campaign)
    return started

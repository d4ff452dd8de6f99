"""The append-only audit trail of a campaign: who did what, when."""

from datetime import UTC, datetime
from uuid import UUID

from cohort_contracts.campaign_requests import GetAudit
from cohort_contracts.campaign_views import AuditLog
from cohort_contracts.envelope import Request

from ..domain.audit import AuditEntry
from ..domain.model import Campaign
from .deps import Deps
from .loading import load_campaign
from .people import people_in_trail


async def record_audit(
    deps: Deps,
    campaign: Campaign,
    actor: str,
    action: str,
    *,
    cause: UUID,
    **details: str | int,
) -> None:
    """``cause`` is the id of the request or event that did it: an entry is written once per
    cause and action (``AuditEntry.key``), so a redelivered message never repeats one."""
    await deps.audit.append(
        AuditEntry(
            org_id=campaign.org_id,
            campaign_id=campaign.id,
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            details=details,
            cause=cause,
        )
    )


async def record_request(
    deps: Deps, campaign: Campaign, req: Request, action: str, **details: str | int
) -> None:
    """What ``req`` did, in its actor's name and caused by it: a redelivered request finds its
    entry written."""
    await record_audit(deps, campaign, req.actor, action, cause=req.message_id, **details)


async def get_audit(req: GetAudit, deps: Deps) -> AuditLog:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    entries = await deps.audit.entries(campaign.org_id, campaign.id)
    people = await people_in_trail(deps, campaign.org_id, entries)
    return AuditLog(campaign_id=campaign.id, entries=entries, people=people)

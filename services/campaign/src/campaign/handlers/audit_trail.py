"""The append-only audit trail of a campaign: who did what, when."""

from datetime import UTC, datetime

from ..domain.model import Campaign
from .deps import Deps


async def record_audit(
    deps: Deps, campaign: Campaign, actor: str, action: str, **details: str | int
) -> None:
    await deps.audit.append(campaign.org_id, campaign.id, datetime.now(UTC), actor, action, details)

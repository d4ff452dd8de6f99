"""Finding a campaign for a request: within every organisation the caller may read (a network
user reaches its member practices); writes then act in the campaign's own organisation."""

from collections.abc import Sequence
from uuid import UUID

from ..domain.errors import NotFound
from ..domain.model import Campaign
from .deps import Deps


async def load_campaign(deps: Deps, orgs: Sequence[str], campaign_id: UUID) -> Campaign:
    campaign = await deps.campaigns.get_in(orgs, campaign_id)
    if campaign is None:
        raise NotFound("Campaign not found.")
    return campaign

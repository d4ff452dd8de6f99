"""A campaign made or changed by a request, once, and the view the request is answered with.

A campaign a request makes is named by the request's id, so a redelivered request finds it
made. The id of a request that changes a campaign is remembered on it in the same save as the
change, so a redelivered request finds it applied and changes nothing (it is still answered,
with the campaign as it is)."""

from collections.abc import Awaitable, Callable
from typing import Protocol
from uuid import UUID

from cohort_contracts.campaign_views import CampaignView

from ..domain.errors import Conflict
from ..domain.model import Campaign
from .changes import change_campaign
from .deps import Deps
from .loading import load_campaign
from .people import people_of
from .views import campaign_view


class CampaignChange(Protocol):
    """What every request that changes one campaign carries."""

    @property
    def message_id(self) -> UUID: ...

    @property
    def campaign_id(self) -> UUID: ...

    @property
    def readable_orgs(self) -> list[str]: ...


def request_id_in_use() -> Conflict:
    """A request whose id names a campaign it did not make: another organisation's, or one
    made by another kind of request (a forged or colliding request id)."""
    return Conflict("This request id is already in use.")


async def made_once(deps: Deps, campaign: Campaign) -> Campaign | None:
    """``campaign`` as stored now, or as an earlier delivery of the same request stored it
    (same organisation, following up the same campaign or none); None if its id is taken by
    any other campaign."""
    if await deps.campaigns.add(campaign):
        return campaign
    made = await deps.campaigns.get(campaign.org_id, campaign.id)
    if made is None or made.follows_up != campaign.follows_up:
        return None
    return made


#: Changes the campaign (the domain method may refuse by raising).
Apply = Callable[[Campaign], Awaitable[None]]


async def change_once(deps: Deps, req: CampaignChange, apply: Apply) -> Campaign:
    """The campaign as saved, or as found when ``req`` was applied already."""

    async def decide(campaign: Campaign) -> bool:
        if campaign.already_applied(req.message_id):
            return False
        await apply(campaign)
        campaign.remember(req.message_id)
        return True

    campaign, _ = await change_campaign(
        deps.campaigns, lambda: load_campaign(deps, req.readable_orgs, req.campaign_id), decide
    )
    return campaign


async def current_view(deps: Deps, campaign: Campaign) -> CampaignView:
    saved = await deps.recipients.saved_to_record([campaign.id])
    counts = await deps.recipients.counts(campaign.id)
    people = await people_of(deps, [campaign])
    return campaign_view(campaign, counts, saved[campaign.id], people[campaign.id])

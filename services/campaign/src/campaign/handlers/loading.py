"""Finding what a request or event names, or saying it is not there (``NotFound``).

A request finds its campaign within every organisation the caller may read (a network user
reaches its member practices); writes then act in the campaign's own organisation, and so do
events, which name it. A list or a patient is looked for in the campaign found."""

from collections.abc import Sequence
from uuid import UUID

from ..domain.errors import NotFound
from ..domain.model import Campaign, PatientList, Recipient
from .changes import Find
from .deps import Deps


def _found(campaign: Campaign | None) -> Campaign:
    if campaign is None:
        raise NotFound("Campaign not found.")
    return campaign


async def load_campaign(deps: Deps, orgs: Sequence[str], campaign_id: UUID) -> Campaign:
    return _found(await deps.campaigns.get_in(orgs, campaign_id))


def reload_campaign(deps: Deps, org_id: str, campaign_id: UUID) -> Find:
    """What ``change_campaign`` reads afresh on every attempt: the campaign in its own
    organisation."""

    async def find() -> Campaign:
        return _found(await deps.campaigns.get(org_id, campaign_id))

    return find


def reread_or_held(deps: Deps, campaign: Campaign) -> Find:
    """What ``change_campaign`` reads afresh on every attempt for the releaser's own changes to
    a campaign it holds: the campaign as stored now, or as held if it is no longer stored."""

    async def find() -> Campaign:
        return await deps.campaigns.get(campaign.org_id, campaign.id) or campaign

    return find


async def load_list(deps: Deps, campaign: Campaign, list_id: UUID) -> PatientList:
    patient_list = await deps.lists.get(campaign.org_id, campaign.id, list_id)
    if patient_list is None:
        raise NotFound("Patient list not found.")
    return patient_list


async def load_recipient(deps: Deps, campaign: Campaign, recipient_id: str) -> Recipient:
    recipient = await deps.recipients.get(campaign.org_id, recipient_id)
    if recipient is None or recipient.campaign_id != campaign.id:
        raise NotFound("Patient not found in this campaign.")
    return recipient

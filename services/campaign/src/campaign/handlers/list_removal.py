"""Taking a patient list out of a draft campaign, with every patient it added: the wrong
file, or an upload whose rows could not all be queued (it would otherwise wait for them, and
hold the send, for good).

Only the most recent list: a patient is kept by their first occurrence (by list, then row), so
no other list's row was counted a duplicate of one of the latest list's patients, and none is
lost by taking it out. The campaign remembers the list as removed (compare-and-set, so a send
that reviewed it fails and reviews again); rows of it still being checked are dropped when they
come back, and any recorded meanwhile are deleted by whoever records them (``lists``). A list
uploaded while one is removed keeps the patients the two share: its rows take them from the
removed list's recipients instead of being counted their duplicates (``lists``)."""

import logging
from uuid import UUID

from cohort_contracts.campaign_requests import RemovePatientList
from cohort_contracts.campaign_views import CampaignView

from ..domain.errors import Conflict, NotFound
from ..domain.model import Campaign
from .audit_trail import record_request
from .changes import change_campaign
from .deps import Deps
from .loading import load_campaign, reload_campaign
from .requested import current_view

log = logging.getLogger(__name__)


async def remove_patient_list(req: RemovePatientList, deps: Deps) -> CampaignView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    if not campaign.removed(req.list_id):
        await _check_latest(deps, campaign, req.list_id)

    async def remove(c: Campaign) -> bool:
        return c.remove_list(req.list_id)

    find = reload_campaign(deps, campaign.org_id, campaign.id)
    campaign, _ = await change_campaign(deps.campaigns, find, remove)
    # Repeated by a redelivered request, which finds less or nothing left to delete.
    patients = await drop_list(deps, campaign.org_id, campaign.id, req.list_id)
    await record_request(
        deps, campaign, req, "list_removed", list_id=str(req.list_id), patients=patients
    )
    log.info("patient list removed", extra={"list_id": str(req.list_id), "patients": patients})
    return await current_view(deps, campaign)


async def _check_latest(deps: Deps, campaign: Campaign, list_id: UUID) -> None:
    lists = sorted(await deps.lists.for_campaign(campaign.id), key=lambda p: p.ordinal)
    if not any(p.id == list_id for p in lists):
        raise NotFound("Patient list not found.")
    if lists[-1].id != list_id:
        raise Conflict(
            "Only the most recently uploaded list can be removed. Remove the lists uploaded "
            "after it first."
        )


async def drop_list(deps: Deps, org_id: str, campaign_id: UUID, list_id: UUID) -> int:
    """Deletes the list's recipients, then the list and its rows; how many patients went."""
    patients = await deps.recipients.remove_list(campaign_id, list_id)
    await deps.lists.remove(org_id, campaign_id, list_id)
    return patients

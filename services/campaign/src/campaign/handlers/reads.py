"""Reads the staff web app needs: every list of a campaign, and one recipient."""

from cohort_contracts.campaign_requests import GetRecipient, ListPatientLists
from cohort_contracts.campaign_views import PatientListsView, RecipientView

from .deps import Deps
from .loading import load_campaign, load_recipient
from .views import list_view, recipient_view


async def list_patient_lists(req: ListPatientLists, deps: Deps) -> PatientListsView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    lists = sorted(await deps.lists.for_campaign(campaign.id), key=lambda p: p.ordinal)
    return PatientListsView(
        campaign_id=campaign.id,
        items=[list_view(p, await deps.lists.progress(p)) for p in lists],
    )


async def get_recipient(req: GetRecipient, deps: Deps) -> RecipientView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    return recipient_view(await load_recipient(deps, campaign, req.recipient_id))

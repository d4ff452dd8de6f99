"""The reads behind the staff web app: a campaign's lists, and one recipient."""

import pytest

from campaign.domain.errors import NotFound
from campaign.handlers import campaigns, reads
from campaign.handlers.deps import Deps
from cohort_contracts import campaign_requests as requests

from .helpers import campaign_with_recipients, new_campaign, register, req


async def test_every_list_of_a_campaign_in_upload_order(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    first = await register(deps, campaign.id, 3)
    second = await register(deps, campaign.id, 5)

    view = await reads.list_patient_lists(
        req(requests.ListPatientLists, campaign_id=campaign.id), deps
    )

    assert view.campaign_id == campaign.id
    assert [(item.id, item.total_rows) for item in view.items] == [(first, 3), (second, 5)]
    assert all(item.status == "resolving" for item in view.items)


async def test_lists_of_another_organisation_are_not_found(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    with pytest.raises(NotFound):
        await reads.list_patient_lists(
            req(requests.ListPatientLists, org_id="B82002", campaign_id=campaign.id), deps
        )


async def test_one_recipient_by_id_only_within_its_campaign(deps: Deps) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 2)
    page = await campaigns.list_recipients(
        req(requests.ListRecipients, campaign_id=campaign_id), deps
    )
    wanted = page.items[1]

    found = await reads.get_recipient(
        req(requests.GetRecipient, campaign_id=campaign_id, recipient_id=wanted.id), deps
    )
    assert found == wanted

    other = await new_campaign(deps)
    with pytest.raises(NotFound):
        await reads.get_recipient(
            req(requests.GetRecipient, campaign_id=other.id, recipient_id=wanted.id), deps
        )
    with pytest.raises(NotFound):
        await reads.get_recipient(
            req(
                requests.GetRecipient,
                org_id="B82002",
                campaign_id=campaign_id,
                recipient_id=wanted.id,
            ),
            deps,
        )

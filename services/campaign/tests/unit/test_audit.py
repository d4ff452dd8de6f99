"""The audit trail: every step of a campaign, by whom and when, in order."""

import pytest

from campaign.domain.errors import NotFound
from campaign.handlers import audit_trail, campaigns, send_to_self
from campaign.handlers.deps import Deps
from cohort_contracts import campaign_requests as requests

from .helpers import req
from .messaging import add_patients, compose, create, send


async def test_each_step_is_recorded_with_its_actor(deps: Deps) -> None:
    campaign = await create(deps, actor="manager-1")
    await add_patients(deps, campaign.id, [("Ann", "Jones"), ("Bob", "Hill")])
    await compose(deps, campaign.id, template_id="builtin:shingles-info", actor="clerk-2")
    await send_to_self.send_test(
        req(requests.TestSend, campaign_id=campaign.id, channel="sms", to="07700900123"), deps
    )
    await send(deps, campaign.id, 2, actor="manager-1")
    await campaigns.cancel_campaign(
        req(requests.CancelCampaign, campaign_id=campaign.id, actor="manager-1"), deps
    )

    log = await audit_trail.get_audit(req(requests.GetAudit, campaign_id=campaign.id), deps)
    assert log.campaign_id == campaign.id
    assert [(e.action, e.actor) for e in log.entries] == [
        ("created", "manager-1"),
        ("list_uploaded", "user-1"),
        ("message_composed", "clerk-2"),
        ("test_sent", "user-1"),
        ("sent", "manager-1"),
        ("cancelled", "manager-1"),
    ]
    # The trail names the file by what the upload recorded, even once the list is removed.
    uploaded = log.entries[1].details
    assert (uploaded["filename"], uploaded["rows"]) == ("list.csv", 2)
    composed = log.entries[2].details
    assert (composed["template_id"], composed["version"]) == ("builtin:shingles-info", 1)
    times = [e.at for e in log.entries]
    assert times == sorted(times)


async def test_another_organisation_cannot_read_the_trail(deps: Deps) -> None:
    campaign = await create(deps)
    with pytest.raises(NotFound):
        await audit_trail.get_audit(
            req(requests.GetAudit, org_id="B82002", campaign_id=campaign.id), deps
        )

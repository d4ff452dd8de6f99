"""Second-person approval: above the organisation's threshold a send waits for another user."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from campaign.domain.errors import Conflict, Forbidden
from campaign.domain.safety_policy import SafetyPolicies, SafetyPolicy
from campaign.handlers import approval
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import ApproveCampaign
from cohort_contracts.campaign_views import CampaignView
from cohort_contracts.vocabulary import CampaignStatus

from ..fakes import FakePublisher
from .helpers import campaign_with_recipients, release_now, released_ids, req, send
from .test_send_timing import NOON, Clock, actions


def approving(deps: Deps, above: int) -> Deps:
    policy = SafetyPolicy(quiet_hours=None, approval_above=above)
    return replace(deps, clock=Clock(NOON), safety=SafetyPolicies(policy))


async def approve(deps: Deps, campaign_id: uuid.UUID, actor: str, count: int) -> CampaignView:
    request = req(
        ApproveCampaign, actor=actor, campaign_id=campaign_id, confirm_recipient_count=count
    )
    return await approval.approve_campaign(request, deps)


async def test_a_large_send_waits_for_a_second_user(deps: Deps, publisher: FakePublisher) -> None:
    deps = approving(deps, above=2)
    campaign_id, _ = await campaign_with_recipients(deps, 3)

    view = await send(deps, campaign_id, 3, actor="user-1")
    assert view.status == CampaignStatus.AWAITING_APPROVAL
    assert view.send_requested_by == "user-1"
    assert await release_now(deps, campaign_id) == 0

    view = await approve(deps, campaign_id, "user-2", 3)
    assert (view.status, view.approved_by) == (CampaignStatus.SENDING, "user-2")
    assert await release_now(deps, campaign_id) == 3
    trail = await actions(deps, campaign_id)
    assert trail.index("approval_requested") < trail.index("approved")
    assert "sent" not in trail


async def test_nobody_approves_their_own_send(deps: Deps, publisher: FakePublisher) -> None:
    deps = approving(deps, above=2)
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    await send(deps, campaign_id, 3, actor="user-1")

    with pytest.raises(Forbidden):
        await approve(deps, campaign_id, "user-1", 3)
    assert await release_now(deps, campaign_id) == 0
    assert released_ids(publisher) == []


async def test_the_approver_confirms_the_reviewed_count(deps: Deps) -> None:
    deps = approving(deps, above=2)
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    await send(deps, campaign_id, 3, actor="user-1")

    with pytest.raises(Conflict) as refused:
        await approve(deps, campaign_id, "user-2", 30)
    assert refused.value.details == {"recipient_count": 3}


async def test_a_send_at_or_below_the_threshold_goes_at_once(deps: Deps) -> None:
    deps = approving(deps, above=3)
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    view = await send(deps, campaign_id, 3)
    assert view.status == CampaignStatus.SENDING
    with pytest.raises(Conflict):
        await approve(deps, campaign_id, "user-2", 3)


async def test_an_approved_scheduled_send_waits_for_its_time(deps: Deps) -> None:
    deps = approving(deps, above=0)
    campaign_id, _ = await campaign_with_recipients(deps, 2)
    await send(deps, campaign_id, 2, send_at=NOON + timedelta(hours=1))
    view = await approve(deps, campaign_id, "user-2", 2)
    assert view.status == CampaignStatus.SCHEDULED

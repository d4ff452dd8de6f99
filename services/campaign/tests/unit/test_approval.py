"""Second-person approval: above the organisation's threshold a send waits for another user."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from campaign.domain.errors import Conflict, Forbidden
from campaign.domain.safety_policy import SafetyPolicies, SafetyPolicy
from campaign.handlers import approval
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import ApproveCampaign, SendBack
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


async def test_the_approver_sends_it_back_to_draft_with_a_reason(
    deps: Deps, publisher: FakePublisher
) -> None:
    deps = approving(deps, above=2)
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    await send(deps, campaign_id, 3, actor="user-1", send_at=NOON + timedelta(hours=1))
    request = req(SendBack, actor="user-2", campaign_id=campaign_id, reason="Wrong clinic day.")

    view = await approval.send_back(request, deps)
    assert view.status == CampaignStatus.DRAFT
    assert (view.sent_back_by, view.sent_back_reason) == ("user-2", "Wrong clinic day.")
    assert view.send_at is None  # the sender chooses the time again
    assert await approval.send_back(request, deps) == view  # a redelivery changes nothing
    assert await release_now(deps, campaign_id) == 0
    assert released_ids(publisher) == []
    with pytest.raises(Conflict):
        await approve(deps, campaign_id, "user-2", 3)
    assert "sent_back" in await actions(deps, campaign_id)

    # Changed and sent again, it waits for approval again, and the reason is gone.
    again = await send(deps, campaign_id, 3, actor="user-1")
    assert again.status == CampaignStatus.AWAITING_APPROVAL
    assert (again.sent_back_by, again.sent_back_reason) == (None, None)
    assert (await approve(deps, campaign_id, "user-2", 3)).status == CampaignStatus.SENDING


async def test_the_sender_may_take_their_own_request_back(deps: Deps) -> None:
    deps = approving(deps, above=2)
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    await send(deps, campaign_id, 3, actor="user-1")
    request = req(SendBack, actor="user-1", campaign_id=campaign_id, reason="Not yet.")
    assert (await approval.send_back(request, deps)).status == CampaignStatus.DRAFT


@pytest.mark.parametrize("above", [0, 5])  # sent at once (5), or approved and sending (0)
async def test_only_a_send_awaiting_approval_can_be_sent_back(deps: Deps, above: int) -> None:
    deps = approving(deps, above=above)
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    request = req(SendBack, actor="user-2", campaign_id=campaign_id, reason="No.")
    with pytest.raises(Conflict, match="only one awaiting approval"):
        await approval.send_back(request, deps)  # a draft
    await send(deps, campaign_id, 3, actor="user-1")
    if above == 0:
        await approve(deps, campaign_id, "user-2", 3)
    with pytest.raises(Conflict, match="only one awaiting approval"):
        await approval.send_back(
            req(SendBack, actor="user-2", campaign_id=campaign_id, reason="No."), deps
        )

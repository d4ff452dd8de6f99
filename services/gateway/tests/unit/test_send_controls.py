"""The send's safety controls at the HTTP edge: scheduling, spreading, second-person approval."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from cohort_contracts.campaign_requests import (
    ApproveCampaign,
    ExcludeRecentlyMessaged,
    SendBack,
    SendCampaign,
)
from cohort_contracts.vocabulary import CampaignStatus
from gateway.ports import CampaignError

from ..conftest import ORG, Harness, last


async def test_send_passes_the_time_and_spread_and_answers_scheduled(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.DRAFT)

    response = await gateway.post_to_campaign(
        campaign.id,
        "send",
        {
            "confirm_recipient_count": 3,
            "send_at": "2026-12-07T09:30:00+00:00",
            "spread_hours": 4,
        },
    )

    assert response.status_code == 202, response.text
    assert response.json()["status"] == "scheduled"
    assert response.json()["send_at"] == "2026-12-07T09:30:00Z"
    request = last(gateway, SendCampaign)
    assert request.send_at == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert request.spread_hours == 4


async def test_a_send_time_without_its_offset_is_422(gateway: Harness) -> None:
    response = await gateway.post_to_campaign(
        uuid4(), "send", {"confirm_recipient_count": 3, "send_at": "2026-12-07T09:30:00"}
    )
    assert response.status_code == 422
    assert gateway.campaign.sent(SendCampaign) == []


async def test_approve_passes_the_approvers_count(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.AWAITING_APPROVAL)

    response = await gateway.post_to_campaign(
        campaign.id, "approve", {"confirm_recipient_count": 250}
    )

    assert response.status_code == 202, response.text
    request = last(gateway, ApproveCampaign)
    assert request.confirm_recipient_count == 250


async def test_approving_ones_own_send_is_403(gateway: Harness) -> None:
    message = "Someone other than the person who sent it must approve this campaign."
    gateway.campaign.fail_with = CampaignError("forbidden", message)

    response = await gateway.post_to_campaign(uuid4(), "approve", {"confirm_recipient_count": 250})

    assert response.status_code == 403
    assert response.json()["error"]["message"] == message


async def test_send_back_passes_the_reason_and_answers_the_draft(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.AWAITING_APPROVAL)

    response = await gateway.post_to_campaign(
        campaign.id, "send-back", {"reason": "Wrong clinic day."}
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    assert response.json()["sent_back_reason"] == "Wrong clinic day."
    request = last(gateway, SendBack)
    assert (request.campaign_id, request.reason) == (campaign.id, "Wrong clinic day.")


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}])
async def test_send_back_needs_a_reason(gateway: Harness, body: dict[str, str]) -> None:
    response = await gateway.post_to_campaign(uuid4(), "send-back", body)
    assert response.status_code == 422
    assert gateway.campaign.sent(SendBack) == []


async def test_leaving_out_the_recently_messaged_answers_the_review(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.DRAFT)

    response = await gateway.post_to_campaign(campaign.id, "review/exclude-recently-messaged")

    assert response.status_code == 200, response.text
    assert response.json()["campaign_id"] == str(campaign.id)
    request = last(gateway, ExcludeRecentlyMessaged)
    assert request.campaign_id == campaign.id

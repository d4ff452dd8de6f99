"""Sending a campaign again to the patients it did not reach: the count, and the new draft."""

from uuid import uuid4

from cohort_contracts.campaign_requests import GetSendAgain, SendAgain
from cohort_contracts.vocabulary import CampaignStatus
from gateway.ports import CampaignError

from ..conftest import ORG, Harness, last


async def test_the_count_is_campaigns_view(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.COMPLETED)

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/send-again", headers=gateway.auth()
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "campaign_id": str(campaign.id),
        "patients": 2,
        "by_reason": [{"reason_code": "PHONE_NOT_REACHABLE", "count": 2}],
        "cannot_because": None,
    }
    request = last(gateway, GetSendAgain)
    assert request.campaign_id == campaign.id


async def test_sending_again_answers_the_new_draft_campaign(gateway: Harness) -> None:
    source = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.COMPLETED)

    response = await gateway.post_to_campaign(
        source.id, "send-again", {"name": "  Flu clinic: send again  "}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/campaigns/{body['id']}"
    assert body["id"] != str(source.id)
    assert (body["name"], body["status"], body["follows_up"]) == (
        "Flu clinic: send again",
        "draft",
        str(source.id),
    )
    request = last(gateway, SendAgain)  # also checks the actor and organisation
    assert (request.campaign_id, request.name) == (source.id, "Flu clinic: send again")


async def test_a_conflict_comes_back_as_409_in_campaigns_words(gateway: Harness) -> None:
    message = "Everyone this campaign did not reach has been sent it again already."
    gateway.campaign.fail_with = CampaignError("conflict", message)

    response = await gateway.post_to_campaign(uuid4(), "send-again", {"name": "Again"})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "conflict", "message": message, "details": {}}


async def test_a_viewer_cannot_send_again(gateway: Harness) -> None:
    source = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.COMPLETED)
    viewer = gateway.auth(roles=["viewer"])

    read = await gateway.client.get(f"/v1/campaigns/{source.id}/send-again", headers=viewer)
    sent = await gateway.client.post(
        f"/v1/campaigns/{source.id}/send-again", json={"name": "Again"}, headers=viewer
    )

    assert read.status_code == 200
    assert sent.status_code == 403
    assert gateway.campaign.sent(SendAgain) == []


async def test_the_name_is_checked_before_campaign_is_asked(gateway: Harness) -> None:
    url = f"/v1/campaigns/{uuid4()}/send-again"

    too_long = await gateway.client.post(url, json={"name": "x" * 201}, headers=gateway.auth())
    blank = await gateway.client.post(url, json={"name": "   "}, headers=gateway.auth())
    missing = await gateway.client.post(url, json={}, headers=gateway.auth())

    assert [r.status_code for r in (too_long, blank, missing)] == [422, 422, 422]
    assert too_long.json()["error"]["details"]["fields"] == ["body.name"]
    assert gateway.campaign.requests == []

"""Removing a draft campaign's most recent patient list, and the upload answer that points to it."""

from uuid import uuid4

import pytest

from cohort_contracts.campaign_requests import RemovePatientList
from cohort_contracts.vocabulary import CampaignStatus
from gateway.handlers import patient_lists
from gateway.ports import CampaignError

from ..conftest import ORG, Harness, last
from ..fakes import FakePublisher, make_recipient
from .test_upload_route import csv_rows, upload


async def test_removing_asks_campaign_and_answers_the_campaign(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    kept = gateway.campaign.add_list(campaign, ["NHS Number"], [])
    removed = gateway.campaign.add_list(campaign, ["NHS Number"], [])
    gateway.campaign.recipients[campaign.id] = [
        make_recipient(1, list_id=kept),
        make_recipient(1, list_id=removed),
    ]

    response = await gateway.client.delete(
        f"/v1/campaigns/{campaign.id}/patient-lists/{removed}", headers=gateway.auth()
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["status"]) == (str(campaign.id), "draft")
    request = last(gateway, RemovePatientList)  # also checks the actor and organisation
    assert (request.campaign_id, request.list_id) == (campaign.id, removed)
    assert list(gateway.campaign.lists) == [kept]
    assert [r.list_id for r in gateway.campaign.recipients[campaign.id]] == [kept]


async def test_a_conflict_comes_back_as_409_in_campaigns_words(gateway: Harness) -> None:
    message = "Only the most recently uploaded list can be removed."
    gateway.campaign.fail_with = CampaignError("conflict", message)

    response = await gateway.client.delete(
        f"/v1/campaigns/{uuid4()}/patient-lists/{uuid4()}", headers=gateway.auth()
    )

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "conflict", "message": message, "details": {}}


async def test_a_list_of_a_campaign_no_longer_a_draft_is_not_removed(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.SENDING)
    list_id = gateway.campaign.add_list(campaign, ["NHS Number"], [])

    response = await gateway.client.delete(
        f"/v1/campaigns/{campaign.id}/patient-lists/{list_id}", headers=gateway.auth()
    )

    assert response.status_code == 409
    assert list(gateway.campaign.lists) == [list_id]


async def test_an_unknown_list_is_404(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    response = await gateway.client.delete(
        f"/v1/campaigns/{campaign.id}/patient-lists/{uuid4()}", headers=gateway.auth()
    )

    assert response.status_code == 404


async def test_a_viewer_cannot_remove_a_list(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    list_id = gateway.campaign.add_list(campaign, ["NHS Number"], [])

    response = await gateway.client.delete(
        f"/v1/campaigns/{campaign.id}/patient-lists/{list_id}",
        headers=gateway.auth(roles=["viewer"]),
    )

    assert response.status_code == 403
    assert gateway.campaign.sent(RemovePatientList) == []
    assert list(gateway.campaign.lists) == [list_id]


async def test_rows_not_queued_says_to_remove_the_list_and_upload_again(
    gateway: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patient_lists, "RETRY_DELAY_S", 0.0)
    gateway.rewire(publisher=FakePublisher(fail_always=True))
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    status, body, _ = await upload(gateway, campaign.id, csv_rows(3))

    assert status == 503
    [list_id] = gateway.campaign.lists
    error = body["error"]
    assert isinstance(error, dict)
    assert error["details"] == {"list_id": str(list_id)}
    assert f"DELETE /v1/campaigns/{campaign.id}/patient-lists/{list_id}" in error["message"]
    assert "upload the file again" in error["message"]

"""Campaign settings by type, messages from templates, test sends, resume, audit, credit."""

from uuid import uuid4

import pytest

from cohort_contracts import campaign_requests as rq
from cohort_contracts.campaign_requests import CreateCampaign, GetAudit, ResumeCampaign, SetMessage
from cohort_contracts.campaign_settings import BookingSettings, QuestionnaireSettings
from cohort_contracts.vocabulary import CampaignStatus
from gateway.ports import CampaignError

from ..conftest import ORG, Harness, last


async def test_create_passes_type_specific_settings(gateway: Harness) -> None:
    body = {
        "name": "Asthma reviews",
        "type": "booking",
        "booking": {"appointment_type_code": "ASTHMA", "appointment_type_display": "Asthma review"},
        "link_expiry_days": 14,
    }

    response = await gateway.client.post("/v1/campaigns", json=body, headers=gateway.auth())

    assert response.status_code == 201, response.text
    request = last(gateway, CreateCampaign)
    assert request.booking == BookingSettings(
        appointment_type_code="ASTHMA", appointment_type_display="Asthma review"
    )
    assert (request.link_expiry_days, request.allow_replies, request.questionnaire) == (
        14,
        False,
        None,
    )
    assert response.json()["booking"]["appointment_type_code"] == "ASTHMA"


async def test_create_a_basic_campaign_that_allows_replies(gateway: Harness) -> None:
    q = {"questionnaire_id": "q-1", "title": "Smoking status"}
    replies = await gateway.client.post(
        "/v1/campaigns",
        json={"name": "Flu", "type": "basic", "allow_replies": True},
        headers=gateway.auth(),
    )
    questionnaire = await gateway.client.post(
        "/v1/campaigns",
        json={"name": "Smoking", "type": "questionnaire", "questionnaire": q},
        headers=gateway.auth(),
    )

    assert (replies.status_code, questionnaire.status_code) == (201, 201)
    first, second = gateway.campaign.sent(CreateCampaign)
    assert first.allow_replies is True
    assert second.questionnaire == QuestionnaireSettings(**q)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"name": "x", "type": "booking", "booking": {"appointment_type_code": "A"}},
            ["body.booking.appointment_type_display"],
        ),
        (
            {
                "name": "x",
                "type": "booking",
                "booking": {
                    "appointment_type_code": "A",
                    "appointment_type_display": "B",
                    "colour": "red",
                },
            },
            ["body.booking.colour"],
        ),
        ({"name": "x", "type": "basic", "link_expiry_days": 0}, ["body.link_expiry_days"]),
        ({"name": "x", "type": "basic", "link_expiry_days": 91}, ["body.link_expiry_days"]),
    ],
)
async def test_bad_settings_are_422(
    gateway: Harness, body: dict[str, object], fields: list[str]
) -> None:
    response = await gateway.client.post("/v1/campaigns", json=body, headers=gateway.auth())

    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"] == fields
    assert gateway.campaign.requests == []


async def test_campaign_rules_on_settings_are_campaigns_to_state(gateway: Harness) -> None:
    gateway.campaign.fail_with = CampaignError("invalid", "A booking campaign needs booking.")

    response = await gateway.client.post(
        "/v1/campaigns", json={"name": "x", "type": "booking"}, headers=gateway.auth()
    )

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "A booking campaign needs booking."


async def test_the_message_may_be_a_template(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    template = gateway.campaign.add_template(ORG, body="Hi ((first_name)), from a template")

    response = await gateway.client.put(
        f"/v1/campaigns/{campaign.id}/message",
        json={"template_id": template.id},
        headers=gateway.auth(),
    )

    assert response.status_code == 200, response.text
    assert response.json()["template_id"] == template.id
    assert response.json()["message"]["body"] == "Hi ((first_name)), from a template"
    request = last(gateway, SetMessage)
    assert (request.template_id, request.body) == (template.id, None)


@pytest.mark.parametrize(
    "body", [{}, {"subject": "Flu"}, {"body": "Hello", "template_id": "t-1"}, {"template_id": ""}]
)
async def test_the_message_is_text_or_template_not_both(
    gateway: Harness, body: dict[str, object]
) -> None:
    response = await gateway.client.put(
        f"/v1/campaigns/{uuid4()}/message", json=body, headers=gateway.auth()
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert gateway.campaign.requests == []


async def test_test_send_resume_and_audit(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.PAUSED)
    base = f"/v1/campaigns/{campaign.id}"
    auth = gateway.auth()

    test = await gateway.client.post(
        f"{base}/test-send", json={"channel": "sms", "to": " 07700900123 "}, headers=auth
    )
    resumed = await gateway.client.post(f"{base}/resume", headers=auth)
    audit = await gateway.client.get(f"{base}/audit", headers=auth)

    assert test.status_code == 202, test.text
    assert test.json()["to"] == "07700900123"
    sent = last(gateway, rq.TestSend)
    assert (sent.campaign_id, sent.channel, sent.to) == (campaign.id, "sms", "07700900123")
    assert resumed.status_code == 202
    assert resumed.json()["status"] == "sending"
    assert isinstance(last(gateway, ResumeCampaign), ResumeCampaign)
    assert audit.status_code == 200
    assert audit.json()["entries"][0]["action"] == "created"
    assert isinstance(last(gateway, GetAudit), GetAudit)


@pytest.mark.parametrize(
    "body", [{"channel": "fax", "to": "07700900123"}, {"channel": "sms", "to": "07"}, {}]
)
async def test_test_send_input_is_checked(gateway: Harness, body: dict[str, object]) -> None:
    response = await gateway.post_to_campaign(uuid4(), "test-send", body)

    assert response.status_code == 422
    assert gateway.campaign.requests == []


async def test_the_review_passes_campaigns_credit_figures_through(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/review", headers=gateway.auth()
    )

    assert response.status_code == 200
    assert (response.json()["credit_balance"], response.json()["credits_needed"]) == (120, 40)


async def test_send_without_enough_credit_is_409_in_campaigns_words(gateway: Harness) -> None:
    message = "Not enough SMS credit: 40 needed, 12 left. Top up, then send."
    gateway.campaign.fail_with = CampaignError("conflict", message, {"credits_needed": 40})

    response = await gateway.post_to_campaign(uuid4(), "send", {"confirm_recipient_count": 3})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == message
    assert response.json()["error"]["details"] == {"credits_needed": 40}


async def test_gone_is_410(gateway: Harness) -> None:
    gateway.campaign.fail_with = CampaignError("gone", "That has expired.")

    response = await gateway.client.get(f"/v1/campaigns/{uuid4()}", headers=gateway.auth())

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"


async def test_list_campaigns_filters_by_status(gateway: Harness) -> None:
    gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.DRAFT)
    sending = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.SENDING)

    response = await gateway.client.get("/v1/campaigns?status=sending", headers=gateway.auth())

    assert [c["id"] for c in response.json()["items"]] == [str(sending.id)]

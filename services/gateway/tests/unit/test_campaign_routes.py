"""Campaign routes: what is sent to campaign, and how its answers and errors come back."""

from uuid import uuid4

import pytest

from cohort_contracts.campaign_requests import (
    CancelCampaign,
    CreateCampaign,
    GetReview,
    ListCampaigns,
    ListRecipients,
    SendCampaign,
    SetMessage,
)
from gateway.ports import CampaignError, CampaignUnavailable

from ..conftest import ORG, Harness, last


async def test_create_campaign(gateway: Harness) -> None:
    response = await gateway.client.post(
        "/v1/campaigns", json={"name": "  Flu 2026  ", "type": "booking"}, headers=gateway.auth()
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/campaigns/{body['id']}"
    assert (body["name"], body["type"], body["org_id"]) == ("Flu 2026", "booking", ORG)
    request = last(gateway, CreateCampaign)
    assert (request.name, request.type) == ("Flu 2026", "booking")


async def test_list_campaigns_passes_filters(gateway: Harness) -> None:
    gateway.campaign.add_campaign(org_id=ORG)
    gateway.campaign.add_campaign(org_id="B82002")

    response = await gateway.client.get(
        "/v1/campaigns?status=draft&page=2&page_size=10", headers=gateway.auth()
    )

    assert response.status_code == 200
    assert response.json()["total"] == 1
    request = last(gateway, ListCampaigns)
    assert (request.status, request.page, request.page_size) == ("draft", 2, 10)


async def test_message_review_send_cancel_recipients(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    base = f"/v1/campaigns/{campaign.id}"
    auth = gateway.auth()

    message = await gateway.client.put(
        f"{base}/message", json={"body": "Hello ((first_name))", "subject": "Flu"}, headers=auth
    )
    review = await gateway.client.get(f"{base}/review?previews=5", headers=auth)
    send = await gateway.client.post(
        f"{base}/send", json={"confirm_recipient_count": 12}, headers=auth
    )
    cancel = await gateway.client.post(f"{base}/cancel", headers=auth)
    recipients = await gateway.client.get(
        f"{base}/recipients?status=failed&page_size=20", headers=auth
    )

    assert message.status_code == 200
    assert message.json()["message"] == {"body": "Hello ((first_name))", "subject": "Flu"}
    assert review.status_code == 200
    assert send.status_code == 202
    assert send.json()["status"] == "sending"
    assert cancel.status_code == 202
    assert cancel.json()["status"] == "cancelled"
    assert recipients.status_code == 200
    set_message = last(gateway, SetMessage)
    assert set_message.subject == "Flu"
    get_review = last(gateway, GetReview)
    assert get_review.preview_count == 5
    send_request = last(gateway, SendCampaign)
    assert send_request.confirm_recipient_count == 12
    assert isinstance(last(gateway, CancelCampaign), CancelCampaign)
    listed = last(gateway, ListRecipients)
    assert (listed.status, listed.page, listed.page_size) == ("failed", 1, 20)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CampaignError("not_found", "No such campaign."), 404),
        (CampaignError("conflict", "Already sending.", {"status": "sending"}), 409),
        (CampaignError("invalid", "Count does not match.", {"expected": 11}), 422),
        (CampaignError("unavailable", "Database down."), 503),
    ],
)
async def test_campaign_errors_map_to_statuses(
    gateway: Harness, error: CampaignError, status: int
) -> None:
    gateway.campaign.fail_with = error

    response = await gateway.client.post(
        f"/v1/campaigns/{uuid4()}/send",
        json={"confirm_recipient_count": 12},
        headers=gateway.auth(),
    )

    assert response.status_code == status
    assert response.json() == {
        "error": {"code": error.code, "message": error.message, "details": error.details}
    }


async def test_campaign_not_answering_is_503(gateway: Harness) -> None:
    gateway.campaign.fail_with = CampaignUnavailable("campaign did not answer GetCampaign")

    response = await gateway.client.get(f"/v1/campaigns/{uuid4()}", headers=gateway.auth())

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert "did not answer" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "fields"),
    [
        (
            "POST",
            "/v1/campaigns",
            {"content": b'{"name": "x",', "headers": {"content-type": "application/json"}},
            ["body"],
        ),
        ("POST", "/v1/campaigns", {"json": {"type": "basic"}}, ["body.name"]),
        (
            "POST",
            "/v1/campaigns",
            {"json": {"name": " ", "type": "sms-blast"}},
            ["body.name", "body.type"],
        ),
        (
            "POST",
            "/v1/campaigns",
            {"json": {"name": "a", "type": "basic", "colour": "red"}},
            ["body.colour"],
        ),
        ("POST", "/v1/campaigns", {"json": ["not", "an", "object"]}, ["body"]),
        ("GET", "/v1/campaigns?page=0&page_size=100000", {}, ["query.page", "query.page_size"]),
        # A page whose skip, (page - 1) x page size, MongoDB could not be sent (see MAX_PAGE).
        ("GET", "/v1/campaigns?page=1000000001", {}, ["query.page"]),
        ("GET", "/v1/campaigns/{id}/recipients?page=184467440737095517", {}, ["query.page"]),
        ("GET", "/v1/campaigns/{id}/appointments?page=1000000001", {}, ["query.page"]),
        ("GET", "/v1/campaigns/{id}/questionnaire-responses?page=1000000001", {}, ["query.page"]),
        # A time past Python's last date (see TIME_CURSOR).
        ("GET", "/v1/campaigns/{id}/appointments?after=999999999999999:x", {}, ["query.after"]),
        ("GET", "/v1/campaigns?status=nope", {}, ["query.status"]),
        ("GET", "/v1/campaigns/not-a-uuid", {}, ["path.campaign_id"]),
        ("PUT", "/v1/campaigns/{id}/message", {"json": {"body": ""}}, ["body.body"]),
        (
            "POST",
            "/v1/campaigns/{id}/send",
            {"json": {"confirm_recipient_count": -1}},
            ["body.confirm_recipient_count"],
        ),
        ("POST", "/v1/campaigns/{id}/send", {"json": {}}, ["body.confirm_recipient_count"]),
    ],
)
async def test_bad_input_is_422_naming_the_fields(
    gateway: Harness, method: str, path: str, kwargs: dict[str, object], fields: list[str]
) -> None:
    headers = {**gateway.auth(), **kwargs.pop("headers", {})}  # type: ignore[dict-item]

    response = await gateway.client.request(
        method,
        path.format(id=uuid4()),
        headers=headers,
        **kwargs,  # type: ignore[arg-type]
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["fields"] == fields
    assert gateway.campaign.requests == []


async def test_validation_errors_do_not_echo_the_input(gateway: Harness) -> None:
    response = await gateway.client.post(
        "/v1/campaigns", json={"name": "9434765919" * 30, "type": "basic"}, headers=gateway.auth()
    )

    assert response.status_code == 422
    assert "9434765919" not in response.text


async def test_unknown_route_and_method_use_the_error_shape(gateway: Harness) -> None:
    missing = await gateway.client.get("/v1/nothing-here", headers=gateway.auth())
    wrong_method = await gateway.client.delete("/v1/campaigns", headers=gateway.auth())

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"

"""Reads added for the staff web app: who am I, a campaign's lists, one recipient."""

from pathlib import Path

import pytest

from cohort_testing.organisations import write_organisations
from gateway.adapters.organisations_file import read_organisations_file

from ..conftest import ORG, Harness
from ..fakes import make_recipient, make_unsuccessful_row

ORGANISATIONS = {
    "organisations": [
        {"ods": "A81001", "name": "Example Surgery", "network": "U12345"},
        {"ods": "A81002", "name": "Riverside Medical Centre", "network": "U12345"},
        {"ods": "B82002", "name": "Hillview Practice"},
    ],
    "networks": [{"ods": "U12345", "name": "Example Primary Care Network"}],
}


def use_organisations(gateway: Harness, tmp_path: Path) -> None:
    gateway.rewire(
        organisations=read_organisations_file(write_organisations(tmp_path, ORGANISATIONS))
    )


async def test_me_names_a_practice_user_and_its_one_practice(
    gateway: Harness, tmp_path: Path
) -> None:
    use_organisations(gateway, tmp_path)

    response = await gateway.client.get("/v1/me", headers=gateway.auth(org="B82002", user="u-9"))

    assert response.status_code == 200
    assert response.json() == {
        "user": "u-9",
        "organisation": {"ods": "B82002", "name": "Hillview Practice"},
        "is_network": False,
        "practices": [{"ods": "B82002", "name": "Hillview Practice"}],
        "roles": ["sender", "viewer"],
    }


async def test_me_lists_a_network_users_practices(gateway: Harness, tmp_path: Path) -> None:
    use_organisations(gateway, tmp_path)

    response = await gateway.client.get("/v1/me", headers=gateway.auth(org="U12345"))

    body = response.json()
    assert body["is_network"] is True
    assert body["organisation"]["name"] == "Example Primary Care Network"
    assert [p["ods"] for p in body["practices"]] == ["A81001", "A81002"]


async def test_me_needs_a_token(gateway: Harness) -> None:
    assert (await gateway.client.get("/v1/me")).status_code == 401


async def test_every_list_of_a_campaign(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    first = gateway.campaign.add_list(campaign, ["NHS Number"], [])
    second = gateway.campaign.add_list(campaign, ["NHS Number"], [make_unsuccessful_row(1, ["x"])])

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/patient-lists", headers=gateway.auth()
    )

    assert response.status_code == 200
    body = response.json()
    assert body["campaign_id"] == str(campaign.id)
    assert [item["id"] for item in body["items"]] == [str(first), str(second)]


# The recipients download too: a 404 in the error shape, not a broken download.
@pytest.mark.parametrize("read", ["patient-lists", "recipients.csv"])
async def test_reads_of_another_practices_campaign_are_not_found(
    gateway: Harness, read: str
) -> None:
    campaign = gateway.campaign.add_campaign(org_id="B82002")

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/{read}", headers=gateway.auth()
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_one_recipient(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    wanted = make_recipient(2, status="failed", reason_code="UNKNOWN_SUBSCRIBER", reason="No.")
    gateway.campaign.recipients[campaign.id] = [make_recipient(1), wanted]
    base = f"/v1/campaigns/{campaign.id}/recipients"

    response = await gateway.client.get(f"{base}/{wanted.id}", headers=gateway.auth())

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (wanted.id, "failed")
    missing = await gateway.client.get(f"{base}/{'a' * 32}", headers=gateway.auth())
    assert missing.status_code == 404
    malformed = await gateway.client.get(f"{base}/not-an-id", headers=gateway.auth())
    assert malformed.status_code == 422
    other = await gateway.client.get(f"{base}/{wanted.id}", headers=gateway.auth(org="B82002"))
    assert other.status_code == 404


async def test_the_new_routes_are_documented(gateway: Harness) -> None:
    paths = (await gateway.client.get("/openapi.json")).json()["paths"]

    assert "get" in paths["/v1/me"]
    assert "get" in paths["/v1/campaigns/{campaign_id}/patient-lists"]
    assert "get" in paths["/v1/campaigns/{campaign_id}/recipients/{recipient_id}"]
    events = paths["/v1/campaigns/{campaign_id}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]

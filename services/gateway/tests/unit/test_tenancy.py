"""Every endpoint across tenants: a practice's campaign is reachable by the practice and its
network, and by nobody else; a network user creates only for a member practice it names."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from cohort_contracts.campaign_requests import CreateCampaign, GetCampaign, RegisterPatientList
from cohort_contracts.campaign_views import CampaignView
from gateway.entrypoints.app import create_app
from gateway.handlers.campaign_events import Progress

from ..conftest import GatewayFactory, Harness
from ..fakes import make_recipient, make_unsuccessful_row
from ..organisations import (
    NETWORK_A,
    NETWORK_B,
    PRACTICE_A,
    PRACTICE_A2,
    PRACTICE_B,
    write_organisations,
)

CSV = b"NHS Number,DOB\n9434765919,01/02/1980\n"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: dict[str, Any] | None = None
    upload: bool = False


#: Every route that reaches one existing campaign, list or template.
CALLS = [
    Call("GET", "/v1/campaigns/{campaign_id}"),
    Call("PUT", "/v1/campaigns/{campaign_id}/message", {"body": "Hello"}),
    Call("GET", "/v1/campaigns/{campaign_id}/review"),
    Call("POST", "/v1/campaigns/{campaign_id}/test-send", {"channel": "sms", "to": "07700900123"}),
    Call("POST", "/v1/campaigns/{campaign_id}/send", {"confirm_recipient_count": 0}),
    Call("POST", "/v1/campaigns/{campaign_id}/approve", {"confirm_recipient_count": 0}),
    Call("POST", "/v1/campaigns/{campaign_id}/review/exclude-recently-messaged"),
    Call("POST", "/v1/campaigns/{campaign_id}/cancel"),
    Call("POST", "/v1/campaigns/{campaign_id}/resume"),
    Call("GET", "/v1/campaigns/{campaign_id}/audit"),
    Call("GET", "/v1/campaigns/{campaign_id}/recipients"),
    Call("GET", "/v1/campaigns/{campaign_id}/recipients.csv"),
    Call("GET", "/v1/campaigns/{campaign_id}/recipients/{recipient_id}"),
    Call("GET", "/v1/campaigns/{campaign_id}/events"),
    Call("GET", "/v1/campaigns/{campaign_id}/patient-lists"),
    Call("POST", "/v1/campaigns/{campaign_id}/patient-lists", upload=True),
    Call("GET", "/v1/campaigns/{campaign_id}/patient-lists/{list_id}"),
    Call("GET", "/v1/campaigns/{campaign_id}/patient-lists/{list_id}/unsuccessful.csv"),
    Call("GET", "/v1/campaigns/{campaign_id}/recipients/{recipient_id}/activity"),
    Call("GET", "/v1/campaigns/{campaign_id}/appointments"),
    Call("GET", "/v1/campaigns/{campaign_id}/questionnaire-responses"),
    Call("GET", "/v1/campaigns/{campaign_id}/questionnaire-responses.csv"),
    Call("GET", "/v1/campaigns/{campaign_id}/questionnaire-responses.fhir.json"),
    Call("PUT", "/v1/templates/{template_id}", {"name": "Renamed"}),
    Call("POST", "/v1/templates/{template_id}/archive"),
    Call("DELETE", "/v1/suppressions/{suppression_id}"),
]


@dataclass
class World:
    gateway: Harness
    ids: dict[str, str]


@pytest.fixture
async def world(gateway_factory: GatewayFactory, tmp_path: Path) -> AsyncIterator[World]:
    async with gateway_factory(organisations_file=write_organisations(tmp_path)) as gateway:
        campaign = gateway.campaign.add_campaign(org_id=PRACTICE_A)
        row = make_unsuccessful_row(1, ["1", "x"])
        list_id = gateway.campaign.add_list(campaign, ["NHS Number", "DOB"], [row])
        template = gateway.campaign.add_template(PRACTICE_A)
        suppression = gateway.campaign.add_suppression(PRACTICE_A)
        recipient = make_recipient(1)
        gateway.campaign.recipients[campaign.id] = [recipient]
        # The stream's first event and then its end: tenancy is settled before it starts.
        gateway.rewire(events=OneEvent())
        ids = {
            "campaign_id": str(campaign.id),
            "list_id": str(list_id),
            "template_id": template.id,
            "recipient_id": recipient.id,
            "suppression_id": suppression.id,
        }
        yield World(gateway, ids)


class OneEvent:
    async def stream(self, first: CampaignView, last_event_id: str | None) -> AsyncIterator[str]:
        yield Progress.of(first).event()


async def call(world: World, call: Call, org: str, act_for: str | None = None) -> int:
    client, headers = world.gateway.client, world.gateway.auth(org, act_for=act_for)
    url = call.path.format(**world.ids)
    if call.upload:
        files = {"file": ("list.csv", CSV, "text/csv")}
        response = await client.post(url, files=files, data={"channel": "sms"}, headers=headers)
    else:
        response = await client.request(call.method, url, json=call.json, headers=headers)
    return response.status_code


def test_the_matrix_covers_every_route_that_reaches_one_thing() -> None:
    paths = create_app(configure_logs=False).openapi()["paths"]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if "{campaign_id}" in path or "{template_id}" in path or "{suppression_id}" in path
        for method in operations
    }

    assert routes == {(c.method, c.path) for c in CALLS}


@pytest.mark.parametrize("target", CALLS, ids=lambda c: f"{c.method} {c.path}")
@pytest.mark.parametrize(
    ("org", "act_for", "allowed"),
    [
        (PRACTICE_A, None, True),
        (NETWORK_A, PRACTICE_A, True),
        (PRACTICE_A2, None, False),
        (PRACTICE_B, None, False),
        (NETWORK_B, PRACTICE_B, False),
        (NETWORK_A, PRACTICE_A2, False),
    ],
    ids=[
        "owner",
        "owners-network",
        "same-network-practice",
        "other-practice",
        "other-network",
        "network-naming-another-member",
    ],
)
async def test_each_route_across_tenants(
    world: World, target: Call, org: str, act_for: str | None, allowed: bool
) -> None:
    status = await call(world, target, org, act_for)

    if allowed:
        assert status in (200, 201, 202), status
    else:
        assert status == 404
        assert world.gateway.resolve_rows == []


@pytest.mark.parametrize("target", [c for c in CALLS if not c.upload], ids=lambda c: c.path)
async def test_a_network_reads_and_changes_without_naming_the_practice(
    world: World, target: Call
) -> None:
    assert await call(world, target, NETWORK_A) in (200, 202)
    assert await call(world, target, NETWORK_B) == 404

    mine, theirs = world.gateway.campaign.requests
    assert (mine.org_id, getattr(mine, "org_scope")) == (NETWORK_A, [PRACTICE_A, PRACTICE_A2])  # noqa: B009
    assert (theirs.org_id, getattr(theirs, "org_scope")) == (NETWORK_B, [PRACTICE_B])  # noqa: B009


async def test_lists_show_a_network_all_its_practices(world: World) -> None:
    other = world.gateway.campaign.add_campaign(org_id=PRACTICE_A2)
    stranger = world.gateway.campaign.add_campaign(org_id=PRACTICE_B)
    client = world.gateway.client

    async def listed(org: str, act_for: str | None = None) -> set[str]:
        page = await client.get("/v1/campaigns", headers=world.gateway.auth(org, act_for=act_for))
        return {item["id"] for item in page.json()["items"]}

    own, other_id, stranger_id = world.ids["campaign_id"], str(other.id), str(stranger.id)
    assert await listed(NETWORK_A) == {own, other_id}
    assert await listed(NETWORK_A, PRACTICE_A2) == {other_id}
    assert await listed(PRACTICE_A) == {own}
    assert await listed(NETWORK_B) == {stranger_id}
    templates = await client.get("/v1/templates", headers=world.gateway.auth(NETWORK_B))
    assert world.ids["template_id"] not in {t["id"] for t in templates.json()["items"]}


@pytest.mark.parametrize("path", ["/v1/campaigns", "/v1/templates"])
async def test_a_network_creates_only_for_a_member_practice_it_names(
    world: World, path: str
) -> None:
    body = {"name": "Flu", "type": "basic", "body": "Hello"}
    if path == "/v1/campaigns":
        body.pop("body")
    client, auth = world.gateway.client, world.gateway.auth

    unnamed = await client.post(path, json=body, headers=auth(NETWORK_A))
    stranger = await client.post(path, json=body, headers=auth(NETWORK_A, act_for=PRACTICE_B))
    malformed = await client.post(path, json=body, headers=auth(NETWORK_A, act_for="not ods!"))
    named = await client.post(path, json=body, headers=auth(NETWORK_A, act_for=PRACTICE_A2))

    assert unnamed.status_code == 422
    assert unnamed.json()["error"]["details"]["fields"] == ["header.X-Act-For-Org"]
    assert "X-Act-For-Org" in unnamed.json()["error"]["message"]
    assert stranger.status_code == 403
    assert stranger.json()["error"]["message"] == (
        f"You cannot act for {PRACTICE_B}: you are signed in for network {NETWORK_A} and may act "
        "only for its member practices."
    )
    assert malformed.status_code == 422
    assert named.status_code == 201
    assert named.json()["org_id"] == PRACTICE_A2
    [request] = world.gateway.campaign.requests
    assert (request.org_id, getattr(request, "org_scope")) == (PRACTICE_A2, [PRACTICE_A2])  # noqa: B009


async def test_a_practice_acts_only_for_itself(world: World) -> None:
    client, auth = world.gateway.client, world.gateway.auth
    body = {"name": "Flu", "type": "basic"}

    itself = await client.post(
        "/v1/campaigns", json=body, headers=auth(PRACTICE_A, act_for=PRACTICE_A)
    )
    other = await client.post(
        "/v1/campaigns", json=body, headers=auth(PRACTICE_A, act_for=PRACTICE_A2)
    )
    read_other = await client.get(
        f"/v1/campaigns/{world.ids['campaign_id']}", headers=auth(PRACTICE_A2, act_for=PRACTICE_A)
    )

    assert itself.status_code == 201
    assert other.status_code == 403
    assert read_other.status_code == 403
    assert len(world.gateway.campaign.sent(CreateCampaign)) == 1
    assert world.gateway.campaign.sent(GetCampaign) == []


async def test_a_network_upload_names_the_practice_before_the_file_is_read(world: World) -> None:
    url = f"/v1/campaigns/{world.ids['campaign_id']}/patient-lists"
    files = {"file": ("list.csv", CSV, "text/csv")}
    client, auth = world.gateway.client, world.gateway.auth

    unnamed = await client.post(url, files=files, data={"channel": "sms"}, headers=auth(NETWORK_A))
    named = await client.post(
        url, files=files, data={"channel": "sms"}, headers=auth(NETWORK_A, act_for=PRACTICE_A)
    )

    assert unnamed.status_code == 422
    assert unnamed.json()["error"]["details"]["fields"] == ["header.X-Act-For-Org"]
    assert named.status_code == 202
    [register] = world.gateway.campaign.sent(RegisterPatientList)
    assert (register.org_id, getattr(register, "org_scope")) == (PRACTICE_A, [PRACTICE_A])  # noqa: B009
    # The rows are the practice's: ingest and campaign file them under its ODS code.
    [batch] = world.gateway.resolve_rows
    assert (batch.org_id, batch.campaign_id) == (PRACTICE_A, UUID(world.ids["campaign_id"]))


async def test_without_a_file_a_network_code_is_just_another_practice(
    gateway: Harness,
) -> None:
    theirs = gateway.campaign.add_campaign(org_id=PRACTICE_A)

    created = await gateway.client.post(
        "/v1/campaigns", json={"name": "x", "type": "basic"}, headers=gateway.auth(NETWORK_A)
    )
    read = await gateway.client.get(f"/v1/campaigns/{theirs.id}", headers=gateway.auth(NETWORK_A))

    assert created.status_code == 201
    assert created.json()["org_id"] == NETWORK_A
    assert read.status_code == 404

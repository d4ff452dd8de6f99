"""The tenancy sweep, generated from the OpenAPI document: every operation a staff token opens,
called by the owner (which must work, so that the request itself is sound) and by strangers (a
practice of another practice, a network of another network, a network naming a practice outside
it, a network naming another of its own members): a stranger gets 404 for anything of the owner's,
never 403, and changes nothing. A new route is swept without being listed; one the sweep cannot
build a request for, or one that a staff token does not open and is not explained below, fails."""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from cohort_contracts.campaign_requests import CreateCampaign, GetCampaign, RegisterPatientList
from cohort_contracts.campaign_views import CampaignView
from cohort_testing.organisations import (
    NETWORK_A,
    NETWORK_B,
    PRACTICE_A,
    PRACTICE_A2,
    PRACTICE_B,
    write_organisations,
)
from gateway.handlers.campaign_events import Progress

from ..conftest import GatewayFactory, Harness
from ..fakes import FakeCampaign, make_recipient, make_unsuccessful_row
from ..openapi_requests import BEARER, CSV, Operation, build, operations, walk

OPERATIONS = operations()
STAFF = [op for op in OPERATIONS if BEARER in op.security]
#: Operations that reach one thing of the owner's, named in the path.
OWNED = [op for op in STAFF if op.path_parameters]
#: Operations over the caller's own organisations (lists, creating, who am I).
COLLECTIONS = [op for op in STAFF if not op.path_parameters]

#: Every operation a staff token does not open, and what keeps organisations apart there
#: (tested where named). A new one fails ``test_every_operation_is_swept_or_explained``.
NOT_STAFF = {
    "GET /v1/links/{token}": "a patient's unguessable link token (test_links)",
    "GET /v1/patient-links/{token}": "patient service token + link token (test_patient_links)",
    "POST /v1/patient-links/{token}/verification": "as above",
    "GET /v1/patient-links/{token}/booking": "as above",
    "POST /v1/patient-links/{token}/booking": "as above",
    "GET /v1/patient-links/{token}/slots": "as above",
    "POST /v1/patient-links/{token}/booking/cancellation": "as above",
    "GET /v1/patient-links/{token}/questionnaire": "as above",
    "POST /v1/patient-links/{token}/questionnaire/response": "as above",
    "POST /v1/webhooks/firetext/receipts": "Firetext's per-organisation HMAC token (test_webhooks)",
    "POST /v1/webhooks/firetext/inbound": "as above",
    "POST /v1/unsubscribe/{token}": "an email's unguessable unsubscribe token (test_suppressions)",
    "GET /healthz": "no organisation's data",
    "GET /readyz": "no organisation's data",
}


@dataclass(frozen=True)
class Caller:
    name: str
    org: str
    act_for: str | None = None
    #: Names a practice its organisation may not act for.
    outside: bool = False


OWNERS = [Caller("owner", PRACTICE_A), Caller("owners-network", NETWORK_A, PRACTICE_A)]
STRANGERS = [
    Caller("practice-of-another-network", PRACTICE_B),
    Caller("practice-of-the-same-network", PRACTICE_A2),
    Caller("network-of-another-network", NETWORK_B),
    Caller("network-of-another-network-naming-its-member", NETWORK_B, PRACTICE_B),
    Caller("network-naming-a-practice-outside-it", NETWORK_B, PRACTICE_A, outside=True),
    Caller("network-naming-another-member", NETWORK_A, PRACTICE_A2),
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


async def call(world: World, operation: Operation, caller: Caller) -> tuple[int, object]:
    request = build(operation, world.ids)
    headers = world.gateway.auth(caller.org, act_for=caller.act_for)
    response = await world.gateway.client.request(
        request.method, request.url, headers=headers, **request.kwargs()
    )
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.status_code, response.json() if is_json else response.text


def snapshot(campaign: FakeCampaign) -> dict[str, object]:
    """Everything campaign holds, by kind and id."""
    stores: dict[str, Mapping[UUID, object] | Mapping[str, object]] = {
        "campaigns": campaign.campaigns,
        "lists": campaign.lists,
        "templates": campaign.templates,
        "recipients": campaign.recipients,
        "unsuccessful": campaign.unsuccessful,
        "suppressions": campaign.suppressions,
    }
    return {
        f"{kind}/{key}": repr(value)
        for kind, store in stores.items()
        for key, value in store.items()
    }


def unnamed_practice(caller: Caller, status: int, body: object) -> bool:
    if caller.act_for is not None or status != 422 or not isinstance(body, dict):
        return False
    return bool(body["error"]["details"].get("fields") == ["header.X-Act-For-Org"])


def test_every_operation_is_swept_or_explained() -> None:
    unswept = {op.id for op in OPERATIONS if BEARER not in op.security}

    assert unswept == set(NOT_STAFF), "a new operation without a staff token: explain it here"
    assert OWNED, "the sweep found no operation reaching one thing"
    assert COLLECTIONS


@pytest.mark.parametrize("caller", OWNERS, ids=lambda c: c.name)
@pytest.mark.parametrize("operation", STAFF, ids=lambda op: op.id)
async def test_the_owner_gets_what_the_sweep_asks_for(
    world: World, operation: Operation, caller: Caller
) -> None:
    status, body = await call(world, operation, caller)

    assert status in (200, 201, 202), (status, body)


@pytest.mark.parametrize("caller", STRANGERS, ids=lambda c: c.name)
@pytest.mark.parametrize("operation", STAFF, ids=lambda op: op.id)
async def test_a_stranger_reaches_nothing_of_the_owners(
    world: World, operation: Operation, caller: Caller
) -> None:
    before = snapshot(world.gateway.campaign)

    status, body = await call(world, operation, caller)

    if unnamed_practice(caller, status, body):
        pass  # creating needs a practice named first: refused before anything is looked up
    elif operation.path_parameters or (caller.outside and operation.names_a_practice):
        assert status == 404, (status, body)
    else:
        assert status in (200, 201, 202), (status, body)
        owners = set(world.ids.values())
        assert not owners & set(walk(body) if not isinstance(body, str) else [body])
    after = snapshot(world.gateway.campaign)
    assert {key: after.get(key) for key in before} == before, "a stranger changed the owner's"
    scopes = [getattr(r, "readable_orgs", ()) for r in world.gateway.campaign.requests]
    assert all(PRACTICE_A not in scope for scope in scopes), "campaign was asked for the owner's"
    assert world.gateway.resolve_rows == []


#: Uploads excepted: a network must name the practice whose rows it uploads.
FORMLESS = [op for op in OWNED if "multipart/form-data" not in str(op.operation)]


@pytest.mark.parametrize("operation", FORMLESS, ids=lambda op: op.id)
async def test_a_network_reads_and_changes_without_naming_the_practice(
    world: World, operation: Operation
) -> None:
    assert (await call(world, operation, Caller("network", NETWORK_A)))[0] in (200, 201, 202)
    assert (await call(world, operation, Caller("other", NETWORK_B)))[0] == 404

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
    assert stranger.status_code == 404
    assert stranger.json()["error"]["message"] == (
        f"There is no practice {PRACTICE_B} among those you may act for."
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
    assert other.status_code == 404
    assert read_other.status_code == 404
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
    assert (register.org_id, register.org_scope) == (PRACTICE_A, [PRACTICE_A])
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
